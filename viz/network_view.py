"""Network views: which part of the network a view shows, how it is filtered and capped, and how
each node and edge is drawn. Pure data (pydantic models, no HTML): `network_page` renders a View
with pyvis and vis-network, the API sends it as JSON, `phakhi viz` writes it to a file.

Views:
  network                     the whole network
  ego                         everything within `depth` (1-3) hops of one entity
  province-mechanism-agency   who brings what where: provinces, civic mechanisms and their
                              types, and the agencies, units and people that promote, lead,
                              commit to or speak for them (drawn in layers)
  forum                       who spoke for whom: events, who took part (edge label: in what
                              capacity), whom they represented, who organised

Filters (the map's names, see viz/questions.py), applied in this order:
  as_of=YYYY-MM-DD
      the network as it stood on that day (graph/timeline.py): dated things that did not hold
      then, and relations only later sources state, are left out; centrality is computed on
      that network
  source=<id>, tier=primary, inferred=no
      keep only edges with evidence passing them (reference data, having no evidence, drops)
  province=TH-xx, mechanism_type=<id>, theme=<id>
      keep what lies within `reach` (1-3, default 2) hops of that entity in the whole
      (evidence-filtered) network; the entity itself stays when the view has its kind
  kind=<kind> (repeatable)
      keep nodes of these kinds (the ego's centre and the entities above stay)
  isolated=hide (default) | show
      nodes left without any edge are hidden (the centre and focus entities stay)
Then the cap: at most `max_nodes` nodes, the most central kept (by the size measure; degree
when size=none). Centrality is computed once on the whole network, so a node has the same
size in every view. Everything is sorted, so the same data gives the same view.
"""

import argparse
import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from phakhi.graph.labels import ID_BASE, collation_key, kind_and_id, labels_of, pick, select, value
from phakhi.graph.network import Network, Projection
from phakhi.graph.store import Engine
from phakhi.graph.timeline import day_text, network_as_of

ViewName = Literal["network", "ego", "province-mechanism-agency", "forum"]
VIEWS: tuple[ViewName, ...] = get_args(ViewName)
SizeMeasure = Literal["degree", "betweenness", "none"]
SIZE_MEASURES: tuple[SizeMeasure, ...] = get_args(SizeMeasure)
Tier = Literal["any", "primary"]
Inferred = Literal["yes", "no"]
Lang = Literal["th", "en"]
Layout = Literal["force", "layered"]
NodeKind = Literal[
    "person", "agency", "unit", "mechanism-type", "mechanism", "province", "place", "event",
    "project", "programme", "phase", "objective", "grant", "commitment", "direction",
    "statistic", "theme",
]  # fmt: skip

DEFAULT_MAX_NODES = 2000
SEED = 20240611  # vis-network's layout.randomSeed: the same data gives the same picture
MIN_SIZE, MAX_SIZE, FLAT_SIZE = 8.0, 36.0, 14.0
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ISO_RE = re.compile(r"^TH-[0-9]{2}$")


@dataclass(frozen=True)
class Text:
    th: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.th if lang == "th" else self.en


@dataclass(frozen=True)
class KindStyle:
    """How nodes of a kind are drawn; `level` is their column in layered views."""

    colour: str
    shape: str
    label: Text
    level: int = 0


# Okabe-Ito and Tol colours, with shapes so that colour is never the only cue.
KIND_STYLES: dict[str, KindStyle] = {
    "person": KindStyle("#d55e00", "dot", Text("บุคคล", "Person"), 0),
    "agency": KindStyle("#0072b2", "square", Text("หน่วยงาน", "Agency"), 1),
    "unit": KindStyle("#56b4e9", "square", Text("หน่วยงานย่อย", "Unit"), 1),
    "mechanism-type": KindStyle("#7b3294", "diamond", Text("ประเภทกลไก", "Mechanism type"), 2),
    "mechanism": KindStyle("#cc79a7", "diamond", Text("กลไกพลเมือง", "Civic mechanism"), 3),
    "province": KindStyle("#009e73", "triangle", Text("จังหวัด", "Province"), 4),
    "place": KindStyle("#6fc2a1", "triangleDown", Text("สถานที่", "Place"), 4),
    "event": KindStyle("#e69f00", "star", Text("เวที / กิจกรรม", "Event (forum)"), 2),
    "project": KindStyle("#882255", "hexagon", Text("โครงการวิจัย", "Research project"), 1),
    "programme": KindStyle("#aa4499", "hexagon", Text("แผนงาน", "Programme"), 1),
    "phase": KindStyle("#c27ba0", "hexagon", Text("ระยะของโครงการ", "Project phase"), 2),
    "objective": KindStyle("#999933", "triangleDown", Text("วัตถุประสงค์", "Objective"), 2),
    "grant": KindStyle("#661100", "diamond", Text("ทุน", "Grant"), 2),
    "commitment": KindStyle("#44aa99", "star", Text("ข้อตกลง", "Commitment"), 2),
    "direction": KindStyle("#332288", "star", Text("ทิศทางร่วม", "Shared direction"), 2),
    "statistic": KindStyle("#888888", "dot", Text("สถิติ", "Statistic"), 3),
    "theme": KindStyle("#117733", "dot", Text("ประเด็น", "Theme"), 3),
}
OTHER_STYLE = KindStyle("#bbbbbb", "dot", Text("อื่น ๆ", "Other"), 3)
KINDS: tuple[str, ...] = get_args(NodeKind)
assert set(KINDS) == set(KIND_STYLES), "NodeKind and KIND_STYLES name the same kinds"


