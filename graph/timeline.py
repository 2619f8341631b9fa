"""Time in the graph: when a dated thing holds, the graph as it stood on a day, and the dated
items of one entity in order (docs/source-format.md, "Time", says the same for curators).

Dated things are memberships, participations, mechanisms, commitments and shared directions
(phk:attestedOn: the source's date unless the source file gives one; schema:startDate and
schema:endDate when the source states a period) and events (schema:startDate). A dated thing
holds from its start (schema:startDate if stated, else phk:attestedOn) until its end
(schema:endDate), both days included; without an end it still holds. The graph as of day D:

- a dated thing shows when it holds on D: start <= D and (no end or end >= D); what it states
  itself (its parts: who, which organisation, which event; a mechanism's province and type; an
  event's venue and organiser) comes and goes with it;
- any other relation between two entities (part_of, promotes, works_on, study_area, ...) has no
  date of its own and takes its sources' dates: it shows when at least one source stating it
  is dated (dcterms:date) on or before D, or is undated; the passages of later sources are left
  out. Reference data (no source) always shows;
- a relation shows only when both its ends show;
- undated things (people, agencies, provinces, concepts, reference entities) and labels and
  other literals always show.

`holds` is the rule, `as_of_view` applies it to the network projection (graph/network.py),
`describe_as_of` to an entity's description (graph/entities.py), `network_as_of` gives (and
keeps a few of) the Network of a day, and `timeline` lists an entity's dated items.
"""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from phakhi.graph.entities import (
    NARY_CLASSES,
    Description,
    Evidence,
    Ref,
    Statement,
    describe,
)
from phakhi.graph.labels import ID_BASE, collation_key, select, sparql_values, value
from phakhi.graph.namespaces import PHK, RDF, SDO
from phakhi.graph.network import PERIODS, SEPARATOR, Network, Periods, Projection
from phakhi.graph.store import Engine

Day = date | str
# n-ary nodes that are never entities of their own: their statements are involvements
PARTS_ONLY = frozenset(k for k in NARY_CLASSES.values() if k in ("membership", "participation"))
AS_OF_CACHE_SIZE = 8


def day_text(day: Day) -> str:
    """The ISO form (YYYY-MM-DD) of a day; ValueError for anything else."""
    if isinstance(day, date):
        return day.isoformat()
    return date.fromisoformat(day.strip()[:10]).isoformat()


def _day(text: str | None) -> str | None:
    """An xsd:date's lexical form cut to its day ("2024-06-11+07:00" -> "2024-06-11")."""
    return text.strip()[:10] if text and text.strip() else None


def holds(start: Day | None, end: Day | None, as_of: Day) -> bool:
    """Whether a thing dated start..end (None: not stated) holds on as_of: start <= as_of and
    (no end or end >= as_of). Without a start it holds from the beginning."""
    day = day_text(as_of)
    first = _day(start.isoformat() if isinstance(start, date) else start)
    last = _day(end.isoformat() if isinstance(end, date) else end)
    return (first is None or first <= day) and (last is None or last >= day)


# -- periods read from the graph --------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """When a dated thing holds (ISO days; None when not stated)."""

    start: str | None
    end: str | None = None
    attested: str | None = None

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def holds(self, as_of: Day) -> bool:
        return holds(self.start, self.end, as_of)


def read_periods(engine: Engine, iris: Iterable[str] | None = None) -> dict[str, Period]:
    """The Period of every dated thing (phk:attestedOn, schema:startDate, schema:endDate), or
    of those among `iris`; things without any date are left out."""
    chosen = sorted(set(iris)) if iris is not None else None
    if chosen is not None and not chosen:
        return {}
    scope = sparql_values("s", chosen) if chosen is not None else ""
    predicates = sparql_values("p", [str(PHK.attestedOn), str(SDO.startDate), str(SDO.endDate)])
    rows = select(engine, f"SELECT DISTINCT ?s ?p ?o WHERE {{ {scope} {predicates} ?s ?p ?o }}")
    found: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        text = _day(value(row, "o"))
        if text is None:
            continue
        dates = found.setdefault(value(row, "s") or "", {})
        dates.setdefault(value(row, "p") or "", []).append(text)
    periods = {}
    for iri, dates in sorted(found.items()):
        attested = min(dates.get(str(PHK.attestedOn), []), default=None)
        start = min(dates.get(str(SDO.startDate), []), default=None) or attested
        end = max(dates.get(str(SDO.endDate), []), default=None)
        periods[iri] = Period(start, end, attested)
    return periods


