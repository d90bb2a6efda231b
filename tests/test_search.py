"""The explorer's search index (`kg.explore.search`) over a real build of one corpus day.

What the index should find is read again here the slow, obvious way: every node's names from
SPARQL joins, and each name's tier (exact, prefix, word, typo) by the definitions, typos by an
edit-distance table. The index's answers are compared with that reading, with its shortcuts
(posting lists, sorted slices, walks in rank order) forced one way and the other.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from pyoxigraph import QuerySolutions, Store

from kg.explore import search
from kg.explore.search import KINDS, Hit, SearchIndex
from kg.pipeline import build
from kg.store import open_store
from kg.vocab import PREFIXES, lookup_key

DAY = "2026-06-01_AI_enhanced_Chinese.jsonl"
WORD = re.compile(r"\w+")
EXACT, PREFIX, WORDS, TYPO = range(4)
EVERYTHING = 10**6  # a limit no query reaches


@dataclass(frozen=True)
class Name:
    """One searchable name of a node, as the oracle reads it."""

    kind: str
    id: str
    label: str
    name: str
    papers: int
    worded: bool = True  # an arXiv id is matched whole or by its start only

    @property
    def folded(self) -> str:
        return lookup_key(self.name)


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    out = tmp_path_factory.mktemp("search")
    build([corpus / "daily-jsonl" / DAY], out, exports=("rdf",))  # the store is all it reads
    return open_store(out)


@pytest.fixture(scope="module")
def index(store: Store) -> SearchIndex:
    return SearchIndex.from_store(store)


@pytest.fixture(scope="module")
def full_index(store: Store) -> SearchIndex:
    """The index with every letter of the build tried for typos (the oracle tries them all)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "ALPHABET_SHARE", 1.0)
        patch.setattr(search, "ALPHABET_MAX", 10**6)
        return SearchIndex.from_store(store)


def rows(store: Store, query: str) -> list[list[str]]:
    solutions = store.query(query, prefixes=PREFIXES)
    assert isinstance(solutions, QuerySolutions)
    return [[term.value for term in row] for row in solutions]


@pytest.fixture(scope="module")
def names(store: Store) -> list[Name]:
    """Every name the search should cover, read with plain SPARQL joins."""
    found = [Name("paper", arxiv, title, name, 1, worded=name == title)
             for arxiv, title in rows(store, """SELECT ?id ?title WHERE {
                 ?p a kg:Paper ; dcterms:title ?title ; kg:arxivId ?id }""")
             for name in (title, arxiv)]
    found += [Name("author", name, name, name, int(n)) for name, n in rows(store, """
        SELECT ?name (COUNT(DISTINCT ?p) AS ?n) WHERE {
          ?x a foaf:Person ; foaf:name ?name . ?p dcterms:creator ?x } GROUP BY ?x ?name""")]
    concepts = {iri: (label, int(n)) for iri, label, n in rows(store, """
        SELECT ?c ?label (COALESCE(?count, 0) AS ?n) WHERE {
          ?c a kg:Concept ; skos:prefLabel ?label OPTIONAL { ?c kg:paperCount ?count } }""")}
    aliases = rows(store, "SELECT ?c ?alias WHERE { ?c a kg:Concept ; skos:altLabel ?alias }")
    kept: set[tuple[str, str]] = set()
    for iri, name in [(iri, label) for iri, (label, _) in concepts.items()] + sorted(aliases):
        label, papers = concepts[iri]
        if (iri, lookup_key(name)) not in kept:
            kept.add((iri, lookup_key(name)))
            key = unquote(iri.rsplit("/", 1)[-1])
            found.append(Name("concept", key, label, name, papers))
    for code, name, n in rows(store, """SELECT ?code ?name (COUNT(DISTINCT ?p) AS ?n) WHERE {
            ?cat a kg:Category ; skos:notation ?code ; skos:prefLabel ?name .
            ?p dcterms:subject ?cat } GROUP BY ?cat ?code ?name"""):
        found += [Name("category", code, f"{code}: {name}", each, int(n)) for each in (code, name)]
    return found


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance, by the textbook table."""
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1,
                              table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


def tier(name: Name, query: str) -> int | None:
    """The tier of `name` for `query` by the definitions, None when it does not match."""
    wanted, folded = lookup_key(query), name.folded
    if folded == wanted:
        return EXACT
    if folded.startswith(f"{wanted} " if query[-1].isspace() else wanted):
        return PREFIX
    words, tokens = WORD.findall(wanted), set(WORD.findall(folded))
    if not name.worded or not words:
        return None
    typing = bool(WORD.fullmatch(query[-1]))

    def accepted(word: str, last: bool, typo: bool) -> bool:
        return word in tokens or (last and typing and any(t.startswith(word) for t in tokens)) \
            or (typo and 4 <= len(word) <= 40 and not word.isdigit()
                and any(abs(len(t) - len(word)) <= 1 and distance(word, t) <= 1 for t in tokens))

    for level, typo in ((WORDS, False), (TYPO, True)):
        if all(accepted(w, i == len(words) - 1, typo) for i, w in enumerate(words)):
            return level
    return None


def expected(names: list[Name], query: str,
             kinds: Collection[str] = KINDS) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Each matching node's best (tier, -papers, name length)."""
    best: dict[tuple[str, str], tuple[int, int, int]] = {}
    for name in names:
        if name.kind in kinds and (level := tier(name, query)) is not None:
            key = (level, -name.papers, len(name.folded))
            node = (name.kind, name.id)
            best[node] = min(best.get(node, key), key)
    return best


