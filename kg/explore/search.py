"""The explorer's search box: every node of a build (papers by title and arXiv id, authors,
concepts and their aliases, categories by code and name) in an index held in memory, which
suggests as you type.

Why not SPARQL: a suggestion is asked at every keystroke, and a CONTAINS or REGEX filter over
a few hundred thousand labels is a scan of them all each time. Here a query is a bisection of
the sorted names (exact and prefix matches), the posting lists of an inverted word index (word
matches) and a bisection of a table of deletion keys (one typo), whose candidates are walked in
rank order until `limit` nodes are found.

Ranking: exact, then prefix, then word, then typo matches; within a tier more papers first,
then the shorter name, then the label. Names are numbered in that order once (their rank), so
every posting list, sorted by rank, is already a tier's order and a query reads only its head.

The index is parallel arrays, not an object a name or a word, to keep the archive's
million names in memory cheaply: per name its folded form, node and matched text; per node its
kind, id, label and paper count; per word a slice of one flat array of ranks; per typo key a
64-bit integer (a hash of the key and the word's number) in one sorted array.
"""

from __future__ import annotations

import csv
import heapq
import io
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from urllib.parse import unquote

import pyoxigraph as ox

from kg.vocab import PREFIXES, lookup_key

KINDS = ("paper", "author", "concept", "category")
SORT_AT_MOST = 20_000  # candidates sorted at once; above, names are walked in rank order
MERGE_AT_MOST = 16  # posting lists merged lazily in rank order; above, unioned then sorted
TYPO_MIN = 4  # query words this long may be one edit from a word of a name
# The characters a typo may insert or substitute: the most frequent ones in the words of names,
# up to this share of all their characters (on June 29 days, 45 characters: a-z, digits and
# the commonest accented letters) and at most this many.
ALPHABET_SHARE = 0.9995
ALPHABET_MAX = 64

_WORD = re.compile(r"\w+")
# A pasted or typed arXiv id, with its version, an "arXiv:" prefix or its abstract's address.
_ARXIV_ID = re.compile(r"(?:https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/|arxiv:)?\s*"
                       r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z-]+)?/\d{7})(?:v\d*)?(?:\.pdf)?")
_ARXIV_PREFIX = re.compile(r"(?:https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/|arxiv:)\s*")
_LAST = chr(0x10FFFF)
_WORDED = 1  # a name's flag: its words are in the word index (an id's are not)


@dataclass(frozen=True, slots=True)
class Hit:
    """One node found: what the result list shows and links to."""

    kind: str  # "paper", "author", "concept" or "category"
    id: str  # what its explorer page takes: arXiv id, name, concept key, category code
    label: str  # the title, name, preferred label or "code: name"
    matched: str  # the name, alias, title or id the query matched
    papers: int  # 1 for a paper; an author's, concept's or category's paper count


def _after(prefix: str) -> str:
    """The least string greater than every string starting with `prefix`."""
    last = ord(prefix[-1])
    return prefix[:-1] + chr(last + 1) if last < 0x10FFFF else prefix + _LAST


def normalise_query(query: str) -> str:
    """The folded query, an arXiv id in any written form as the bare id (the name a paper is
    indexed by): "arXiv:2606.01145v2" is "2606.01145"."""
    folded = lookup_key(query)
    if whole := _ARXIV_ID.fullmatch(folded):
        return whole[1]
    if (prefix := _ARXIV_PREFIX.match(folded)) and prefix.end() < len(folded):
        return folded[prefix.end():]  # an id still being typed: "arxiv:2606.0"
    return folded


class _Matcher:
    """What one query word accepts of a name's words: some words (itself, or those one typo
    away), or any word starting with it (the last word, still being typed)."""

    __slots__ = ("lists", "ordered", "prefix", "size", "words")

    def __init__(self, words: set[str], prefix: str | None, lists: list[tuple[int, int]],
                 size: int, ordered: bool) -> None:
        self.words = words
        self.prefix = prefix
        self.lists = lists  # slices of the flat posting array holding its candidates
        self.size = size  # their length: how many names it can give, at most
        self.ordered = ordered  # each slice ascending (one word's), so they can be merged

    def accepts(self, tokens: set[str]) -> bool:
        if not self.words.isdisjoint(tokens):
            return True
        prefix = self.prefix
        return prefix is not None and any(t.startswith(prefix) for t in tokens)