def style_of(kind: str) -> KindStyle:
    return KIND_STYLES.get(kind, OTHER_STYLE)


# the province ↔ mechanism ↔ agency view: kinds, and the relations drawn between them
PMA_KINDS = ("province", "mechanism", "mechanism-type", "agency", "unit", "person")
PMA_RELATIONS = (
    "in_province",
    "mechanism_type",
    "promotes",
    "led_by",
    "commits_to",
    "represented",
    "member_of",
    "part_of",
)
# the forum view: the relations that make it, and those drawn between its nodes as context
FORUM_RELATIONS = ("participated_in", "represented", "organizer")
FORUM_CONTEXT = ("member_of", "part_of", "committed_at")


@dataclass(frozen=True)
class ViewInfo:
    title: Text
    description: Text
    layout: Layout = "force"


VIEW_INFO: dict[ViewName, ViewInfo] = {
    "network": ViewInfo(
        Text("เครือข่ายทั้งหมด", "The whole network"),
        Text(
            "ทุกหน่วยงาน บุคคล จังหวัด กลไก และความสัมพันธ์ระหว่างกันตามแหล่งข้อมูล",
            "Every agency, person, province and mechanism, and how the sources link them.",
        ),
    ),
    "ego": ViewInfo(
        Text("เครือข่ายรอบตัว", "Ego network"),
        Text(
            "ทุกสิ่งที่อยู่ห่างจากหนึ่งหน่วยไม่เกิน 1–3 ขั้น",
            "Everything within 1–3 steps of one entity.",
        ),
    ),
    "province-mechanism-agency": ViewInfo(
        Text("จังหวัด ↔ กลไก ↔ หน่วยงาน", "Province ↔ mechanism ↔ agency"),
        Text(
            "ใครนำอะไรไปที่ไหน: หน่วยงานและบุคคลที่ส่งเสริม นำ หรือให้คำมั่นต่อกลไก และจังหวัดที่มีกลไกนั้น",
            "Who brings what where: agencies and people that promote, lead or commit to "
            "civic mechanisms, and the provinces that have them.",
        ),
        "layered",
    ),
    "forum": ViewInfo(
        Text("เวที: ใครพูดในนามใคร", "Forums: who spoke for whom"),
        Text(
            "เวทีและกิจกรรม ผู้เข้าร่วม (ในฐานะใด) หน่วยงานหรือจังหวัดที่เขาเป็นผู้แทน และผู้จัด",
            "Events, who took part (in what capacity), the agency or province they "
            "represented, and who organised them.",
        ),
    ),
}


# -- the models a view is sent as -------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class VizSource(_Model):
    """A source document that edges of the view cite."""

    iri: str
    id: str = Field(description="Its id (the `source=` filter).")
    title: str = Field(description="Its title, as published.")
    tier: str | None = Field(None, description="primary | secondary.")


class VizEvidence(_Model):
    """A source passage behind an edge (the source itself is in View.sources)."""

    source: str = Field(description="The source document's IRI (a key of View.sources).")
    quotes: list[str] = Field(description="The supporting words, exactly as published.")
    line: int | None = Field(None, description="Line of the source text where the quote starts.")
    inferred: bool = Field(description="The curator's inference, not the source's claim.")


