"""What each explorer page shows, read from a build's store by the templated SPARQL of
`queries/` (one file a section of a page, as Scholia does), with `?node` bound to the page's
node as a term pyoxigraph checked and serialised (never text from the address).

`Explorer(store).paper("2606.01145")` and its siblings return a page's data as plain dicts
and lists (the rows named by the queries' variables), or None when the build has no such
node; `kg.explore.render` turns them into HTML.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from kg.draw import association_strength
from kg.query import python_value
from kg.sources.boundary import BadEntry
from kg.sources.common import parse_arxiv_id
from kg.vocab import KG, PREFIXES, Iris, slug

Row = dict[str, Any]
PAGE_SIZE = 50  # papers a page of a concept lists
CO_OCCURRING = 20  # concepts a concept page lists by association strength
SAMPLE = 2000  # a concept or category with more papers counts its associations and authors
# in its newest days' SAMPLE (the archive's "large language model" has 21,653: 18 s for all)
SPREAD = 10  # `Explorer.sample` reads the papers of the newest days when they are at most
# SPREAD times SAMPLE, else joins every paper's day (0.5 s and 0.23 s for "large language
# model" in cs.CV on the archive, whose 2,000 newest are among the 38,264 of 208 days)
RISING = 15
TOP = 30  # concepts a category page lists as its most named (LIMIT of category-top.rq)
NEW_CONCEPTS = 60  # a day page lists this many of the concepts first seen that day
WEEK = 7  # days: "rising" compares the last week of a category with the weeks before
RISING_WEEKS = 4  # ... the four weeks before
TAXONOMY_SCHEME = "scheme/arxiv-taxonomy"  # under the build's base: how the base is found
CONCEPT_TYPES = ("method", "task", "dataset", "metric", "artifact")
_PREF_LABEL = ox.NamedNode(PREFIXES["skos"] + "prefLabel")
_MENTIONS = ox.NamedNode(KG + "mentions")
_DIGEST_DATE = ox.NamedNode(KG + "digestDate")
_CONCEPT_TYPES = {f"{KG}{t.capitalize()}": t for t in CONCEPT_TYPES}


@dataclass(frozen=True, slots=True)
class PaperFilter:
    """Which papers a page's lists count: those of a category, and of days from `since` to
    `until` (inclusive, YYYY-MM-DD), when given. What is not a date is dropped."""

    category: str | None = None
    since: str | None = None
    until: str | None = None
    concept_type: str | None = None  # of the concepts a list counts: method, task, ...

    def checked(self) -> PaperFilter:
        kind = self.concept_type if self.concept_type in CONCEPT_TYPES else None
        return PaperFilter(self.category or None, iso_day(self.since), iso_day(self.until), kind)

    def __bool__(self) -> bool:
        return bool(self.category or self.since or self.until or self.concept_type)

    def of_type(self) -> PaperFilter:
        """Only the concept type: for a query whose papers were kept by the rest already."""
        return PaperFilter(concept_type=self.concept_type)

    def concept_clause(self) -> str:
        return f"?concept a kg:{self.concept_type.capitalize()} ." if self.concept_type else ""

    def clauses(self, iris: Iris, day: str | None = None) -> str:
        """SPARQL about `?paper` that keeps the papers this filter keeps; every value written
        as a term pyoxigraph serialised. `day`: a variable the query binds to the paper's
        digest day already (`#FILTER ?date` in a query), which the window then tests."""
        lines = []
        if self.category:
            lines.append(f"?paper dcterms:subject {ox.NamedNode(iris.category(self.category))} .")
        if (self.since or self.until) and day is None:
            day = "?filtered_day"
            lines.append(f"?paper kg:digestDate {day} .")
        if self.since:
            lines.append(f"FILTER({day} >= {_day(self.since)})")
        if self.until:
            lines.append(f"FILTER({day} <= {_day(self.until)})")
        return "\n  ".join(lines)


def iso_day(text: str | None) -> str | None:
    """A YYYY-MM-DD day, or None for anything that is not one."""
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


@cache
def _query(name: str) -> str:
    return resources.files("kg.explore").joinpath(f"queries/{name}.rq").read_text("utf-8")


def _bind(text: str, terms: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """`text` with each `?name` of `terms` written as that term, serialised by pyoxigraph (a
    checked IRI, an escaped literal): a constant the query planner starts from. pyoxigraph's
    `substitutions` bind only the variables a SELECT projects."""
    if not terms:
        return text
    return re.sub(r"\?(\w+)\b", lambda m: str(terms[m[1]]) if m[1] in terms else m[0], text)


def local_key(iri: str) -> str:
    """The last segment of an IRI, decoded: a concept's key as its page takes it."""
    return unquote(iri.rsplit("/", 1)[-1])


