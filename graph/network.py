"""The graph as a network: a networkx MultiDiGraph of the entities, with n-ary nodes collapsed
into labelled edges, and what is computed on it (neighbourhoods, paths, centrality,
communities). Views (pyvis) and exports (GraphML, GEXF) build on `project(engine)`.

Nodes are keyed by IRI and carry (all str unless said):

    iri, kind, id           the entity's IRI, kind (compiler.CLASSES) and id
    label, label_th, label_en   label in th / en ("label" is th, falling back to en)
    date                    events: start date; mechanisms, commitments, directions: start date
                            if stated, else date attested ("" if none)
    end_date                only when stated: the schema:endDate of a dated node
    status, status_th, status_en    mechanisms only: status IRI and its labels
    iso_code (str), lat, long (float)  provinces only

Every entity is a node except qualifiers (roles, capacities, statuses: edge or node attributes
instead) and commitments with a `by` (collapsed). Memberships, participations, evidence
nodes, source documents and ontology terms are never nodes.

Edges are keyed "<relation>" (a triple) or "<relation>:<n-ary node's local name>" (collapsed)
and carry:

    relation            machine name: a compiler.RELATIONS name (part_of, promotes, …), the
                        predicate's local name in snake_case (has_phase, mechanism_type, …), or
                        member_of | participated_in | represented | commits_to | committed_at
    label, label_th, label_en   readable label, with the qualifier in brackets
    predicate           the RDF predicate IRI ("" for collapsed edges)
    qualifier, qualifier_th, qualifier_en   role (member_of) or capacity (participations)
    via, via_type       the collapsed n-ary node's IRI and type (membership | participation |
                        commitment), "" for plain triples
    event               participations and commitments: the event's IRI ("" otherwise)
    on_behalf_of        participated_in: the body the participant spoke for ("" otherwise)
    text_th, text_en    commits_to / committed_at: the commitment's text ("" otherwise)
    date                date attested ("" when unknown)
    sources             the sources' IRIs joined with " | " ("" for reference data)
    quotes              the supporting quotes joined with " | "
    inferred (bool)     every supporting statement is the curator's inference
    evidence            STRUCTURED, not GraphML-safe: list of {source, source_title,
                        source_date (the source's dcterms:date, "" if none), quotes (list),
                        line (int | None), inferred}; drop it with `exportable(graph)`

The graph attribute "periods" (PERIODS) holds the start and end of each collapsed n-ary node
(a `Periods`, not exported): graph/timeline.py reads it to show the network as of a day.
"""

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypeAlias

import networkx as nx
import pyoxigraph as ox

from phakhi.graph.compiler import RELATIONS
from phakhi.graph.entities import (
    EvidenceIndex,
    EvidenceRecord,
    Nary,
    merge_evidence,
    read_evidence,
    read_nary,
    snake_case,
)
from phakhi.graph.labels import (
    ID_BASE,
    Labels,
    all_labels,
    collation_key,
    entity_kind,
    kind_and_id,
    label_for,
    pick,
    select,
    sparql_values,
    stream,
    value,
)
from phakhi.graph.namespaces import PHK, SDO, WGS84
from phakhi.graph.store import Engine

if TYPE_CHECKING:
    Projection: TypeAlias = nx.MultiDiGraph[str]
    Simple: TypeAlias = nx.Graph[str]
else:  # networkx's classes are not subscriptable at run time
    Projection = nx.MultiDiGraph
    Simple = nx.Graph

QUALIFIER_KINDS = ("role", "capacity", "status")
STRUCTURED_ATTRIBUTES = ("evidence",)
PERIODS = "periods"  # graph attribute: the Periods of the collapsed n-ary nodes
SEPARATOR = " | "

RELATION_NAMES: dict[str, str] = {str(p): name for name, (p, _, _) in RELATIONS.items()}
COLLAPSED_LABELS: dict[str, dict[str, str]] = {
    "member_of": {"th": "สมาชิกของ", "en": "member of"},
    "participated_in": {"th": "เข้าร่วม", "en": "took part in"},
    "represented": {"th": "เป็นผู้แทนของ", "en": "represented"},
    "commits_to": {"th": "ให้คำมั่นเรื่อง", "en": "commits to"},
    "committed_at": {"th": "ให้คำมั่นใน", "en": "committed at"},
}