class VizNode(_Model):
    """A node as drawn: the entity, its labels and its style."""

    id: str = Field(description="The entity's IRI (the vis-network node id).")
    kind: str
    entity_id: str = Field(description="The entity's id.")
    label_th: str
    label_en: str
    kind_th: str = Field(description="The kind's name in Thai.")
    kind_en: str = Field(description="The kind's name in English.")
    page: str = Field(description="Path of its entity page (click opens it).")
    api: str = Field(description="Path of its JSON description.")
    score: float = Field(description="Its centrality (the size measure) in the whole network.")
    degree: int = Field(description="Distinct neighbours in the whole network.")
    size: float = Field(description="Drawn size in pixels.")
    colour: str
    shape: str = Field(description="vis-network shape.")
    level: int | None = Field(None, description="Column in layered views.")
    centre: bool = Field(False, description="The ego view's centre.")


class VizEdge(_Model):
    """An edge as drawn: a relation between two entities, with its evidence."""

    id: str
    source: str = Field(description="IRI of the source node (vis `from`).")
    target: str = Field(description="IRI of the target node (vis `to`).")
    relation: str = Field(description="member_of, participated_in, promotes, …")
    label_th: str
    label_en: str
    text_th: str = Field("", description="A commitment's text (commits_to, committed_at).")
    text_en: str = ""
    inferred: bool = Field(description="Every passage kept is the curator's inference.")
    evidence: list[VizEvidence] = Field(description="Passages stating it (none: reference data).")
    curve: float = Field(0.0, description="Bend of parallel edges (0: straight).")


class LegendEntry(_Model):
    kind: str
    label_th: str
    label_en: str
    colour: str
    shape: str
    count: int = Field(description="Nodes of this kind in the view.")


class Notice(_Model):
    """Something the viewer should know about what is (not) shown."""

    code: Literal["capped", "isolated_hidden", "empty", "as_of", "version_mismatch"]
    th: str
    en: str


class View(_Model):
    """One network view, ready to draw."""

    view: ViewName
    title_th: str
    title_en: str
    description_th: str
    description_en: str
    centre: str | None = Field(None, description="The ego view's centre (IRI).")
    depth: int | None = Field(None, description="The ego view's depth.")
    size: SizeMeasure = Field(description="What node size shows.")
    filters: dict[str, str | list[str]] = Field(description="The filters applied.")
    layout: Layout
    seed: int = Field(description="vis-network layout.randomSeed.")
    total_nodes: int = Field(description="Nodes matching the view and filters, before the cap.")
    total_edges: int = Field(description="Edges between them, before the cap.")
    omitted_nodes: int = Field(description="Nodes left out by the cap.")
    max_nodes: int = Field(description="The cap.")
    nodes: list[VizNode]
    edges: list[VizEdge]
    sources: dict[str, VizSource] = Field(description="The sources the edges cite, by IRI.")
    legend: list[LegendEntry]
    notices: list[Notice]
    as_of: str | None = Field(None, description="The day the network is shown as of.")
    dataset_version: str | None = Field(
        None, description="The dataset version the view is made from (cite it with ?v=)."
    )

    def title(self, lang: Lang) -> str:
        return self.title_th if lang == "th" else self.title_en


# -- what a view asks for ---------------------------------------------------------------------


