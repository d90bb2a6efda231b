"""The explorer's search box: every node of a build (papers by title and arXiv id, authors,
concepts by label and alias, categories by code and name) in an index held in memory, which
suggests as you type.

Not SPARQL: a suggestion is asked at every keystroke, and a CONTAINS or REGEX filter over a
million names is a scan of them all each time. Here a query bisects the sorted names (exact and
prefix matches) and reads the posting lists of an inverted word index (word matches; with one
typo, the lists of the words one edit from a query word, found by trying its edits against the
set of words), taking candidates in rank order until `limit` nodes are found.

Ranking: exact, then prefix, then word, then typo matches; within a tier more papers first,
then the shorter name, then the label. Names are numbered in that order once (their rank), so
that a posting list, kept in rank order, is already ordered for every tier, and a query reads
only its head. A large set of candidates (the names starting with "a") is not sorted: the
names are walked in rank order first, a bounded walk, since its best few come early.

Compact for the archive's million names: parallel lists and arrays, not an object a name or a
word. Per name its folded form, node, matched text (the label's own string when it is the
label) and whether its words are indexed; per node its kind, id, label and paper count; per
word a slice of one flat array of ranks. Searching only reads them, from any thread. On the
archive (766,200 names) the index keeps about 170 MiB and a query takes milliseconds; reading
the store is most of its build (see `_read`).
"""

from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from urllib.parse import unquote

import pyoxigraph as ox

from kg import tsv
from kg.vocab import lookup_key

KINDS = ("paper", "author", "concept", "category")
SORT_AT_MOST = 20_000  # candidates sorted at once; above, names are walked first
MERGE_AT_MOST = 16  # posting lists merged lazily in rank order; above, unioned then sorted
TYPO_MIN = 4  # query words this long may be one edit from a word of a name
TYPO_MAX = 40  # and no longer (the edits of a word are about 100 times its length)
WALK_AT_MOST = 20_000  # names walked in rank order for a large set of candidates
# The other query words' names are checked as sets of ranks, the smallest first, while they
# hold at most this many times as many names as the word that gives the candidates, plus
# SET_MIN (building them costs less than reading the words of every candidate); the rest on
# the candidate's words.
SET_FACTOR = 20
SET_MIN = 1_000
# The characters a typo may insert or substitute: the most frequent ones in the words of names,
# up to this share of all their characters and at most this many (on the archive, 57: a-z, the
# digits, the commonest accented letters and "_").
ALPHABET_SHARE = 0.9995
ALPHABET_MAX = 64

_WORD = re.compile(r"\w+")
# A pasted or typed arXiv id, with its version, an "arXiv:" prefix or its abstract's address.
_ARXIV_ID = re.compile(r"(?:https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/|arxiv:)?\s*"
                       r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z-]+)?/\d{7})(?:v\d*)?(?:\.pdf)?")
_ARXIV_PREFIX = re.compile(r"(?:https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/|arxiv:)\s*")
_LAST = chr(0x10FFFF)


@dataclass(frozen=True, slots=True)
class Hit:
    """One node found: what the result list shows and links to."""

    kind: str  # "paper", "author", "concept" or "category"
    id: str  # what its explorer page takes: arXiv id, name, concept key, category code
    label: str  # the title, name, preferred label or "code: name"
    matched: str  # the name, alias, title or id the query matched
    papers: int  # 1 for a paper; an author's, concept's or category's paper count


def _starting(ordered: list[str], prefix: str) -> tuple[int, int]:
    """Where the strings starting with `prefix` are in the sorted list `ordered`."""
    start = bisect_left(ordered, prefix)
    stem = prefix.rstrip(_LAST)  # the least string after them all: the stem's last letter + 1
    if not stem:
        return start, len(ordered)
    return start, bisect_left(ordered, stem[:-1] + chr(ord(stem[-1]) + 1), start)


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