def sentence_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The sentence holding `text[start:end]`, as (before, the span, after)."""
    begin, finish = 0, len(text)
    for boundary in _SENTENCE_END.finditer(text):
        if boundary.end() <= start:
            begin = boundary.end()
        elif boundary.start() >= end:
            finish = boundary.start()
            break
    return text[begin:start], text[start:end], text[end:finish]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])")


def weekly(days: list[Row]) -> list[tuple[str, int]]:
    """Counts by day (`date`, `papers`) summed by ISO week, named by its Monday; weeks with
    none between the first and last are kept as zeros, so that a chart's gaps are true.

    >>> weekly([{"date": "2026-06-03", "papers": 2}, {"date": "2026-06-17", "papers": 1}])
    [('2026-06-01', 2), ('2026-06-08', 0), ('2026-06-15', 1)]
    """
    counts: Counter[date] = Counter()
    for row in days:
        day = date.fromisoformat(row["date"])
        counts[day - timedelta(days=day.weekday())] += row["papers"]
    if not counts:
        return []
    weeks, monday = [], min(counts)
    while monday <= max(counts):
        weeks.append((monday.isoformat(), counts[monday]))
        monday += timedelta(days=7)
    return weeks


def rising(counted: list[Row], recent_papers: int, earlier_papers: int) -> list[Row]:
    """Concepts named by a larger share of a category's papers in its last week than in the
    RISING_WEEKS before, most risen first: `counted` rows (`concept`, `label`, `recent` and
    `earlier`: the papers of the week and of the weeks before naming it), out of
    `recent_papers` and `earlier_papers`. Shares are smoothed by half a paper, so that a
    concept new this week ranks by how many papers name it.

    >>> rows = [{"concept": "c/a", "label": "a", "recent": 4, "earlier": 0},
    ...         {"concept": "c/b", "label": "b", "recent": 2, "earlier": 30}]
    >>> [r["key"] for r in rising(rows, 20, 60)]
    ['a']
    """
    found = []
    for row in counted:
        ratio = ((row["recent"] + 0.5) / (recent_papers + 1)) \
            / ((row["earlier"] + 0.5) / (earlier_papers + 1))
        if ratio > 1:
            found.append({**row, "key": local_key(row["concept"]), "ratio": ratio})
    found.sort(key=lambda r: (-r["ratio"], -r["recent"], r["label"].lower()))
    return found[:RISING]


class Explorer:
    """The pages of one build's store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.iris = Iris(self._base())
        self._papers: int | None = None
        self._day_sizes: dict[str, int] | None = None  # day -> the build's papers that day

    def _base(self) -> str:
        for quad in self.store.quads_for_pattern(
                None, ox.NamedNode(PREFIXES["rdf"] + "type"),
                ox.NamedNode(PREFIXES["skos"] + "ConceptScheme")):
            iri = _iri(quad.subject)
            if iri.endswith(TAXONOMY_SCHEME):
                return iri[:-len(TAXONOMY_SCHEME)]
        return Iris().base

    def rows(self, name: str, node: ox.NamedNode | ox.Literal | None = None, suffix: str = "",
             extra: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
             kept: PaperFilter | None = None,
             papers: str = "?paper kg:mentions ?node .") -> list[Row]:
        """The rows of query `name` with `?node` (and the `extra` variables) bound, the
        papers `kept` where it says `#FILTER` and `papers` where it says `#PAPERS`, each a
        dict by variable; a literal with a language tag adds `<variable>_lang`."""
        text = _query(name).replace("#PAPERS", papers)
        if kept:
            text = re.sub(r"#FILTER(?: (\?\w+))?", lambda m: kept.clauses(self.iris, m[1]), text)
            text = text.replace("#CONCEPT", kept.concept_clause())
        return self.select(text + suffix, {"node": node, **(extra or {})} if node else {})

    def select(self, text: str, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> list[Row]:
        """The rows of the SELECT query `text` with the variables of `bound` bound."""
        result = self.store.query(_bind(text, bound), prefixes=PREFIXES)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row: Row = {}
            for variable, term in zip(names, solution, strict=True):
                row[variable] = python_value(term)
                if isinstance(term, ox.Literal) and term.language:
                    row[f"{variable}_lang"] = term.language
            rows.append(row)
        return rows

    def sample(self, pattern: str, node: ox.NamedNode | None, kept: PaperFilter,
               days: list[Row]) -> tuple[str, int, str | None]:
        """The papers a page's costly aggregates count: those of `pattern` (about ?paper and
        ?node) that `kept` keeps, of which `days` gives the number by day; when more than
        SAMPLE, only those of their newest days, back to the day that makes SAMPLE. SPARQL
        for #PAPERS (the filter applied: the newest listed as `VALUES ?paper`, so that an
        aggregate reads just them however they spread over the days), the number counted,
        and the first of those days or None.

        Counting the 31,628 papers of cs.CV by concept took 18 s on the archive; counting
        the newest 2,000 takes 0.1 s."""
        chosen = f"{pattern}\n{kept.clauses(self.iris)}"
        total = sum(d["papers"] for d in days)
        if total <= SAMPLE:
            return chosen, total, None
        counted, newest = 0, list[str]()
        for row in reversed(days):
            newest.append(row["date"])
            counted += row["papers"]
            if counted >= SAMPLE:
                break
        if self._papers_on(newest) <= SPREAD * SAMPLE:  # read the papers of those days
            query = f"SELECT ?paper WHERE {{\n{_on_days(newest)}\n{chosen}\n}}"
        else:  # few of each day's papers are kept: join every paper's day by hashing
            query = ("SELECT ?paper WHERE {\n" + chosen + "\n"
                     "{ SELECT ?paper ?kept_day WHERE { ?paper kg:digestDate ?kept_day } }\n"
                     f"FILTER(?kept_day >= {_day(newest[-1])})\n}}")
        found = self.select(query, {"node": node} if node else {})
        listed = " ".join(str(ox.NamedNode(row["paper"])) for row in found)
        return f"VALUES ?paper {{ {listed} }}", counted, newest[-1]

    def _papers_on(self, days: list[str]) -> int:
        """How many papers the build has on these days (all of them, whatever a page keeps)."""
        if self._day_sizes is None:
            self._day_sizes = {r["date"]: r["papers"] for r in self.rows("build-days")}
        return sum(self._day_sizes.get(day, 0) for day in days)

    @property
    def paper_count(self) -> int:
        if self._papers is None:
            self._papers = len(list(self.store.quads_for_pattern(
                None, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(KG + "Paper"))))
        return self._papers

    # Nodes from the ids in page addresses

    def paper_node(self, paper_id: str) -> ox.NamedNode | None:
        """A paper by its arXiv id (with or without version or `arXiv:`), or its identifier."""
        try:
            arxiv = parse_arxiv_id(paper_id)
        except BadEntry:  # a version of more digits than any
            arxiv = None
        found = list(self.store.quads_for_pattern(
            None, ox.NamedNode(KG + "arxivId"), ox.Literal(arxiv[0]))) if arxiv else []
        if not found:
            found = list(self.store.quads_for_pattern(
                None, ox.NamedNode(PREFIXES["dcterms"] + "identifier"),
                ox.Literal(paper_id.strip())))
        return found[0].subject if found and isinstance(found[0].subject, ox.NamedNode) \
            else None

    def _existing(self, iri: str, query: str) -> tuple[ox.NamedNode, Row] | None:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return None
        found = self.rows(query, node)
        return (node, found[0]) if found else None

    # Pages

    def home(self) -> Row:
        categories = self.rows("home-categories")
        return {"papers": self.paper_count, "categories": categories,
                "days": self.rows("home-days"), "top": self._keyed(self.rows("home-top"))}

    def paper(self, paper_id: str) -> Row | None:
        node = self.paper_node(paper_id)
        if node is None:
            return None
        main = self.rows("paper", node)
        if not main:
            return None
        page = main[0]
        texts = {"title": page["title"], "abstract": page.get("abstract") or ""}
        concepts = []
        for row in self.rows("paper-concepts", node):
            text = texts.get(row["section"], "")
            sentence = sentence_around(text, row["start"], row["end"]) \
                if row["end"] <= len(text) else ("", row["surface"], "")
            concepts.append({**row, "key": local_key(row["concept"]),
                             "type": _CONCEPT_TYPES.get(row.get("type") or ""),
                             "sentence": sentence})
        page.update(
            id=page.get("arxivId") or page["identifier"], paper_iri=node.value,
            summary=self.rows("paper-summary", node),
            authors=self.rows("paper-authors", node),
            categories=self.rows("paper-categories", node),
            days=self.rows("paper-days", node),
            concepts=_distinct_concepts(concepts),
            related=self.rows("paper-related", node))
        return page

    def author(self, name: str, kept: PaperFilter = PaperFilter()) -> Row | None:
        """An author's page; its lists (papers, co-authors, concepts, categories) count the
        papers `kept` (first and last seen are read on all)."""
        found = self._existing(self.iris.person(name), "author")
        if found is None:
            return None
        node, page = found
        every = self.rows("author-papers", node)
        dates = sorted(p["date"] for p in every if p.get("date"))
        page.update(
            person=node.value, kept=kept, all_papers=len(every),
            papers=self.rows("author-papers", node, kept=kept) if kept else every,
            coauthors=self.rows("author-coauthors", node, kept=kept),
            concepts=self._keyed(self.rows("author-concepts", node, kept=kept)),
            categories=self.rows("author-categories", node, kept=kept),
            first_seen=dates[0] if dates else None, last_seen=dates[-1] if dates else None)
        return page

    def concept(self, key: str, page_number: int = 1,
                kept: PaperFilter = PaperFilter()) -> Row | None:
        """A concept's page; its lists (papers, weeks, authors) count the papers `kept`."""
        found = self._existing(f"{self.iris.base}concept/{slug(key)}", "concept")
        if found is None:
            return None
        node, page = found
        total = page.get("papers") or 0
        days = self.rows("concept-days", node, kept=kept)
        if not kept:
            shown = total
        elif kept.since or kept.until:  # a window keeps dated papers only
            shown = sum(d["papers"] for d in days)
        else:  # undated papers too
            shown = self.rows("concept-count", node, kept=kept)[0]["papers"]
        pages = max(1, -(-shown // PAGE_SIZE))
        page_number = min(max(1, page_number), pages)
        papers, offset = page_days(days, (page_number - 1) * PAGE_SIZE, shown)
        listed = self.rows("concept-papers", node, f"\nLIMIT {PAGE_SIZE} OFFSET {offset}",
                           kept=kept, papers=papers)
        self._add_sentences(node, listed)
        papers, counted, since = self.sample("?paper kg:mentions ?node .", node, kept, days)
        of_type = kept.of_type()
        together = [{**row, "key": local_key(row["concept"]),
                     "strength": association_strength(row["together"] * shown / counted,
                                                      shown, row["papers"], self.paper_count)}
                    for row in self.rows("concept-cooccurring", node, kept=of_type,
                                         papers=papers)]
        relatives = self._keyed(self.rows("concept-broader", node))
        page.update(
            key=key, concept=node.value,
            types=[_CONCEPT_TYPES[r["type"]] for r in self.rows("concept-types", node)],
            aliases=[r["alias"] for r in self.rows("concept-aliases", node)
                     if r["alias"] != page["label"]],
            broader=[r for r in relatives if r["relation"] == "broader"],
            narrower=[r for r in relatives if r["relation"] == "narrower"],
            listed=listed, page=page_number, pages=pages, page_size=PAGE_SIZE, shown=shown,
            kept=kept, weeks=weekly(days), cooccurring=together[:CO_OCCURRING],
            sampled=(counted, since) if since else None,
            authors=self.rows("concept-authors", node, papers=papers))
        return page

    def _add_sentences(self, concept: ox.NamedNode, listed: list[Row]) -> None:
        """Each listed paper's first mention of `concept`, as the sentence it is in."""
        for row in listed:
            found = self.rows("concept-mention", concept,
                              extra={"paper": ox.NamedNode(row["paper"])})
            mention: Row = found[0] if found else {"text": "", "start": 0, "end": 0}
            text: str = mention["text"] or ""
            start: int = mention["start"]
            end: int = mention["end"]
            row["sentence"] = sentence_around(text, start, end) if end <= len(text) \
                else ("", "", "")

    def category(self, code: str, kept: PaperFilter = PaperFilter()) -> Row | None:
        """A category's page; its lists (days, concepts, authors) count the papers `kept`
        (rising concepts always compare its last week with the weeks before)."""
        found = self._existing(self.iris.category(code), "category")
        if found is None:
            return None
        node, page = found
        kept = PaperFilter(None, kept.since, kept.until, kept.concept_type)  # this category's
        window = PaperFilter(since=kept.since, until=kept.until)
        days = self.rows("category-days", node, kept=window)
        newest, counted, since = self.sample("?paper dcterms:subject ?node .", node, window,
                                             days)
        top, counted_top = self._category_top(node, kept, newest)
        page.update(days=days, papers=sum(d["papers"] for d in days),
                    day_pairs=[(d["date"], d["papers"]) for d in days], kept=kept,
                    top=self._keyed(top),
                    top_sampled=(counted, since) if since and counted_top else None,
                    authors=self.rows("category-authors", node, papers=newest),
                    sampled=(counted, since) if since else None, rising_since=None, rising=[])
        if window:
            days = self.rows("category-days", node)  # rising is read on every day
        if days:
            last = date.fromisoformat(days[-1]["date"])
            since = (last - timedelta(days=WEEK - 1)).isoformat()
            before = (last - timedelta(days=WEEK * (RISING_WEEKS + 1) - 1)).isoformat()
            recent_papers = sum(d["papers"] for d in days if d["date"] >= since)
            earlier_papers = sum(d["papers"] for d in days if before <= d["date"] < since)
            if earlier_papers:  # there are weeks before to compare with
                recent = self.rows("category-recent", node, extra={"since": _day(since)},
                                   papers=_on_days([d["date"] for d in days
                                                    if d["date"] >= before]))
                page.update(rising_since=since, rising_before=before,
                            rising=rising(recent, recent_papers, earlier_papers))
        return page

    def _category_top(self, node: ox.NamedNode, kept: PaperFilter,
                      papers: str) -> tuple[list[Row], bool]:
        """A category's most named concepts, and whether they were counted in `papers` (its
        window's, or their newest days'): else they are its standings, counted when built,
        of the filter's type while the standings hold TOP of it."""
        if not (kept.since or kept.until):
            top = self.rows("category-top", node, kept=kept)
            if len(top) == TOP or not kept.concept_type:  # the type's next may be past the cut
                return top, False
        counted = self.rows("category-concepts", node, kept=kept.of_type(), papers=papers)
        if len(counted) > TOP:  # labelled and sorted: the first TOP, with their ties
            least = heapq.nlargest(TOP, (r["papers"] for r in counted))[-1]
            counted = [r for r in counted if r["papers"] >= least]
        for row in counted:
            row["label"] = self.label(row["concept"])
        counted.sort(key=lambda r: (-r["papers"], r["label"].lower()))
        return counted[:TOP], True

    def papers_listed(self, papers: Sequence[str]) -> list[Row]:
        """The papers of these IRIs that the build has, in their order, for a list of links."""
        listed = " ".join(str(ox.NamedNode(iri)) for iri in papers)
        order = {iri: i for i, iri in enumerate(papers)}
        return sorted(self.rows("papers-listed", papers=f"VALUES ?paper {{ {listed} }}"),
                      key=lambda row: order[row["paper"]])

    def label(self, concept: str) -> str:
        """A concept's preferred label (its key when it has none)."""
        for quad in self.store.quads_for_pattern(ox.NamedNode(concept), _PREF_LABEL, None):
            return str(python_value(quad.object))
        return local_key(concept)

    def first_seen(self, concept: str, before: str | None = None) -> str | None:
        """The first day a paper named `concept`, or, given `before`, any day before it (the
        scan stops there): whether a concept is new that day costs little even for a concept
        named by thousands of papers, most of them earlier. Each paper's day is looked up
        as it comes (reading all the archive's days first took 0.7 s)."""
        first = None
        for quad in self.store.quads_for_pattern(None, _MENTIONS, ox.NamedNode(concept)):
            for dated in self.store.quads_for_pattern(quad.subject, _DIGEST_DATE, None):
                day = str(python_value(dated.object))
                if first is None or day < first:
                    first = day
                    if before is not None and day < before:
                        return first
        return first

    def day(self, day: str, kept: PaperFilter = PaperFilter()) -> Row | None:
        """A day's page; its lists (the digest, the concepts first seen) keep the papers of
        `kept`'s category and the concepts of its type."""
        try:
            date.fromisoformat(day)
        except ValueError:
            return None
        node = _day(day)
        kept = PaperFilter(kept.category, None, None, kept.concept_type)  # the day is the day
        if not self.rows("day-papers", node, "\nLIMIT 1"):
            return None
        papers = self.rows("day-papers", node, kept=kept)
        seen: dict[str, Row] = {}
        for row in papers:  # a paper in two digests of the day is listed once
            seen.setdefault(row["paper"], row)
        new = [r for r in self.rows("day-concepts", node, kept=kept)
               if self.first_seen(r["concept"], before=day) == day]
        return {"date": day, "papers": list(seen.values()), "kept": kept,
                "digests": sorted({r["digest"] for r in papers}),
                "new": self._keyed(new[:NEW_CONCEPTS]), "new_count": len(new)}

    @staticmethod
    def _keyed(rows: list[Row]) -> list[Row]:
        for row in rows:
            row["key"] = local_key(row["concept"])
        return rows


def _iri(node: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    return node.value if isinstance(node, ox.NamedNode) else ""


def page_days(days: list[Row], offset: int, total: int) -> tuple[str, int]:
    """Where a page of PAGE_SIZE papers from `offset`, newest first, is read, given the
    papers by day (`date`, `papers`, oldest first) of a list of `total` papers: SPARQL
    keeping the papers of the days it falls on and the offset among them when there are
    more than SAMPLE (sorting the archive's 24,069 papers of "large language model" took
    0.5 s), else all of them and `offset` as it is. Undated papers come last: a page that
    reaches them reads all.

    >>> days = [{"date": f"2026-06-0{n}", "papers": 1500} for n in (1, 2, 3)]
    >>> clause, offset = page_days(days, 1550, 4500)
    >>> offset, clause.count("2026-06-02"), clause.count("2026-06-03")
    (50, 1, 0)
    """
    pattern = "?paper kg:mentions ?node ."
    dated = sum(d["papers"] for d in days)
    if dated <= SAMPLE or (dated < total and offset + PAGE_SIZE > dated):
        return pattern, offset
    skipped, covered, chosen = 0, 0, list[str]()
    for row in reversed(days):
        if not chosen and skipped + row["papers"] <= offset:
            skipped += row["papers"]
            continue
        chosen.append(row["date"])
        covered += row["papers"]
        if skipped + covered >= offset + PAGE_SIZE:
            break
    return f"{_on_days(chosen)}\n{pattern}", offset - skipped


def _on_days(days: list[str]) -> str:
    """SPARQL keeping the papers of these days: the index of days leads, not a scan."""
    return ("VALUES ?kept_day { " + " ".join(str(_day(d)) for d in days) + " }\n"
            "?paper kg:digestDate ?kept_day .")


def _day(day: str) -> ox.Literal:
    return ox.Literal(day, datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))


def _distinct_concepts(mentions: list[Row]) -> list[Row]:
    """A paper's concepts once each, at their first mention (title first, then reading order),
    with how many times the paper names them."""
    first: dict[str, Row] = {}
    for row in mentions:
        if row["concept"] in first:
            first[row["concept"]]["times"] += 1
        else:
            first[row["concept"]] = {**row, "times": 1}
    return list(first.values())