def ranked(hits: list[Hit], query: str, names: list[Name]) -> list[tuple[int, int, int, str]]:
    """Each hit's (tier, -papers, matched length, label), the tier read from its names."""
    by_node = {(n.kind, n.id, n.folded): n for n in names}
    result = []
    for hit in hits:
        name = by_node[hit.kind, hit.id, lookup_key(hit.matched)]
        level = tier(name, query)
        assert level is not None, (hit, query)
        result.append((level, -hit.papers, len(name.folded), lookup_key(hit.label)))
    return result


def common_words(names: list[Name], kind: str, count: int) -> list[str]:
    """The words most names of a kind have, most common first (ties alphabetically)."""
    seen: dict[str, int] = {}
    for name in names:
        if name.kind == kind:
            for word in set(WORD.findall(name.folded)):
                if len(word) >= 4 and word.isalpha():
                    seen[word] = seen.get(word, 0) + 1
    return sorted(seen, key=lambda w: (-seen[w], w))[:count]


def transposed(word: str) -> Iterator[str]:
    """The word with two neighbouring letters swapped, from its second letter on."""
    for i in range(1, len(word) - 1):
        if word[i] != word[i + 1]:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2:]


def oracle_queries(names: list[Name]) -> list[str]:
    """Queries as people type them, from the build's own words and names."""
    concept, title = common_words(names, "concept", 1)[0], common_words(names, "paper", 1)[0]
    two_words = next(n.name for n in names if n.kind == "concept"
                     and len(WORD.findall(n.folded)) == 2 and concept in n.folded)
    surname = next(n.name.split()[-1] for n in names if n.kind == "author" and n.papers > 1)
    first, second = two_words.split()
    return [concept[:1], concept[:2], concept[:3], concept, f"{concept} ", concept.upper(),
            next(transposed(concept)), title, next(transposed(title)), two_words,
            two_words[:-2], f"{second} {first[:3]}",
            " ".join(next(transposed(w), w) if len(w) >= 4 else w for w in (first, second)),
            surname, surname.lower()[:-1], "cs.", "ai"]


def test_every_node_is_covered(index: SearchIndex, names: list[Name]) -> None:
    indexed = {(h.kind, h.id, lookup_key(h.matched), h.label, h.papers) for h in index.names()}
    assert indexed == {(n.kind, n.id, n.folded, n.label, n.papers) for n in names}
    assert len(index) == len(names)
    assert {n.kind for n in names} == set(KINDS)


SHORTCUTS = {  # module constants: which shortcut each query takes
    "default": {},
    "walks": {"SORT_AT_MOST": 0, "MERGE_AT_MOST": 0, "WALK_AT_MOST": EVERYTHING},
    "short-walks": {"SORT_AT_MOST": 0, "MERGE_AT_MOST": 0, "WALK_AT_MOST": 50},
    "sorted-unions": {"SORT_AT_MOST": EVERYTHING, "MERGE_AT_MOST": 0, "WALK_AT_MOST": 0},
    "words-read": {"SET_FACTOR": 0, "SET_MIN": 0},
    "sets-built": {"SET_FACTOR": EVERYTHING},
}