class _Names:
    """The nodes and names read from a store, as parallel lists, before they are ranked."""

    def __init__(self) -> None:
        self.kinds = bytearray()  # a node's kind, as its index in KINDS
        self.ids: list[str] = []
        self.labels: list[str] = []
        self.papers = array("i")
        self.sort_labels: list[str] = []  # a node's label folded, for the ranking
        self.folded: list[str] = []  # a name folded, what a query is compared with
        self.nodes = array("i")  # a name's node
        self.matched: list[str] = []  # a name as written
        self.worded = bytearray()  # whether a name's words are indexed (an id's are not)

    def node(self, kind: int, node_id: str, label: str, papers: int, sort_label: str) -> int:
        self.kinds.append(kind)
        self.ids.append(node_id)
        self.labels.append(label)
        self.papers.append(papers)
        self.sort_labels.append(sort_label)
        return len(self.ids) - 1

    def name(self, node: int, text: str, folded: str, worded: bool = True) -> None:
        self.folded.append(folded)
        self.nodes.append(node)
        self.matched.append(text)
        self.worded.append(worded)


class SearchIndex:
    """Every searchable name of a build, ranked once, with the structures that find a query's
    matches without a scan: see the module docstring."""

    def __init__(self, read: _Names) -> None:
        """Rank and index what `_read` found (its lists are emptied)."""
        self._kinds, self._ids, self._labels, self._papers = (read.kinds, read.ids, read.labels,
                                                              read.papers)
        folded, nodes, papers = read.folded, read.nodes, read.papers
        # Names sorted, for prefix search; then ranked: more papers, shorter name, label (the
        # position of the node's label among all labels), the sort above breaking ties.
        by_name = sorted(range(len(folded)), key=folded.__getitem__)
        label_rank = array("i", bytes(4 * len(read.labels)))
        for position, node in enumerate(sorted(range(len(read.labels)),
                                               key=read.sort_labels.__getitem__)):
            label_rank[node] = position
        read.sort_labels.clear()
        most = max(papers, default=0)
        by_node = [(most - n) << 52 | position
                   for n, position in zip(papers, label_rank, strict=True)]
        keys = [by_node[node] | min(len(name), 0xFFFFF) << 32
                for node, name in zip(nodes, folded, strict=True)]
        del by_node, label_rank
        order = sorted(by_name, key=keys.__getitem__)
        del keys
        rank_of = array("i", bytes(4 * len(order)))
        for rank, i in enumerate(order):
            rank_of[i] = rank
        self._sorted: list[str] = [folded[i] for i in by_name]
        self._sorted_rank = array("i", map(rank_of.__getitem__, by_name))
        del by_name, rank_of
        # By rank: the folded name, its node, the text it shows as matched, whether its words
        # are indexed.
        self._folded: list[str] = [folded[i] for i in order]
        self._node = array("i", map(nodes.__getitem__, order))
        self._matched: list[str] = [read.matched[i] for i in order]
        self._worded = bytearray(map(read.worded.__getitem__, order))
        del order
        read.folded.clear()
        read.matched.clear()
        # The ranks of each kind's names, ascending: a walk restricted to some kinds.
        self._by_kind: list[array] = [array("i") for _ in KINDS]
        for rank, node in enumerate(self._node):
            self._by_kind[self._kinds[node]].append(rank)
        self._index_words()

    def _index_words(self) -> None:
        """The inverted word index (each word's ranks, ascending, as a slice of one array), the
        set of words and the letters a typo is tried with."""
        postings: defaultdict[str, list[int]] = defaultdict(list)
        worded = self._worded
        for rank, folded in enumerate(self._folded):
            if worded[rank]:
                for word in set(_WORD.findall(folded)):
                    postings[word].append(rank)
        self._words: list[str] = sorted(postings)
        self._ranks = array("i")
        self._starts = array("i", [0])
        for word in self._words:
            self._ranks.extend(postings.pop(word))
            self._starts.append(len(self._ranks))
        # One typo: the strings one edit from a query word that are words of names. Edits
        # insert or substitute the letters most words are made of (and the query word's own):
        # a table of every word's deletions would cost seconds more to build on the archive.
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
        """The index of a build's store (see `_read` for what it reads)."""
        return cls(_read(store))

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
        # "clip " (a space typed) starts "clip model", not "clipping"
        prefix = f"{folded} " if query[-1].isspace() else folded
        seen: set[int] = set()
        hits: list[Hit] = []
        for rank in chain(self._exact(folded), self._prefixed(prefix, allowed),
                          self._by_words(words, typing, allowed, seen, typo=False),
                          self._by_words(words, typing, allowed, seen, typo=True)):
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
        """The ranks of the names starting with `prefix`, ascending."""
        start, end = _starting(self._sorted, prefix)
        folded = self._folded
        return self._in_rank_order(lambda: self._sorted_rank[start:end], end - start,
                                   lambda rank: folded[rank].startswith(prefix), allowed)

    def _in_rank_order(self, candidates: Callable[[], Iterable[int]], size: int,
                       test: Callable[[int], bool], allowed: bytes) -> Iterator[int]:
        """The ranks `candidates()` gives (`size` of them, duplicates allowed), ascending.
        Sorting them all costs their number, so when they are many the names are first walked
        in rank order (of the `allowed` kinds) and `test`ed, as they likely hold the first few
        asked: for at most WALK_AT_MOST steps, as many may be ranked low (arXiv ids)."""
        last = -1  # the last rank walked
        if size > SORT_AT_MOST:
            for steps, rank in enumerate(self._walk(allowed)):
                if steps == WALK_AT_MOST:
                    break
                if test(rank):
                    yield rank
                last = rank
            else:
                return
        ranks = sorted(candidates())
        yield from islice(ranks, bisect_right(ranks, last), None)

    def _walk(self, allowed: bytes) -> Iterable[int]:
        """Every rank of the allowed kinds, ascending."""
        if all(allowed):
            return range(len(self._folded))
        chosen = [self._by_kind[i] for i, ok in enumerate(allowed) if ok]
        return chosen[0] if len(chosen) == 1 else heapq.merge(*chosen)

    def _by_words(self, words: list[str], typing: bool, allowed: bytes, seen: set[int], *,
                  typo: bool) -> Iterator[int]:
        """The ranks, ascending, of the names that have each query word as a word (the last
        one as the start of a word while `typing`), or with `typo` one edit from one (words
        of at least TYPO_MIN characters). Candidates come from the query word that allows
        the fewest names; the others are checked against the set of the names they allow
        when it is not too large to build, else on the candidate's words."""
        if not words or (typo and not any(TYPO_MIN <= len(w) <= TYPO_MAX for w in words)):
            return
        matchers = [self._matcher(w, typing and i == len(words) - 1,
                                  typo and TYPO_MIN <= len(w) <= TYPO_MAX)
                    for i, w in enumerate(words)]
        driver = min(matchers, key=lambda m: m.size)
        if driver.size == 0:
            return
        folded, nodes, kinds, worded, ranks = (self._folded, self._node, self._kinds,
                                               self._worded, self._ranks)
        others, allowing = [], []
        budget = SET_FACTOR * driver.size + SET_MIN  # ranks put in sets, at most
        for matcher in sorted(matchers, key=lambda m: m.size):
            if matcher is driver:
                continue
            if matcher.size <= budget:
                budget -= matcher.size
                allowing.append(set(chain.from_iterable(ranks[s:e] for s, e in matcher.lists)))
            else:
                others.append(matcher)
        if driver.ordered and len(driver.lists) == 1:
            start, end = driver.lists[0]
            candidates: Iterable[int] = ranks[start:end]
        elif driver.ordered and len(driver.lists) <= MERGE_AT_MOST:
            candidates = heapq.merge(*(ranks[s:e] for s, e in driver.lists))
        else:
            def test(rank: int) -> bool:
                return bool(worded[rank]) and driver.accepts(set(_WORD.findall(folded[rank])))

            candidates = self._in_rank_order(
                lambda: chain.from_iterable(ranks[s:e] for s, e in driver.lists), driver.size,
                test, allowed)
        for rank in candidates:
            node = nodes[rank]
            if node in seen or not allowed[kinds[node]] or not worded[rank]:
                continue
            if not all(rank in names for names in allowing):
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
            first, last = _starting(self._words, word)
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