# -- the projection ------------------------------------------------------------------------


@dataclass(frozen=True)
class Periods:
    """(start, end) of the collapsed n-ary nodes (memberships, participations, commitments
    with a `by`) by IRI, "" when not stated; start is the schema:startDate, else the
    phk:attestedOn. An object rather than a mapping, so the exports (which write a graph's
    scalar and mapping attributes) leave it out."""

    by_node: dict[str, tuple[str, str]] = field(default_factory=dict)

    def of(self, iri: str) -> tuple[str, str]:
        return self.by_node.get(iri, ("", ""))


@dataclass
class _Builder:
    graph: Projection
    labels: Labels
    evidence: EvidenceIndex
    # one dict per evidence record, shared by the edges it supports (read-only, like every
    # attribute): at 1M triples ~60,000 records back ~40,000 edges
    shown: dict[EvidenceRecord, dict[str, Any]] = field(default_factory=dict)

    def label(self, iri: str, lang: str) -> str:
        return label_for(self.labels, iri, lang)

    def add_edge(
        self,
        source: str,
        target: str,
        relation: str,
        records: Iterable[EvidenceRecord],
        *,
        predicate: str = "",
        qualifier: str = "",
        via: Nary | None = None,
        names: dict[str, str] | None = None,
        bracket: bool = True,
        **extra: str,
    ) -> None:
        if source not in self.graph or target not in self.graph or source == target:
            return
        names = names or {lang: self.label(predicate, lang) for lang in ("th", "en")}
        attrs: dict[str, Any] = {
            "relation": relation,
            "predicate": predicate,
            "qualifier": qualifier,
            "via": via.iri if via else "",
            "via_type": via.type if via else "",
            "event": "",
            "on_behalf_of": "",
            "text_th": "",
            "text_en": "",
            "date": via.dates.get("date", "") if via else "",
        }
        for lang in ("th", "en"):
            shown = self.label(qualifier, lang) if qualifier else ""
            attrs[f"qualifier_{lang}"] = shown
            bracketed = f"{names[lang]} ({shown})" if shown and bracket else names[lang]
            attrs[f"label_{lang}"] = sys.intern(bracketed)  # a few distinct labels, many edges
        attrs["label"] = attrs["label_th"] or attrs["label_en"]
        attrs.update(extra)
        attrs.update(self.evidence_attributes(merge_evidence(records)))
        key = relation if via is None else f"{relation}:{via.iri.rsplit('/', 1)[-1]}"
        self.graph.add_edge(source, target, key=key, **attrs)

    def evidence_attributes(self, records: list[EvidenceRecord]) -> dict[str, Any]:
        quotes = list(dict.fromkeys(q for r in records for q in r.quotes))
        return {
            "sources": sys.intern(SEPARATOR.join(sorted({r.source for r in records}))),
            "quotes": SEPARATOR.join(quotes),
            "inferred": bool(records) and all(r.inferred for r in records),
            "evidence": [self.shown_record(r) for r in records],
        }

    def shown_record(self, record: EvidenceRecord) -> dict[str, Any]:
        found = self.shown.get(record)
        if found is None:
            found = self.shown[record] = {
                "source": record.source,
                "source_title": label_for(self.labels, record.source, "th"),
                "source_date": record.source_date or "",
                "quotes": list(record.quotes),
                "line": record.line,
                "inferred": record.inferred,
            }
        return found

    def nary_records(self, nary: Nary) -> list[EvidenceRecord]:
        return [
            record
            for part, targets in nary.parts.items()
            for target in targets
            for record in self.evidence.get(nary.triple(part, target), [])
        ]