# -- the network as of a day --------------------------------------------------------------------


def _passages(records: list[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    """The evidence records of sources dated on or before day, or undated."""
    return [r for r in records if not r.get("source_date") or str(r["source_date"])[:10] <= day]


def _edge_as_of(
    graph: Projection, u: str, attrs: dict[str, Any], periods: Periods, day: str
) -> dict[str, Any] | None:
    """The edge's attributes as of day (passages of later sources dropped), or None when the
    edge does not show then."""
    if attrs.get("via"):
        start, end = periods.of(attrs["via"])
        return dict(attrs) if holds(start or attrs.get("date") or None, end or None, day) else None
    if graph.nodes[u].get("date") or graph.nodes[u].get("end_date"):
        return dict(attrs)  # what a dated thing states comes and goes with it
    records: list[dict[str, Any]] = list(attrs.get("evidence", []))
    kept = _passages(records, day)
    if not records or len(kept) == len(records):
        return dict(attrs)
    if not kept:
        return None
    quotes = list(dict.fromkeys(q for r in kept for q in r.get("quotes", [])))
    return {
        **attrs,
        "evidence": kept,
        "sources": SEPARATOR.join(sorted({str(r["source"]) for r in kept})),
        "quotes": SEPARATOR.join(quotes),
        "inferred": all(bool(r.get("inferred")) for r in kept),
    }


def as_of_view(graph: Projection, as_of: Day) -> Projection:
    """The projection as it stood on as_of (see the module docstring): a new graph, in the same
    node and edge order, its graph attribute "as_of" set to the day."""
    day = day_text(as_of)
    periods = graph.graph.get(PERIODS)
    if not isinstance(periods, Periods):
        periods = Periods()
    shown = Projection()
    shown.graph.update(graph.graph)
    shown.graph["as_of"] = day
    for node, attrs in graph.nodes(data=True):
        if holds(attrs.get("date") or None, attrs.get("end_date") or None, day):
            shown.add_node(node, **attrs)
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        if u in shown and v in shown:
            kept = _edge_as_of(graph, u, attrs, periods, day)
            if kept is not None:
                shown.add_edge(u, v, key=key, **kept)
    return shown


_cache: OrderedDict[tuple[int, str], tuple[weakref.ref[Projection], Network]] = OrderedDict()
_cache_lock = threading.Lock()


def network_as_of(network: Network, as_of: Day | None) -> Network:
    """The Network of as_of_view(network.graph, as_of), or network itself when as_of is None.
    The last few are kept (per network and day), so paging through a view or its metrics does
    not rebuild them."""
    if as_of is None:
        return network
    graph, day = network.graph, day_text(as_of)
    key = (id(graph), day)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None and found[0]() is graph:
            _cache.move_to_end(key)
            return found[1]
    built = Network(as_of_view(graph, day))
    with _cache_lock:
        _cache[key] = (weakref.ref(graph), built)
        while len(_cache) > AS_OF_CACHE_SIZE:
            _cache.popitem(last=False)
    return built


# -- an entity's description as of a day -----------------------------------------------------


def _entity(iri: str) -> bool:
    return iri.startswith(ID_BASE)


def _statement_as_of(
    statement: Statement, periods: Mapping[str, Period], self_shown: bool, day: str
) -> Statement | None:
    obj = statement.object
    if not isinstance(obj, Ref) or statement.predicate.iri == str(RDF.type):
        return statement  # literals (labels, dates, numbers) and types always show
    subject = statement.subject.iri
    if not (_entity(subject) and _entity(obj.iri)):
        return statement  # links to ontology terms and other vocabularies
    if not self_shown:
        return None
    ends = [periods.get(subject), periods.get(obj.iri)]
    if any(p is not None and p.dated and not p.holds(day) for p in ends):
        return None
    own = periods.get(subject)
    if own is not None and own.dated:
        return statement  # a dated thing's own statement
    if not statement.evidence:
        return statement  # reference data
    kept = tuple(e for e in statement.evidence if not e.source_date or e.source_date <= day)
    if not kept:
        return None
    return replace(statement, evidence=kept) if len(kept) < len(statement.evidence) else statement


def describe_as_of(engine: Engine, description: Description, as_of: Day) -> Description:
    """The description with what did not hold on as_of left out (statements, involvements,
    passages of later sources); labels, literals and types stay."""
    day = day_text(as_of)
    iris = {description.iri}
    for s in description.statements:
        iris.add(s.subject.iri)
        if isinstance(s.object, Ref):
            iris.add(s.object.iri)
    iris.update(i.node.iri for i in description.involvements)
    periods = read_periods(engine, [iri for iri in iris if _entity(iri)])
    own = periods.get(description.iri)
    self_shown = own is None or own.holds(day)
    statements = tuple(
        kept
        for s in description.statements
        if (kept := _statement_as_of(s, periods, self_shown, day)) is not None
    )
    involvements = tuple(
        i
        for i in description.involvements
        if self_shown and ((p := periods.get(i.node.iri)) is None or p.holds(day))
    )
    return replace(description, statements=statements, involvements=involvements, as_of=day)


# -- the timeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """One dated thing the entity takes part in (or the entity itself, when it is dated)."""

    date: str  # when it starts holding (ISO)
    end: str | None
    kind: str  # membership | participation | commitment | direction | mechanism | event | …
    label: str  # a readable sentence, from the entity's point of view
    node: Ref  # the dated thing
    source: Ref | None  # the first source stating it
    quote: str | None  # the first quote of that source
    evidence: tuple[Evidence, ...]


def _item(
    period: Period, kind: str, label: str, node: Ref, evidence: Iterable[Evidence]
) -> TimelineItem:
    records = tuple(evidence)
    first = records[0] if records else None
    return TimelineItem(
        date=period.start or "",
        end=period.end,
        kind=kind,
        label=label,
        node=node,
        source=first.source if first else None,
        quote=first.quotes[0] if first and first.quotes else None,
        evidence=records,
    )


def timeline(engine: Engine, iri: str, lang: str) -> list[TimelineItem] | None:
    """The dated items of iri in date order (then kind, label): the entity itself when it is
    dated, the memberships, participations, commitments, directions and mechanisms it takes
    part in, and the dated entities (events, mechanisms, …) it is related to. None when the
    graph says nothing about iri; items without a start are left out."""
    found = describe(engine, iri, lang)
    return None if found is None else timeline_of(engine, found)


def timeline_of(engine: Engine, found: Description) -> list[TimelineItem]:
    """timeline() of an entity already described (in the description's language)."""
    iri = found.iri
    others = {
        (s.subject if s.direction == "in" else s.object): s
        for s in found.statements
        if isinstance(s.object, Ref) and s.predicate.iri != str(RDF.type)
    }
    nodes = {iri, *(i.node.iri for i in found.involvements), *(r.iri for r in others)}
    periods = read_periods(engine, [n for n in nodes if _entity(n)])
    items: list[TimelineItem] = []
    seen: set[str] = set()
    own = periods.get(iri)
    if own is not None and own.start:
        typing = [s for s in found.statements if s.predicate.iri == str(RDF.type)]
        evidence = [e for s in typing for e in s.evidence][:1]
        node = Ref(iri, found.label, found.kind, found.id)
        items.append(_item(own, found.kind or "", found.label, node, evidence))
        seen.add(iri)
    for involvement in found.involvements:
        period = periods.get(involvement.node.iri)
        if period is not None and period.start and involvement.node.iri not in seen:
            items.append(
                _item(
                    period,
                    involvement.type,
                    involvement.text,
                    involvement.node,
                    involvement.evidence,
                )
            )
            seen.add(involvement.node.iri)
    for other, statement in others.items():
        period = periods.get(other.iri)
        if period is None or not period.start or other.iri in seen or other.kind in PARTS_ONLY:
            continue
        label = f"{statement.predicate.label}: {other.label}"
        items.append(_item(period, other.kind or "", label, other, statement.evidence))
        seen.add(other.iri)
    items.sort(key=lambda i: (i.date, i.kind, collation_key(i.label), i.node.iri))
    return items