def _objects(store: ox.Store, predicate: str, subjects: dict[str, int]) -> list[str | None]:
    """An object of `predicate` (a prefixed name) for each of `subjects` (IRIs in <>), in
    their order. One triple pattern and a join in Python: joining in SPARQL doubled the read
    on June."""
    query = f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}"
    found = dict(line.split("\t", 1) for line in tsv.lines(store, query))
    return [None if (term := found.get(subject)) is None else tsv.value(term)
            for subject in subjects]


def _typed(store: ox.Store, kind: str) -> dict[str, int]:
    """The nodes of a class (a prefixed name), numbered, by IRI in <> (as `tsv.lines` has
    them)."""
    query = f"SELECT ?s WHERE {{ ?s a {kind} }}"
    return {iri: i for i, iri in enumerate(tsv.lines(store, query))}


def _counts(store: ox.Store, predicate: str, subjects: dict[str, int]) -> list[int]:
    """For each of `subjects`, how many nodes have it as object of `predicate`."""
    query = f"SELECT ?o (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s {predicate} ?o }} GROUP BY ?o"
    counts = [0] * len(subjects)
    for line in tsv.lines(store, query):
        subject, _, n = line.partition("\t")
        if (i := subjects.get(subject)) is not None:
            counts[i] = int(tsv.value(n))
    return counts