@pytest.mark.parametrize("shortcuts", SHORTCUTS)
def test_results_are_what_the_definitions_say_in_their_order(
        full_index: SearchIndex, names: list[Name], monkeypatch: pytest.MonkeyPatch,
        shortcuts: str) -> None:
    for constant, value in SHORTCUTS[shortcuts].items():
        monkeypatch.setattr(search, constant, value)
    for query in oracle_queries(names):
        hits = full_index.search(query, limit=EVERYTHING)
        best = expected(names, query)
        assert best, query
        assert {(h.kind, h.id) for h in hits} == set(best), query
        order = ranked(hits, query, names)
        assert [o[:3] for o in order] == [best[h.kind, h.id] for h in hits], query
        assert order == sorted(order), query


def test_exact_beats_prefix_beats_word_beats_typo(index: SearchIndex, names: list[Name]) -> None:
    """Real one-word names of the build as queries ("clip", "clip "), until for each two
    neighbouring tiers one query matched a node of the later tier with more papers than one
    of the earlier (so that ranking by papers alone would mix them), and one matched in every
    tier: the tiers come in order all the same."""
    common = {w: i for i, w in enumerate(common_words(names, "concept", EVERYTHING))}
    whole = sorted({n.folded for n in names if n.folded in common}, key=common.__getitem__)
    inverted: set[int] = set()  # t: a node of tier t + 1 had more papers than one of tier t
    every = False
    for query in (q for word in whole for q in (word, f"{word} ")):
        papers: dict[int, list[int]] = {}
        for level, minus_papers, _ in expected(names, query).values():
            papers.setdefault(level, []).append(-minus_papers)
        pairs = {t for t in range(3) if t in papers and t + 1 in papers
                 and max(papers[t + 1]) > min(papers[t])}
        if pairs <= inverted and (every or len(papers) < 4):
            continue
        hits = index.search(query, limit=EVERYTHING)
        levels = [o[0] for o in ranked(hits, query, names)]
        assert levels == sorted(levels), query
        assert set(levels) == set(papers), query
        assert lookup_key(hits[0].matched) == lookup_key(query) or EXACT not in papers
        inverted |= pairs
        every |= len(papers) == 4
        if len(inverted) == 3 and every:
            break
    assert inverted == {EXACT, PREFIX, WORDS} and every, "the build lacks such queries"


def test_a_title_is_suggested_as_it_is_typed(index: SearchIndex, names: list[Name]) -> None:
    """Each keystroke of a real title: from the one after which no other node has a name
    starting so, the paper comes first, matched by its title."""
    paper = max((n for n in names if n.kind == "paper" and n.worded), key=lambda n: n.name)
    unique_from = None
    for end in range(1, len(paper.name) + 1):
        typed = paper.name[:end]
        starting = {(n.kind, n.id) for n in names if n.folded.startswith(lookup_key(typed))}
        hits = index.search(typed)
        if starting == {("paper", paper.id)}:
            unique_from = unique_from or end
            assert (hits[0].kind, hits[0].id, hits[0].matched) == ("paper", paper.id,
                                                                   paper.name), typed
    assert unique_from is not None and unique_from < len(paper.name)


def test_an_alias_finds_its_concept(index: SearchIndex, names: list[Name]) -> None:
    counts: dict[str, int] = {}
    for name in names:
        counts[name.folded] = counts.get(name.folded, 0) + 1
    alias = max((n for n in names if n.kind == "concept" and n.name != n.label
                 and counts[n.folded] == 1 and lookup_key(n.label) != n.folded),
                key=lambda n: (n.papers, n.name))
    hit = index.search(alias.name.swapcase())[0]
    assert (hit.kind, hit.id, hit.matched, hit.label) == ("concept", alias.id, alias.name,
                                                          alias.label)
    assert hit.matched != hit.label


def test_an_arxiv_id_in_any_form_finds_its_paper_first(index: SearchIndex,
                                                       names: list[Name]) -> None:
    paper = next(n for n in names if n.kind == "paper" and not n.worded)
    for query in (paper.id, f"{paper.id}v2", f"arXiv:{paper.id}", f"ARXIV: {paper.id}v11",
                  f"https://arxiv.org/abs/{paper.id}v1"):
        hit = index.search(query)[0]
        assert (hit.kind, hit.id, hit.matched, hit.papers) == ("paper", paper.id, paper.id, 1)
        assert hit.label == paper.label
    typing = index.search(f"arXiv:{paper.id[:-1]}", limit=EVERYTHING)
    assert ("paper", paper.id) in {(h.kind, h.id) for h in typing}