class SearchIndex:
    """Every searchable name of a build, ranked once, with the structures that find a query's
    matches without a scan: see the module docstring."""

    def __init__(self, kinds: bytearray, ids: list[str], labels: list[str], papers: array,
                 names: list[tuple[str, int, str, bool]]) -> None:
        """Index `names` (folded name, node, matched text, whether its words are indexed) of
        nodes given as parallel lists (kind as an index of KINDS, id, label, papers)."""
        self._kinds = kinds
        self._ids = ids
        self._labels = labels
        self._papers = papers
        sort_label = [label.casefold() for label in labels]
        names.sort(key=lambda n: (-papers[n[1]], len(n[0]), sort_label[n[1]], n[0], n[1]))
        # By rank: the folded name, its node, the text it shows as matched, its flags.
        self._folded: list[str] = [n[0] for n in names]
        self._node = array("i", (n[1] for n in names))
        self._matched: list[str] = [n[2] for n in names]
        self._flags = bytearray(_WORDED if n[3] else 0 for n in names)
        names.clear()  # the tuples are held until the index is built otherwise
        # The ranks of each kind's names, ascending: a walk restricted to some kinds.
        by_kind: list[array] = [array("i") for _ in KINDS]
        for rank, node in enumerate(self._node):
            by_kind[kinds[node]].append(rank)
        self._by_kind = by_kind
        # Prefix search: the folded names sorted, and each one's rank.
        order = sorted(range(len(self._folded)), key=self._folded.__getitem__)
        self._sorted: list[str] = [self._folded[r] for r in order]
        self._sorted_rank = array("i", order)
        del order
        self._index_words()

    def _index_words(self) -> None:
        """The inverted word index (each word's ranks, ascending, as a slice of one array), the
        set of words and the letters a typo is tried with."""
        postings: dict[str, list[int]] = {}
        for rank, folded in enumerate(self._folded):
            if self._flags[rank] & _WORDED:
                for word in set(_WORD.findall(folded)):
                    found = postings.get(word)
                    if found is None:
                        postings[word] = [rank]
                    else:
                        found.append(rank)
        self._words: list[str] = sorted(postings)
        self._ranks = array("i")
        self._starts = array("i", [0])
        for word in self._words:
            self._ranks.extend(postings[word])
            self._starts.append(len(self._ranks))
        del postings
        # One typo: the strings one edit from a query word that are words of names. Edits
        # insert or substitute the characters of most words' letters (the query word's own
        # too): a table of every word's deletions instead costs seconds to build on the archive.
        self._vocabulary = frozenset(self._words)
        counts = Counter("".join(self._words)).most_common()
        total, covered, letters = sum(n for _, n in counts), 0, []
        for letter, n in counts[:ALPHABET_MAX]:
            if covered >= ALPHABET_SHARE * total:
                break
            letters.append(letter)
            covered += n
        self._alphabet = "".join(letters)

    @classmethod
    def from_store(cls, store: ox.Store) -> SearchIndex:
        """The index of a build's store: one SELECT a kind of node."""
        return _read(store)

    def __len__(self) -> int:
        return len(self._folded)

    def names(self) -> Iterator[Hit]:
        """Every searchable name, best ranked first, as the hit it gives (`matched` the name)."""
        return (self._hit(rank) for rank in range(len(self._folded)))

    def _hit(self, rank: int) -> Hit:
        node = self._node[rank]
        return Hit(KINDS[self._kinds[node]], self._ids[node], self._labels[node],
                   self._matched[rank], self._papers[node])

    def search(self, query: str, limit: int = 10,
               kinds: Collection[str] | None = None) -> list[Hit]:
        """The best `limit` nodes for `query` (of `kinds`, or every kind), one hit a node:
        exact, then prefix, then word, then one-typo matches of its names."""
        if kinds is not None and (unknown := set(kinds) - set(KINDS)):
            raise ValueError(f"unknown kinds {sorted(unknown)}: use some of {KINDS}")
        allowed = bytes(kinds is None or kind in kinds for kind in KINDS)
        folded = normalise_query(query)
        if limit <= 0 or not folded or not any(allowed):
            return []
        words = _WORD.findall(folded)
        typing = bool(_WORD.fullmatch(query[-1]))  # the last word may not be whole yet
        seen: set[int] = set()
        hits: list[Hit] = []
        for rank in chain(self._exact(folded), self._prefixed(folded, allowed),
                          self._worded(words, typing, allowed, seen, typo=False),
                          self._worded(words, typing, allowed, seen, typo=True)):
            node = self._node[rank]
            if node in seen or not allowed[self._kinds[node]]:
                continue
            seen.add(node)
            hits.append(self._hit(rank))
            if len(hits) == limit:
                break
        return hits

    def _exact(self, folded: str) -> list[int]:
        start = bisect_left(self._sorted, folded)
        return sorted(self._sorted_rank[start:bisect_right(self._sorted, folded, start)])

    def _prefixed(self, prefix: str, allowed: bytes) -> Iterator[int]:
        """The ranks of the names starting with `prefix`, ascending: the range's ranks sorted
        when few, else every name walked in rank order (a short walk: the range is large)."""
        start = bisect_left(self._sorted, prefix)
        end = bisect_left(self._sorted, _after(prefix), start)
        if end - start <= SORT_AT_MOST:
            yield from sorted(self._sorted_rank[start:end])
            return
        folded = self._folded
        for rank in self._walk(allowed):
            if folded[rank].startswith(prefix):
                yield rank

    def _walk(self, allowed: bytes) -> Iterable[int]:
        """Every rank of the allowed kinds, ascending."""
        if all(allowed):
            return range(len(self._folded))
        chosen = [self._by_kind[i] for i, ok in enumerate(allowed) if ok]
        return chosen[0] if len(chosen) == 1 else heapq.merge(*chosen)

    def _worded(self, words: list[str], typing: bool, allowed: bytes, seen: set[int], *,
                typo: bool) -> Iterator[int]:
        """The ranks, ascending, of the names that have each query word as a word (the last
        one as the start of a word while `typing`), or with `typo` one edit from one (words
        of at least TYPO_MIN characters). Candidates come from the query word that allows
        the fewest names; the others are checked on the candidate's words."""
        if not words or (typo and all(len(w) < TYPO_MIN for w in words)):
            return
        matchers = [self._matcher(w, typing and i == len(words) - 1,
                                  typo and len(w) >= TYPO_MIN) for i, w in enumerate(words)]
        driver = min(matchers, key=lambda m: m.size)
        if driver.size == 0:
            return
        others = [m for m in matchers if m is not driver]
        if driver.ordered and len(driver.lists) == 1:
            start, end = driver.lists[0]
            candidates: Iterable[int] = self._ranks[start:end]
        elif driver.ordered and len(driver.lists) <= MERGE_AT_MOST:
            candidates = heapq.merge(*(self._ranks[s:e] for s, e in driver.lists))
        elif driver.size <= SORT_AT_MOST:
            candidates = sorted(set(chain.from_iterable(self._ranks[s:e]
                                                        for s, e in driver.lists)))
        else:
            candidates, others = self._walk(allowed), matchers
        folded, nodes, kinds, flags = self._folded, self._node, self._kinds, self._flags
        for rank in candidates:
            node = nodes[rank]
            if node in seen or not allowed[kinds[node]] or not flags[rank] & _WORDED:
                continue
            if others:
                tokens = set(_WORD.findall(folded[rank]))
                if not all(m.accepts(tokens) for m in others):
                    continue
            yield rank

    def _matcher(self, word: str, prefix: bool, typo: bool) -> _Matcher:
        """What `word` accepts, and where its candidates are in the posting array."""
        accepted = self._typos(word) if typo else {word}
        starts = self._starts
        numbers = [n for w in accepted if not (prefix and w.startswith(word))
                   and (n := self._number(w)) >= 0]
        lists = [(starts[n], starts[n + 1]) for n in numbers]
        ordered = True  # each slice is one word's ranks, ascending
        if prefix:
            first = bisect_left(self._words, word)
            last = bisect_left(self._words, _after(word), first)
            if last - first <= MERGE_AT_MOST:
                lists.extend((starts[n], starts[n + 1]) for n in range(first, last))
            else:  # the words are in order, so their ranks are one slice (not in order)
                lists.append((starts[first], starts[last]))
                ordered = False
        size = sum(end - start for start, end in lists)
        return _Matcher(accepted, word if prefix else None, lists, size, ordered)

    def _number(self, word: str) -> int:
        """The word's number in the vocabulary, or -1 when no name has it."""
        number = bisect_left(self._words, word)
        return number if number < len(self._words) and self._words[number] == word else -1

    def _typos(self, word: str) -> set[str]:
        """The words of names one edit from `word` (itself included, when it is one)."""
        if word.isdigit():  # another number is no typo
            return {word} & self._vocabulary
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        letters = self._alphabet + "".join(set(word).difference(self._alphabet))
        edits = {word}
        edits.update(head + tail[1:] for head, tail in splits if tail)
        edits.update(head + tail[1] + tail[0] + tail[2:] for head, tail in splits
                     if len(tail) > 1)
        edits.update(head + c + tail[1:] for head, tail in splits if tail for c in letters)
        edits.update(head + c + tail for head, tail in splits for c in letters)
        return edits & self._vocabulary