def project(engine: Engine) -> Projection:
    """The whole dataset as a network; see the module docstring for the attributes."""
    labels = all_labels(engine)
    naries = read_nary(engine)
    builder = _Builder(Projection(name="Phakhi"), labels, read_evidence(engine))
    collapsed = {n.iri for n in naries if _collapsible(n)}
    builder.graph.graph[PERIODS] = _periods(naries, collapsed)
    for iri, kind in _entities(engine):
        if kind not in QUALIFIER_KINDS and iri not in collapsed:
            builder.graph.add_node(iri, **_node_attributes(iri, kind, labels))
    _add_details(engine, builder.graph, labels)
    for s, p, o in _triples(engine, builder.graph):
        name = RELATION_NAMES.get(p) or snake_case(p)
        builder.add_edge(s, o, name, builder.evidence.get((s, p, o), []), predicate=p)
    for nary in naries:
        if nary.type == "membership":
            _add_membership(builder, nary)
        elif nary.type == "participation":
            _add_participation(builder, nary)
        elif nary.iri in collapsed:
            _add_commitment(builder, nary)
    return builder.graph


def _collapsible(nary: Nary) -> bool:
    return nary.type == "commitment" and bool(nary.parts.get("by"))


def _periods(naries: Iterable[Nary], collapsed: set[str]) -> Periods:
    found = {}
    for nary in naries:
        if nary.type in ("membership", "participation") or nary.iri in collapsed:
            start = nary.dates.get("start") or nary.dates.get("date") or ""
            end = nary.dates.get("end") or ""
            if start or end:
                found[nary.iri] = (start, end)
    return Periods(dict(sorted(found.items())))


def _entities(engine: Engine) -> list[tuple[str, str]]:
    rows = select(
        engine,
        f"""SELECT DISTINCT ?s WHERE {{ ?s a ?class .
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) }}""",
    )
    found = {
        (sys.intern(iri), kind)  # the same string object as in the parts of n-ary nodes
        for row in rows
        if (iri := value(row, "s")) and (kind := entity_kind(iri))
    }
    return sorted(found)


def _node_attributes(iri: str, kind: str, labels: Labels) -> dict[str, Any]:
    texts = labels.get(iri, {})
    ident = (kind_and_id(iri) or ("", ""))[1]
    label_th = texts.get("th") or pick(texts, "th") or ident
    label_en = texts.get("en") or pick(texts, "en") or ident
    return {
        "iri": iri,
        "kind": kind,
        "id": ident,
        "label": label_th,
        "label_th": label_th,
        "label_en": label_en,
        "date": "",
    }


def _add_details(engine: Engine, graph: Projection, labels: Labels) -> None:
    """Kind-specific node attributes: dates, mechanism status, province codes and position."""
    predicates = [
        str(PHK.status),
        str(PHK.isoCode),
        str(WGS84.lat),
        str(WGS84.long),
        str(SDO.startDate),
        str(PHK.attestedOn),
        str(SDO.endDate),
    ]
    rows = select(
        engine, f"SELECT DISTINCT ?s ?p ?o WHERE {{ {sparql_values('p', predicates)} ?s ?p ?o }}"
    )
    for row in sorted(
        rows, key=lambda r: (value(r, "s") or "", value(r, "p") or "", value(r, "o") or "")
    ):
        node, predicate, term = value(row, "s") or "", value(row, "p"), row.get("o")
        if node not in graph or term is None:
            continue
        attrs = graph.nodes[node]
        text = value(row, "o") or ""
        if predicate == str(PHK.status):
            attrs["status"] = text
            attrs["status_th"] = label_for(labels, text, "th")
            attrs["status_en"] = label_for(labels, text, "en")
        elif predicate == str(PHK.isoCode):
            attrs["iso_code"] = text
        elif predicate in (str(WGS84.lat), str(WGS84.long)) and isinstance(term, ox.Literal):
            attrs["lat" if predicate == str(WGS84.lat) else "long"] = float(text)
        elif predicate in (str(SDO.startDate), str(PHK.attestedOn)) and not attrs["date"]:
            attrs["date"] = text
        elif predicate == str(SDO.endDate):
            attrs["end_date"] = max(text, attrs.get("end_date", ""))