class ViewError(ValueError):
    """A parameter the caller got wrong (400), or an entity that is not there (`missing`: 404)."""

    def __init__(
        self,
        message: str,
        *,
        parameter: str,
        allowed: Iterable[str] = (),
        missing: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        self.allowed = list(allowed)
        self.missing = missing


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    province: str | None = None
    mechanism_type: str | None = None
    theme: str | None = None
    source: str | None = None
    tier: Tier = "any"
    inferred: Inferred = "yes"
    reach: int = 2
    isolated: bool = False
    as_of: str | None = None  # YYYY-MM-DD: the network as it stood on that day

    def evidence_filtered(self) -> bool:
        return self.source is not None or self.tier == "primary" or self.inferred == "no"

    def as_dict(self) -> dict[str, str | list[str]]:
        shown: dict[str, str | list[str]] = {}
        if self.kinds:
            shown["kind"] = list(self.kinds)
        for name in ("province", "mechanism_type", "theme", "source"):
            if (chosen := getattr(self, name)) is not None:
                shown[name] = chosen
        if self.tier != "any":
            shown["tier"] = self.tier
        if self.inferred != "yes":
            shown["inferred"] = self.inferred
        if self.focus_params():
            shown["reach"] = str(self.reach)
        if self.isolated:
            shown["isolated"] = "show"
        if self.as_of is not None:
            shown["as_of"] = self.as_of
        return shown

    def focus_params(self) -> list[tuple[str, str, str]]:
        """(parameter, kind, id) of the focus filters that are set."""
        wanted = [
            ("province", "province", self.province),
            ("mechanism_type", "mechanism-type", self.mechanism_type),
            ("theme", "theme", self.theme),
        ]
        return [(name, kind, ident) for name, kind, ident in wanted if ident is not None]


@dataclass(frozen=True)
class ViewSpec:
    view: ViewName = "network"
    filters: Filters = field(default_factory=Filters)
    centre: str | None = None  # "kind/id" for the ego view
    depth: int = 1
    size: SizeMeasure = "degree"
    max_nodes: int = DEFAULT_MAX_NODES


@dataclass(frozen=True)
class SourceInfo:
    iri: str
    id: str
    title: str
    tier: str | None


def read_sources(engine: Engine) -> dict[str, SourceInfo]:
    """The source documents, by IRI: id, title and tier."""
    rows = select(
        engine,
        "SELECT DISTINCT ?s ?tier WHERE { ?s a phk:SourceDocument OPTIONAL { ?s phk:tier ?tier } }",
    )
    tiers = {value(r, "s") or "": value(r, "tier") for r in rows}
    titles = labels_of(engine, tiers)
    found = {}
    for iri, tier in sorted(tiers.items()):
        ident = (kind_and_id(iri) or ("", iri.rsplit("/", 1)[-1]))[1]
        found[iri] = SourceInfo(iri, ident, pick(titles.get(iri, {}), "th") or ident, tier)
    return found


# -- building a view --------------------------------------------------------------------------

EdgeKey = tuple[str, str, str]


@dataclass
class _Selection:
    """The nodes and edges (with the evidence records that pass the filters) of a view."""

    nodes: set[str]
    edges: dict[EdgeKey, list[dict[str, Any]]]
    keep: set[str] = field(default_factory=set)  # never dropped by kind or isolated filters

    def restrict(self, nodes: set[str]) -> "_Selection":
        edges = {k: ev for k, ev in self.edges.items() if k[0] in nodes and k[1] in nodes}
        return _Selection(nodes, edges, self.keep & nodes)


def _entity(network: Network, kind: str, ident: str, parameter: str, missing: bool) -> str:
    iri = f"{ID_BASE}{kind}/{ident}"
    if iri not in network:
        raise ViewError(
            f"{parameter}: no {kind} {ident!r} in the network",
            parameter=parameter,
            missing=missing,
        )
    return iri


def _check(spec: ViewSpec, network: Network, sources: Mapping[str, SourceInfo]) -> None:
    filters = spec.filters
    for kind in filters.kinds:
        if kind not in KIND_STYLES:
            raise ViewError(f"kind: unknown kind {kind!r}", parameter="kind", allowed=KINDS)
    if filters.province is not None and not ISO_RE.match(filters.province):
        raise ViewError("province: expected an ISO 3166-2 code such as TH-60", parameter="province")
    for name in ("mechanism_type", "theme", "source"):
        ident = getattr(filters, name)
        if ident is not None and not ID_RE.match(ident):
            raise ViewError(f"{name}: {ident!r} is not an id", parameter=name)
    if filters.source is not None and f"{ID_BASE}source/{filters.source}" not in sources:
        raise ViewError(
            f"source: no source {filters.source!r}",
            parameter="source",
            allowed=sorted(s.id for s in sources.values()),
        )
    if not 1 <= filters.reach <= 3:
        raise ViewError("reach must be 1, 2 or 3", parameter="reach")
    if filters.as_of is not None:
        try:
            day_text(filters.as_of)
        except ValueError as error:
            raise ViewError("as_of: expected a day as YYYY-MM-DD", parameter="as_of") from error
    if spec.view == "ego":
        if not 1 <= spec.depth <= 3:
            raise ViewError("depth must be 1, 2 or 3", parameter="depth")
        if spec.centre is None:
            raise ViewError("the ego view needs an entity (kind/id)", parameter="entity")
    if spec.max_nodes < 1:
        raise ViewError("max_nodes must be at least 1", parameter="max_nodes")


def _passes(record: dict[str, Any], filters: Filters, sources: Mapping[str, SourceInfo]) -> bool:
    source = str(record.get("source", ""))
    if filters.source is not None and source != f"{ID_BASE}source/{filters.source}":
        return False
    info = sources.get(source)
    if filters.tier == "primary" and (info is None or info.tier != "primary"):
        return False
    return not (filters.inferred == "no" and record.get("inferred"))


def _all(network: Network, filters: Filters, sources: Mapping[str, SourceInfo]) -> _Selection:
    """The whole network, edges without passing evidence dropped when evidence is filtered."""
    edges: dict[EdgeKey, list[dict[str, Any]]] = {}
    for u, v, key, attrs in network.graph.edges(keys=True, data=True):
        records: list[dict[str, Any]] = list(attrs.get("evidence", []))
        if filters.evidence_filtered():
            records = [r for r in records if _passes(r, filters, sources)]
            if not records:
                continue
        edges[(u, v, str(key))] = records
    return _Selection(set(network.graph.nodes), edges)


def _ball(selection: _Selection, start: str, radius: int) -> set[str]:
    simple: nx.Graph[str] = nx.Graph()
    simple.add_node(start)
    simple.add_edges_from(sorted((u, v) for u, v, _ in selection.edges if u != v))
    return set(nx.single_source_shortest_path_length(simple, start, cutoff=radius))


def _base(spec: ViewSpec, whole: _Selection, graph: Projection, centre: str | None) -> _Selection:
    if spec.view == "ego" and centre is not None:
        chosen = whole.restrict(_ball(whole, centre, spec.depth))
        chosen.keep.add(centre)
        return chosen
    if spec.view == "province-mechanism-agency":
        nodes = {n for n in whole.nodes if graph.nodes[n]["kind"] in PMA_KINDS}
        chosen = whole.restrict(nodes)
        chosen.edges = {
            k: ev for k, ev in chosen.edges.items() if graph.edges[k]["relation"] in PMA_RELATIONS
        }
        return _about_mechanisms(chosen, graph)
    if spec.view == "forum":
        core = {
            k: ev for k, ev in whole.edges.items() if graph.edges[k]["relation"] in FORUM_RELATIONS
        }
        nodes = {n for u, v, _ in core for n in (u, v)}
        nodes |= {n for n in whole.nodes if graph.nodes[n]["kind"] == "event"}
        context = {
            k: ev
            for k, ev in whole.restrict(nodes).edges.items()
            if graph.edges[k]["relation"] in FORUM_CONTEXT
        }
        return _Selection(nodes, {**core, **context})
    return whole


def _about_mechanisms(chosen: _Selection, graph: Projection) -> _Selection:
    """Only the parts linked to a mechanism, a mechanism type or a province (an agency with its
    units and staff, and nothing else, says nothing about who brings what where)."""
    simple: nx.Graph[str] = nx.Graph()
    simple.add_nodes_from(sorted(chosen.nodes))
    simple.add_edges_from(sorted((u, v) for u, v, _ in chosen.edges))
    anchors = {"mechanism", "mechanism-type", "province"}
    keep: set[str] = set()
    for part in nx.connected_components(simple):
        if any(graph.nodes[n]["kind"] in anchors for n in part):
            keep |= part
    return chosen.restrict(keep)


def select_view(
    network: Network, sources: Mapping[str, SourceInfo], spec: ViewSpec
) -> tuple[_Selection, str | None]:
    """The nodes and edges a view shows before the cap, and the ego's centre (IRI)."""
    _check(spec, network, sources)
    return _select(network_as_of(network, spec.filters.as_of), sources, spec)


def _select(
    network: Network, sources: Mapping[str, SourceInfo], spec: ViewSpec
) -> tuple[_Selection, str | None]:
    filters, graph = spec.filters, network.graph
    centre = None
    if spec.view == "ego" and spec.centre is not None:
        kind, _, ident = spec.centre.strip("/").partition("/")
        if kind not in KIND_STYLES or not (ID_RE.match(ident) or ISO_RE.match(ident)):
            raise ViewError(
                f"entity: expected kind/id (e.g. agency/codi), not {spec.centre!r}",
                parameter="entity",
            )
        centre = _entity(network, kind, ident, "entity", missing=True)
    whole = _all(network, filters, sources)
    chosen = _base(spec, whole, graph, centre)
    for name, kind, ident in filters.focus_params():
        iri = _entity(network, kind, ident, name, missing=False)
        near = _ball(whole, iri, filters.reach)
        chosen = chosen.restrict(chosen.nodes & near)
        if iri in chosen.nodes:
            chosen.keep.add(iri)
    if filters.kinds:
        wanted = set(filters.kinds)
        chosen = chosen.restrict(
            {n for n in chosen.nodes if graph.nodes[n]["kind"] in wanted} | chosen.keep
        )
    return chosen, centre


def _scores(network: Network, measure: SizeMeasure) -> dict[str, float]:
    return network.betweenness if measure == "betweenness" else network.degree


def _rank_key(network: Network, scores: Mapping[str, float]) -> Callable[[str], Any]:
    nodes = network.graph.nodes
    return lambda n: (-round(scores.get(n, 0.0), 12), collation_key(nodes[n]["label"]), n)


NoticeCode = Literal["capped", "isolated_hidden", "empty", "as_of", "version_mismatch"]


def notice(code: NoticeCode, th: str, en: str) -> Notice:
    """A notice of a view, in both languages."""
    return Notice(code=code, th=th, en=en)


_notice = notice


def build_view(network: Network, sources: Mapping[str, SourceInfo], spec: ViewSpec) -> View:
    """The view `spec` asks for; ViewError when a parameter is wrong or an entity missing."""
    _check(spec, network, sources)
    network = network_as_of(network, spec.filters.as_of)
    chosen, centre = _select(network, sources, spec)
    graph, notices = network.graph, []
    if spec.filters.as_of is not None:
        day = day_text(spec.filters.as_of)
        notices.append(
            _notice(
                "as_of",
                f"เครือข่าย ณ วันที่ {day}: แสดงเฉพาะสิ่งที่เป็นอยู่ในวันนั้นตามวันที่ของแหล่งข้อมูล",
                f"The network as of {day}: only what held on that day, by the dates of the "
                "sources.",
            )
        )
    if not spec.filters.isolated:
        linked = {n for u, v, _ in chosen.edges for n in (u, v)}
        hidden = chosen.nodes - linked - chosen.keep
        if hidden:
            chosen = chosen.restrict(chosen.nodes - hidden)
            notices.append(
                _notice(
                    "isolated_hidden",
                    f"ซ่อน {len(hidden):,} หน่วยที่ไม่มีความสัมพันธ์ในมุมมองนี้ (isolated=show เพื่อแสดง)",
                    f"{len(hidden):,} nodes without any edge in this view are hidden "
                    "(isolated=show shows them).",
                )
            )
    total_nodes, total_edges = len(chosen.nodes), len(chosen.edges)
    scores = _scores(network, spec.size)
    kept = chosen.nodes
    if len(kept) > spec.max_nodes:
        ranked = sorted(kept - {centre}, key=_rank_key(network, scores))
        first = [centre] if centre in kept else []
        kept = set((first + ranked)[: spec.max_nodes])
        chosen = chosen.restrict(kept)
        omitted = total_nodes - len(kept)
        by = {"betweenness": ("ค่าความเป็นตัวกลาง", "betweenness")}.get(
            spec.size, ("จำนวนความเชื่อมโยง", "degree")
        )
        notices.append(
            _notice(
                "capped",
                f"แสดง {len(kept):,} จาก {total_nodes:,} หน่วย (ละไว้ {omitted:,}): "
                f"เฉพาะหน่วยที่มี{by[0]}สูงสุด — จำกัดให้แคบลงด้วยประเภท จังหวัด ประเภทกลไก "
                "ประเด็น หรือแหล่งข้อมูล หรือเปิดเครือข่ายรอบหนึ่งหน่วย",
                f"Showing {len(kept):,} of {total_nodes:,} nodes ({omitted:,} omitted): "
                f"the most central by {by[1]}. Narrow the view by kind, province, mechanism "
                "type, theme or source, or open one entity's ego network.",
            )
        )
    if not chosen.nodes:
        notices.append(
            _notice(
                "empty",
                "ไม่มีหน่วยใดตรงกับตัวกรองที่เลือก",
                "No node matches these filters.",
            )
        )
    edges = _edges(graph, chosen)
    info = VIEW_INFO[spec.view]
    title = info.title
    if centre is not None:
        attrs = graph.nodes[centre]
        title = Text(
            f"{info.title.th}: {attrs['label_th']} ({spec.depth} ขั้น)",
            f"{info.title.en}: {attrs['label_en']} (depth {spec.depth})",
        )
    return View(
        view=spec.view,
        title_th=title.th,
        title_en=title.en,
        description_th=info.description.th,
        description_en=info.description.en,
        centre=centre,
        depth=spec.depth if spec.view == "ego" else None,
        size=spec.size,
        filters=spec.filters.as_dict(),
        layout=info.layout,
        seed=SEED,
        total_nodes=total_nodes,
        total_edges=total_edges,
        omitted_nodes=total_nodes - len(chosen.nodes),
        max_nodes=spec.max_nodes,
        nodes=_nodes(network, chosen, scores, spec, centre),
        edges=edges,
        sources=_sources(edges, sources),
        legend=_legend(graph, chosen.nodes),
        notices=notices,
        as_of=day_text(spec.filters.as_of) if spec.filters.as_of else None,
    )


def _nodes(
    network: Network,
    chosen: _Selection,
    scores: Mapping[str, float],
    spec: ViewSpec,
    centre: str | None,
) -> list[VizNode]:
    graph = network.graph
    top = max((scores.get(n, 0.0) for n in chosen.nodes), default=0.0)
    layered = VIEW_INFO[spec.view].layout == "layered"
    out = []
    for iri in sorted(chosen.nodes):
        attrs = graph.nodes[iri]
        kind, ident = attrs["kind"], attrs["id"]
        style = style_of(kind)
        score = scores.get(iri, 0.0)
        if spec.size == "none" or top <= 0:
            size = FLAT_SIZE
        else:
            size = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(score / top)
        out.append(
            VizNode(
                id=iri,
                kind=kind,
                entity_id=ident,
                label_th=attrs.get("label_th") or ident,
                label_en=attrs.get("label_en") or ident,
                kind_th=style.label.th,
                kind_en=style.label.en,
                page=f"/id/{kind}/{ident}",
                api=f"/api/entities/{kind}/{ident}",
                score=round(score, 6),
                degree=network.simple.degree(iri) if iri in network.simple else 0,
                size=round(size, 2),
                colour=style.colour,
                shape=style.shape,
                level=style.level if layered else None,
                centre=iri == centre,
            )
        )
    return out


def _evidence(records: Sequence[dict[str, Any]]) -> list[VizEvidence]:
    out = []
    for record in records:
        line = record.get("line")
        out.append(
            VizEvidence(
                source=str(record.get("source", "")),
                quotes=[str(q) for q in record.get("quotes", [])],
                line=line if isinstance(line, int) else None,
                inferred=bool(record.get("inferred")),
            )
        )
    return out


def _sources(
    edges: Iterable[VizEdge], graph_sources: Mapping[str, SourceInfo]
) -> dict[str, VizSource]:
    cited = sorted({e.source for edge in edges for e in edge.evidence})
    found = {}
    for iri in cited:
        info = graph_sources.get(iri)
        ident = info.id if info else iri.rsplit("/", 1)[-1]
        title = info.title if info else ident
        found[iri] = VizSource(iri=iri, id=ident, title=title, tier=info.tier if info else None)
    return found


def _edges(graph: Projection, chosen: _Selection) -> list[VizEdge]:
    out = []
    parallel: dict[tuple[str, str], int] = defaultdict(int)
    for index, key in enumerate(sorted(chosen.edges)):
        u, v, _ = key
        attrs = graph.edges[key]
        pair = (min(u, v), max(u, v))
        rank = parallel[pair]
        parallel[pair] += 1
        # the n-th edge between two nodes bends more; sign so that reversed edges part too
        bend = 0.0 if rank == 0 else 0.18 * ((rank + 1) // 2) * (1 if rank % 2 else -1)
        if u > v:
            bend = -bend
        records = chosen.edges[key]
        out.append(
            VizEdge(
                id=f"e{index}",
                source=u,
                target=v,
                relation=attrs["relation"],
                label_th=attrs.get("label_th") or attrs["relation"],
                label_en=attrs.get("label_en") or attrs["relation"],
                text_th=attrs.get("text_th", ""),
                text_en=attrs.get("text_en", ""),
                inferred=bool(records) and all(bool(r.get("inferred")) for r in records),
                evidence=_evidence(records),
                curve=bend,
            )
        )
    return out


def _legend(graph: Projection, nodes: Iterable[str]) -> list[LegendEntry]:
    counts: dict[str, int] = defaultdict(int)
    for iri in nodes:
        counts[graph.nodes[iri]["kind"]] += 1
    order = {kind: index for index, kind in enumerate(KINDS)}
    return [
        LegendEntry(
            kind=kind,
            label_th=style_of(kind).label.th,
            label_en=style_of(kind).label.en,
            colour=style_of(kind).colour,
            shape=style_of(kind).shape,
            count=count,
        )
        for kind, count in sorted(counts.items(), key=lambda kc: (order.get(kc[0], 99), kc[0]))
    ]


# -- the `phakhi viz` command ----------------------------------------------------------------


def as_of_day(text: str) -> str:
    """argparse type of --as-of: a day as YYYY-MM-DD."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD")
    try:
        return day_text(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: {error}") from error


def spec_from_args(args: argparse.Namespace) -> ViewSpec:
    """The ViewSpec of `phakhi viz`'s arguments (--ego implies --view ego)."""
    view: ViewName = "ego" if args.ego else args.view
    filters = Filters(
        kinds=tuple(sorted(set(args.kind or []))),
        province=args.province,
        mechanism_type=args.mechanism_type,
        theme=args.theme,
        source=args.source,
        tier=args.tier,
        inferred=args.inferred,
        reach=args.reach,
        isolated=args.isolated == "show",
        as_of=getattr(args, "as_of", None),
    )
    return ViewSpec(view, filters, args.ego, args.depth, args.size, args.max_nodes)


def command(args: argparse.Namespace) -> int:
    """`phakhi viz`: build a view over the seed (or --data files) and write it to a file that
    works from disk with no server (.html), or its data (.json)."""
    from phakhi.graph.loader import load_files, open_seed
    from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE
    from phakhi.graph.problems import SourceErrors
    from phakhi.graph.store import OxigraphStore
    from phakhi.viz.network_page import standalone

    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".json"):
        print(f"phakhi viz: {output}: write .html (or .json for the data)", file=sys.stderr)
        return 2
    spec = spec_from_args(args)
    if spec.view == "ego" and not spec.centre:
        print("phakhi viz: the ego view needs --ego KIND/ID", file=sys.stderr)
        return 2
    try:
        if args.data:
            engine = OxigraphStore()
            load_files(engine, list(args.data))
        else:
            engine = open_seed(DATA_DIR, ONTOLOGY_FILE)
        network = Network.build(engine)
        view = build_view(network, read_sources(engine), spec)
        version = getattr(engine, "version", "")
        view = view.model_copy(update={"dataset_version": version or None})
        if suffix == ".json":
            output.write_text(view.model_dump_json(indent=2) + "\n", encoding="utf-8")
        else:
            output.write_text(standalone(view, args.lang, args.link_base), encoding="utf-8")
    except SourceErrors as errors:
        for problem in errors.problems:
            print(problem, file=sys.stderr)
        return 1
    except ViewError as error:
        allowed = f" (one of: {', '.join(error.allowed)})" if error.allowed else ""
        print(f"phakhi viz: {error.message}{allowed}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as error:
        print(f"phakhi viz: {error}", file=sys.stderr)
        return 1
    omitted = f", {view.omitted_nodes} omitted (cap {view.max_nodes})" if view.omitted_nodes else ""
    print(
        f"wrote {output} ({view.view}: {len(view.nodes)} nodes, {len(view.edges)} edges{omitted})"
    )
    return 0


def add_command(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
) -> argparse.ArgumentParser:
    """Add `phakhi viz` to the CLI's sub-commands; sets defaults(run=command)."""
    sub = commands.add_parser(
        "viz",
        help="write an interactive network view (standalone HTML, works offline)",
        description="Write a network view as one HTML file (vis-network inline: it opens from "
        "disk with no server and no internet), or its data as .json.",
    )
    sub.add_argument("--view", choices=VIEWS, default="network", help="default: network")
    sub.add_argument("--ego", metavar="KIND/ID", help="the ego view of this entity (agency/codi)")
    sub.add_argument("--depth", type=int, choices=(1, 2, 3), default=1, help="ego depth (1-3)")
    sub.add_argument("--lang", choices=("th", "en"), default="th")
    sub.add_argument(
        "--link-base",
        default=None,
        metavar="URL",
        help="clicking a node opens URL/id/KIND/ID (e.g. a running server); "
        "default: no links, the file stands alone",
    )
    sub.add_argument("--kind", action="append", choices=KINDS, help="only these kinds (repeat)")
    sub.add_argument("--province", metavar="TH-XX", help="around this province")
    sub.add_argument("--mechanism-type", metavar="ID", help="around this mechanism type")
    sub.add_argument("--theme", metavar="ID", help="around this theme")
    sub.add_argument("--reach", type=int, choices=(1, 2, 3), default=2, help="hops around them")
    sub.add_argument("--source", metavar="ID", help="only edges stated by this source")
    sub.add_argument("--tier", choices=("any", "primary"), default="any")
    sub.add_argument("--inferred", choices=("yes", "no"), default="yes")
    sub.add_argument("--isolated", choices=("hide", "show"), default="hide")
    sub.add_argument(
        "--as-of",
        type=as_of_day,
        metavar="YYYY-MM-DD",
        help="the network as it stood on that day (dated things that did not hold then, and "
        "relations only later sources state, are left out)",
    )
    sub.add_argument("--size", choices=SIZE_MEASURES, default="degree", help="node size")
    sub.add_argument(
        "--max-nodes", type=int, default=DEFAULT_MAX_NODES, help="cap (most central kept)"
    )
    sub.add_argument("--data", nargs="+", type=Path, help="RDF files instead of the seed")
    sub.add_argument("-o", "--output", required=True, help="file.html (or file.json)")
    run: Callable[[argparse.Namespace], int] = command
    sub.set_defaults(run=run)
    return sub