def _fold(text: str) -> str:
    """`lookup_key(text)`: the text itself when folding keeps it (one string, not two)."""
    folded = lookup_key(text)
    return text if folded == text else folded


def _read(store: ox.Store) -> _Names:
    """Every searchable node of `store` and its names. One kind at a time, one property at a
    time: IRIs, held only while their kind is read, are the largest transient cost."""
    read = _Names()
    papers = _typed(store, "kg:Paper")
    titles = _objects(store, "dcterms:title", papers)
    arxiv_ids = _objects(store, "kg:arxivId", papers)
    identifiers = _objects(store, "dcterms:identifier", papers)
    paper_ids = [arxiv or other for arxiv, other in zip(arxiv_ids, identifiers, strict=True)]
    for title, paper_id in zip(titles, paper_ids, strict=True):
        if paper_id:  # else no page to link to
            folded = _fold(title or paper_id)
            node = read.node(0, paper_id, title or paper_id, 1, folded)
            if title:
                read.name(node, title, folded)
            read.name(node, paper_id, _fold(paper_id), worded=False)
    del papers, titles, arxiv_ids, identifiers, paper_ids

    persons = _typed(store, "foaf:Person")
    written = _counts(store, "dcterms:creator", persons)
    for name, count in zip(_objects(store, "foaf:name", persons), written, strict=True):
        if name:
            folded = _fold(name)
            read.name(read.node(1, name, name, count, folded), name, folded)
    del persons, written

    concepts = _typed(store, "kg:Concept")
    labels = _objects(store, "skos:prefLabel", concepts)
    counts = _objects(store, "kg:paperCount", concepts)
    aliases: dict[int, list[str]] = {}
    for line in tsv.lines(store, "SELECT ?s ?o WHERE { ?s skos:altLabel ?o }"):
        subject, _, alias = line.partition("\t")
        if (number := concepts.get(subject)) is not None:
            aliases.setdefault(number, []).append(tsv.value(alias))
    for (iri, i), label, mentioned in zip(concepts.items(), labels, counts, strict=True):
        if label is not None:
            key = unquote(iri[1:-1].rsplit("/", 1)[-1])
            folded = _fold(label)
            node = read.node(2, key, label, int(mentioned or 0), folded)
            read.name(node, label, folded)
            if i in aliases:
                kept = {folded}
                for alias in aliases[i]:
                    if (folded := _fold(alias)) not in kept:  # else already a name of it
                        kept.add(folded)
                        read.name(node, alias, folded)
    del concepts, labels, counts, aliases

    categories = _typed(store, "kg:Category")
    codes = _objects(store, "skos:notation", categories)
    names = _objects(store, "skos:prefLabel", categories)
    filed = _counts(store, "dcterms:subject", categories)
    for code, name, count in zip(codes, names, filed, strict=True):
        if code and count:  # only the categories that have papers
            label = f"{code}: {name}" if name else code
            node = read.node(3, code, label, count, lookup_key(label))
            read.name(node, code, folded := _fold(code))
            if name and (other := _fold(name)) != folded:
                read.name(node, name, other)
    return read