def _triples(engine: Engine, graph: Projection) -> list[tuple[str, str, str]]:
    """The triples between two nodes of graph, sorted. Streamed and filtered here: at 1M
    triples most of the ~330,000 matches link an evidence node, which is never a node."""
    rows = stream(
        engine,
        f"""SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o .
            FILTER(isIRI(?o) && ?p NOT IN (rdf:subject, rdf:predicate, rdf:object)
                   && STRSTARTS(STR(?s), "{ID_BASE}") && STRSTARTS(STR(?o), "{ID_BASE}"))
        }}""",
    )
    found = []
    for row in rows:
        s, o = value(row, "s") or "", value(row, "o") or ""
        if s in graph and o in graph:
            found.append((sys.intern(s), sys.intern(value(row, "p") or ""), sys.intern(o)))
    return sorted(found)


def _add_membership(builder: _Builder, nary: Nary) -> None:
    role = next(iter(nary.parts.get("role", ())), "")
    for member in nary.parts.get("member", ()):
        for organization in nary.parts.get("organization", ()):
            builder.add_edge(
                member,
                organization,
                "member_of",
                builder.nary_records(nary),
                qualifier=role,
                via=nary,
                names=COLLAPSED_LABELS["member_of"],
            )


def _add_participation(builder: _Builder, nary: Nary) -> None:
    capacity = next(iter(nary.parts.get("capacity", ())), "")
    records = builder.nary_records(nary)
    events = nary.parts.get("event", ())
    bodies = nary.parts.get("on_behalf_of", ())
    participants = nary.parts.get("participant", ())
    took_part = {
        lang: builder.label(capacity, lang)
        if capacity
        else COLLAPSED_LABELS["participated_in"][lang]
        for lang in ("th", "en")
    }
    for event in events:
        for who in participants or bodies:
            body = SEPARATOR.join(bodies) if participants else ""
            builder.add_edge(
                who,
                event,
                "participated_in",
                records,
                qualifier=capacity,
                via=nary,
                names=took_part,
                bracket=False,
                event=event,
                on_behalf_of=body,
            )
    for who in participants:
        for body in bodies:
            builder.add_edge(
                who,
                body,
                "represented",
                records,
                qualifier=capacity,
                via=nary,
                names=COLLAPSED_LABELS["represented"],
                event=SEPARATOR.join(events),
            )


def _add_commitment(builder: _Builder, nary: Nary) -> None:
    records = builder.nary_records(nary)
    targets = [t for part in ("theme", "mechanism_type", "about") for t in nary.parts.get(part, ())]
    events = nary.parts.get("at", ())
    relation = "commits_to" if targets else "committed_at"
    texts = {lang: builder.label(nary.iri, lang) for lang in ("th", "en")}
    for by in nary.parts.get("by", ()):
        for target in targets or events:
            builder.add_edge(
                by,
                target,
                relation,
                records,
                via=nary,
                names=COLLAPSED_LABELS[relation],
                event=SEPARATOR.join(events),
                text_th=texts["th"],
                text_en=texts["en"],
            )


def exportable(graph: Projection) -> Projection:
    """A copy without STRUCTURED_ATTRIBUTES, ready for nx.write_graphml / write_gexf."""
    copy = graph.copy()
    copy.graph.pop(PERIODS, None)
    for _, _, attrs in copy.edges(data=True):
        for name in STRUCTURED_ATTRIBUTES:
            attrs.pop(name, None)
    return copy


# -- computations --------------------------------------------------------------------------


def undirected(graph: Projection) -> Simple:
    """The simple undirected graph underneath (parallel edges merged), built in sorted order
    so that traversals, paths and communities are deterministic."""
    simple: Simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes))
    pairs = {(min(u, v), max(u, v)) for u, v in graph.edges() if u != v}
    simple.add_edges_from(sorted(pairs))
    return simple