def _table(store: ox.Store, query: str) -> Iterator[list[str]]:
    """A SELECT's rows as text: IRIs and lexical forms, "" when unbound. Serialised as CSV by
    pyoxigraph in one call, which is faster than reading the terms one by one."""
    solutions = store.query(query, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    data = solutions.serialize(format=ox.QueryResultsFormat.CSV)
    assert isinstance(data, bytes)
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    next(rows, None)  # the variables
    return rows


def _pairs(store: ox.Store, predicate: str, subjects: Collection[str]) -> dict[str, str]:
    """The first object of `predicate` (a prefixed name) of each of `subjects`. One pattern
    and a Python join: on June, joining the type in SPARQL doubled the read."""
    found: dict[str, str] = {}
    for subject, value in _table(store, f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}"):
        if subject in subjects and subject not in found:
            found[subject] = value
    return found


def _typed(store: ox.Store, kind: str) -> set[str]:
    return {row[0] for row in _table(store, f"SELECT ?s WHERE {{ ?s a {kind} }}")}


def _counts(store: ox.Store, predicate: str) -> dict[str, int]:
    """How many subjects have each object of `predicate`: an author's or category's papers."""
    query = f"SELECT ?o (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s {predicate} ?o }} GROUP BY ?o"
    return {node: int(n) for node, n in _table(store, query)}


def _folded(text: str) -> str:
    """`lookup_key(text)`, the very string when folding leaves it as it is (less memory)."""
    folded = lookup_key(text)
    return text if folded == text else folded


def _read(store: ox.Store) -> SearchIndex:
    """Read every searchable node of `store` and index its names."""
    kinds = bytearray()
    ids: list[str] = []
    labels: list[str] = []
    papers = array("i")
    names: list[tuple[str, int, str, bool]] = []

    def add(kind: int, node_id: str, label: str, count: int) -> int:
        kinds.append(kind)
        ids.append(node_id)
        labels.append(label)
        papers.append(count)
        return len(ids) - 1

    paper_iris = _typed(store, "kg:Paper")
    titles = _pairs(store, "dcterms:title", paper_iris)
    arxiv_ids = _pairs(store, "kg:arxivId", paper_iris)
    identifiers = _pairs(store, "dcterms:identifier", paper_iris)
    for iri in sorted(paper_iris):
        paper_id = arxiv_ids.get(iri) or identifiers.get(iri)
        if paper_id is None:  # no page to link to
            continue
        title = titles.get(iri)
        node = add(0, paper_id, title or paper_id, 1)
        if title:
            names.append((_folded(title), node, title, True))
        names.append((_folded(paper_id), node, paper_id, False))
    del paper_iris, titles, arxiv_ids, identifiers

    persons = _pairs(store, "foaf:name", _typed(store, "foaf:Person"))
    written = _counts(store, "dcterms:creator")
    for iri, person in sorted(persons.items()):
        node = add(1, person, person, written.get(iri, 0))
        names.append((_folded(person), node, person, True))
    del persons, written

    concept_iris = _typed(store, "kg:Concept")
    category_iris = _typed(store, "kg:Category")
    preferred = _pairs(store, "skos:prefLabel", concept_iris | category_iris)
    mentioned = _pairs(store, "kg:paperCount", concept_iris)
    concepts: dict[str, int] = {}
    kept: set[tuple[str, int]] = set()  # a concept's folded names
    for iri in sorted(concept_iris):
        if (label := preferred.get(iri)) is not None:
            key = unquote(iri.rsplit("/", 1)[-1])
            concepts[iri] = node = add(2, key, label, int(mentioned.get(iri) or 0))
            names.append((folded := _folded(label), node, label, True))
            kept.add((folded, node))
    aliases = _table(store, "SELECT ?s ?o WHERE { ?s skos:altLabel ?o }")
    for iri, alias in sorted(row for row in aliases if row[0] in concepts):
        node = concepts[iri]
        if (folded := _folded(alias), node) not in kept:  # not a label that folds alike
            kept.add((folded, node))
            names.append((folded, node, alias, True))
    del concept_iris, mentioned, concepts, kept

    codes = _pairs(store, "skos:notation", category_iris)
    filed = _counts(store, "dcterms:subject")
    for iri in sorted(category_iris):
        code, name = codes.get(iri), preferred.get(iri)
        if code is None or not filed.get(iri):  # only the categories that have papers
            continue
        node = add(3, code, f"{code}: {name}" if name else code, filed[iri])
        names.append((_folded(code), node, code, True))
        if name and lookup_key(name) != lookup_key(code):
            names.append((_folded(name), node, name, True))
    return SearchIndex(kinds, ids, labels, papers, names)