def test_an_author_by_name_in_another_case(index: SearchIndex, names: list[Name]) -> None:
    author = max((n for n in names if n.kind == "author"), key=lambda n: (n.papers, n.name))
    for query in (author.name.upper(), author.name.lower(), f"  {author.name.swapcase()} "):
        hit = index.search(query)[0]
        assert (hit.kind, hit.id, hit.label, hit.papers) == ("author", author.name, author.name,
                                                             author.papers)
    surname = author.name.split()[-1].lower()
    assert ("author", author.name) in {(h.kind, h.id) for h in
                                       index.search(surname, limit=EVERYTHING, kinds={"author"})}


def test_a_category_by_code_and_by_name(index: SearchIndex, names: list[Name]) -> None:
    code = max((n for n in names if n.kind == "category" and n.name == n.id),
               key=lambda n: n.papers)
    name = next(n for n in names if n.kind == "category" and n.id == code.id
                and n.name != n.id)
    hit = index.search(code.id.lower())[0]
    assert (hit.kind, hit.id, hit.matched) == ("category", code.id, code.id)
    assert hit.label == f"{code.id}: {name.name}"
    hits = index.search(name.name.lower(), limit=EVERYTHING)
    at = [(h.kind, h.id) for h in hits].index(("category", code.id))
    assert hits[at].matched == name.name
    assert all(lookup_key(h.matched) == name.folded for h in hits[:at + 1])  # exact tier


def test_a_concept_with_a_typo(index: SearchIndex, names: list[Name]) -> None:
    """A real concept of two words or more, a long word's letters swapped ("nueral
    operator"): not a word of any name nor the start of one, so only the typo tier has it."""
    words = {w for n in names if n.worded for w in WORD.findall(n.folded)}
    candidates = []
    for name in names:
        tokens = WORD.findall(name.folded)
        if name.kind != "concept" or name.name != name.label or len(tokens) < 2:
            continue
        longest = max(tokens, key=len)
        if len(longest) < 5 or not longest.isalpha():
            continue
        for typo in transposed(longest):
            if not any(w.startswith(typo) for w in words):
                candidates.append((name, name.folded.replace(longest, typo, 1)))
                break
    concept, query = max(candidates, key=lambda c: (c[0].papers, c[1]))
    hits = index.search(query, limit=EVERYTHING)
    assert query not in {lookup_key(n.name) for n in names}
    at = [(h.kind, h.id) for h in hits].index(("concept", concept.id))
    assert lookup_key(hits[at].matched) == concept.folded
    assert all(h.papers >= concept.papers for h in hits[:at])
    assert all(tier(Name(h.kind, h.id, h.label, h.matched, h.papers), query) == TYPO
               for h in hits)


def test_kinds_filter(index: SearchIndex, names: list[Name]) -> None:
    word = common_words(names, "concept", 1)[0]
    everything = index.search(word, limit=EVERYTHING)
    assert {h.kind for h in everything} >= {"concept", "paper"}
    for kinds in ({"concept"}, ["paper", "category"], ("author",)):
        hits = index.search(word, limit=EVERYTHING, kinds=kinds)
        assert hits == [h for h in everything if h.kind in kinds]
    assert index.search(word, kinds=()) == []
    with pytest.raises(ValueError, match="unknown kinds"):
        index.search(word, kinds={"person"})


def test_limit(index: SearchIndex, names: list[Name]) -> None:
    query = common_words(names, "concept", 1)[0][:2]
    many = index.search(query, limit=50)
    assert len(many) == 50
    assert len({(h.kind, h.id) for h in many}) == 50  # one hit a node
    assert index.search(query) == many[:10]
    assert index.search(query, limit=3) == many[:3]
    assert index.search(query, limit=0) == []


@pytest.mark.parametrize("query", ["", " ", "\t\n ", "  \u3000 "])
def test_an_empty_query_finds_nothing(index: SearchIndex, query: str) -> None:
    assert index.search(query) == []