def neighbours(
    graph: Projection, iri: str, depth: int = 1, simple: Simple | None = None
) -> Projection:
    """The subgraph of everything within `depth` hops of iri (edges in either direction);
    pass `simple` (undirected(graph)) when it is at hand: building it costs ~0.2 s at 1M."""
    if not 1 <= depth <= 3:
        raise ValueError("depth must be 1, 2 or 3")
    simple = simple if simple is not None else undirected(graph)
    near = nx.single_source_shortest_path_length(simple, iri, cutoff=depth)
    return graph.subgraph(sorted(near)).copy()


@dataclass(frozen=True)
class Step:
    """One hop of a path: the two nodes and every edge between them (either direction)."""

    source: str
    target: str
    edges: tuple[tuple[str, str, str, dict[str, Any]], ...]


@dataclass(frozen=True)
class Path:
    nodes: tuple[str, ...]
    steps: tuple[Step, ...]


def shortest_path(graph: Projection, a: str, b: str, simple: Simple | None = None) -> Path | None:
    """A shortest path between a and b ignoring direction; None when they are not connected."""
    simple = simple if simple is not None else undirected(graph)
    try:
        nodes = nx.shortest_path(simple, a, b)
    except nx.NetworkXNoPath:
        return None
    steps = []
    for u, v in pairwise(nodes):
        edges: list[tuple[str, str, str, dict[str, Any]]] = []
        for source, target in ((u, v), (v, u)):
            found: dict[Any, dict[str, Any]] = graph.get_edge_data(source, target, default={})
            edges += [(source, target, str(k), d) for k, d in found.items()]
        steps.append(Step(u, v, tuple(sorted(edges, key=lambda e: (e[0], e[1], e[2])))))
    return Path(tuple(nodes), tuple(steps))


def degree_centrality(graph: Projection) -> dict[str, float]:
    """Distinct neighbours / (n - 1), on the simple undirected graph."""
    return dict(nx.degree_centrality(undirected(graph)))


def betweenness(graph: Projection) -> dict[str, float]:
    """Exact normalised betweenness centrality on the simple undirected graph."""
    return dict(nx.betweenness_centrality(undirected(graph), normalized=True))


def communities(graph: Projection) -> list[list[str]]:
    """Greedy modularity communities (deterministic), largest first, members sorted."""
    simple = undirected(graph)
    if simple.number_of_edges() == 0:
        return [[node] for node in simple.nodes]
    found = nx.community.greedy_modularity_communities(simple)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def modularity(graph: Projection, parts: list[list[str]]) -> float:
    simple = undirected(graph)
    if simple.number_of_edges() == 0:
        return 0.0
    return float(nx.community.modularity(simple, [set(p) for p in parts]))


# -- the service's network -----------------------------------------------------------------


@dataclass
class Network:
    """The projection built once at start-up, with its metrics computed on first use."""

    graph: Projection
    simple: Simple = field(init=False)

    def __post_init__(self) -> None:
        self.simple = undirected(self.graph)

    @classmethod
    def build(cls, engine: Engine) -> "Network":
        return cls(project(engine))

    def __contains__(self, iri: object) -> bool:
        return iri in self.graph

    @cached_property
    def degree(self) -> dict[str, float]:
        return degree_centrality(self.graph)

    @cached_property
    def betweenness(self) -> dict[str, float]:
        return betweenness(self.graph)

    @cached_property
    def communities(self) -> list[list[str]]:
        return communities(self.graph)

    @cached_property
    def modularity(self) -> float:
        return modularity(self.graph, self.communities)

    def neighbours(self, iri: str, depth: int = 1) -> Projection:
        return neighbours(self.graph, iri, depth, self.simple)

    def shortest_path(self, a: str, b: str) -> Path | None:
        return shortest_path(self.graph, a, b, self.simple)

    def ranking(self, measure: str, kind: str | None = None) -> list[tuple[str, float]]:
        """Nodes by the measure ("degree" or "betweenness"), highest first, ties by label."""
        scores = self.degree if measure == "degree" else self.betweenness
        nodes = self.graph.nodes
        ranked = [(n, s) for n, s in scores.items() if kind is None or nodes[n]["kind"] == kind]
        return sorted(
            ranked, key=lambda x: (-round(x[1], 12), collation_key(nodes[x[0]]["label"]), x[0])
        )
