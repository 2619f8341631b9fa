"""The response models of the JSON API, for reuse by the HTML pages and network views.

Every label in a response is in the response's `lang` (th or en, falling back th → en → any).
Models are built from the graph layer with their `of(...)` class methods:

    Entity.of(describe(engine, iri, lang))           an entity page
    EntitySummary.of(summary)                        an item of a list
    Node.of(graph, iri, lang), Edge.of(graph, u, v, key, lang)   the network projection
"""

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field

from phakhi.graph import entities, timeline
from phakhi.graph.labels import ENTITY_KINDS, EXTRA_KINDS, kind_and_id, pick
from phakhi.graph.network import Projection
from phakhi.graph.search import Hit

_DESCRIBABLE = (*ENTITY_KINDS, *EXTRA_KINDS)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Ref(_Model):
    """A link to anything with an IRI, labelled in the response's language."""

    iri: str = Field(description="The IRI.")
    label: str = Field(description="Its label (or, without one, the IRI's last segment).")
    kind: str | None = Field(None, description="Kind of a Phakhi IRI: agency, person, source, …")
    id: str | None = Field(None, description="Id of a Phakhi IRI (the last path segment).")

    @computed_field(description="Where the JSON API describes it (None for ontology terms).")  # type: ignore[prop-decorator]
    @property
    def api(self) -> str | None:
        if self.kind in _DESCRIBABLE and self.id:
            return f"/api/entities/{self.kind}/{self.id}"
        return None

    @classmethod
    def of(cls, ref: entities.Ref) -> "Ref":
        return cls(iri=ref.iri, label=ref.label, kind=ref.kind, id=ref.id)

    @classmethod
    def iri_only(cls, iri: str, label: str) -> "Ref":
        kind, ident = kind_and_id(iri) or (None, None)
        return cls(iri=iri, label=label, kind=kind, id=ident)


class LiteralValue(_Model):
    """A literal value: text, number or date."""

    value: str = Field(description="The lexical value.")
    datatype: str | None = Field(None, description="XSD datatype IRI (None for text).")
    lang: str | None = Field(None, description="Language tag of text.")

    @classmethod
    def of(cls, literal: entities.Value) -> "LiteralValue":
        return cls(value=literal.value, datatype=literal.datatype, lang=literal.lang)


class Evidence(_Model):
    """The passage of a source document that supports a statement."""

    source: Ref = Field(description="The source document (label: its title).")
    quotes: list[str] = Field(description="The supporting words, exactly as published.")
    line: int | None = Field(None, description="Line of the source text where the quote starts.")
    inferred: bool = Field(
        description="True when it is the curator's inference, not the source's claim."
    )
    source_date: str | None = Field(None, description="The source's date (ISO), if it has one.")

    @classmethod
    def of(cls, evidence: entities.Evidence) -> "Evidence":
        return cls(
            source=Ref.of(evidence.source),
            quotes=list(evidence.quotes),
            line=evidence.line,
            inferred=evidence.inferred,
            source_date=evidence.source_date,
        )

    @classmethod
    def from_edge(cls, record: dict[str, Any]) -> "Evidence":
        """From one item of a projected edge's `evidence` attribute."""
        source = Ref.iri_only(str(record["source"]), str(record.get("source_title") or ""))
        return cls(
            source=source,
            quotes=list(record.get("quotes", [])),
            line=record.get("line"),
            inferred=bool(record.get("inferred")),
            source_date=str(record.get("source_date") or "") or None,
        )


class Statement(_Model):
    """One triple about the entity, labelled, with the evidence for it (none for literals
    and reference data)."""

    direction: Literal["out", "in"] = Field(description="out: the entity is the subject.")
    subject: Ref
    predicate: Ref
    object: Ref | LiteralValue
    evidence: list[Evidence] = Field(description="Source passages stating it.")

    @classmethod
    def of(cls, statement: entities.Statement) -> "Statement":
        obj = statement.object
        return cls(
            direction=statement.direction,
            subject=Ref.of(statement.subject),
            predicate=Ref.of(statement.predicate),
            object=Ref.of(obj) if isinstance(obj, entities.Ref) else LiteralValue.of(obj),
            evidence=[Evidence.of(e) for e in statement.evidence],
        )


class Involvement(_Model):
    """A membership, participation, commitment, shared direction or mechanism the entity
    takes part in, read from the entity's point of view."""

    node: Ref = Field(description="The n-ary node (membership, participation, …).")
    type: str = Field(description="membership | participation | commitment | direction | mechanism")
    part: str = Field(
        description=(
            "The entity's part in it: member, organization, participant, on_behalf_of, "
            "event, by, promoter, province, …"
        )
    )
    text: str = Field(description='A readable summary, e.g. "member of CODI as Deputy director".')
    parts: dict[str, list[Ref]] = Field(description="Every part of the node, by part name.")
    date: str | None = Field(None, description="Date the source attests it (ISO).")
    end: str | None = Field(None, description="When it ended (ISO), if the source says.")
    evidence: list[Evidence]

    @classmethod
    def of(cls, item: entities.Involvement) -> "Involvement":
        return cls(
            node=Ref.of(item.node),
            type=item.type,
            part=item.part,
            text=item.text,
            parts={name: [Ref.of(r) for r in refs] for name, refs in item.parts.items()},
            date=item.date,
            end=item.end,
            evidence=[Evidence.of(e) for e in item.evidence],
        )


class Entity(_Model):
    """Everything the graph says about one entity."""

    iri: str
    kind: str | None
    id: str | None
    lang: str = Field(description="Language of the labels in this response.")
    label: str
    labels: dict[str, str] = Field(description="The label in every language (by tag).")
    alt_labels: dict[str, list[str]] = Field(description="Other names, by language tag.")
    description: str | None = Field(None, description="Description or definition.")
    descriptions: dict[str, str] = Field(description="The description in every language.")
    types: list[Ref] = Field(description="Its classes, labelled.")
    statements: list[Statement] = Field(description="Every triple about it, out then in.")
    involvements: list[Involvement] = Field(description="n-ary nodes it takes part in.")
    as_of: str | None = Field(
        None, description="The day it is shown as of (?as_of=); None: everything the graph says."
    )
    dataset_version: str | None = Field(
        None, description="The dataset version this answer is made from (cite it with ?v=)."
    )

    @classmethod
    def of(cls, d: entities.Description) -> "Entity":
        return cls(
            iri=d.iri,
            kind=d.kind,
            id=d.id,
            lang=d.lang,
            label=d.label,
            labels=d.labels,
            alt_labels=d.alt_labels,
            description=d.description,
            descriptions=d.descriptions,
            types=[Ref.of(t) for t in d.types],
            statements=[Statement.of(s) for s in d.statements],
            involvements=[Involvement.of(i) for i in d.involvements],
            as_of=d.as_of,
        )


class EntitySummary(Ref):
    """An entity in a list."""

    description: str | None = Field(None, description="Its description or definition.")

    @classmethod
    def of_summary(cls, summary: entities.Summary) -> "EntitySummary":
        ref = summary.ref
        return cls(
            iri=ref.iri,
            label=ref.label,
            kind=ref.kind,
            id=ref.id,
            description=summary.description,
        )


T = TypeVar("T")


class Page(_Model, Generic[T]):
    """One page of a longer list."""

    lang: str = Field(description="Language of the labels in this response.")
    total: int = Field(description="How many items there are in all.")
    limit: int = Field(description="Most items per page.")
    offset: int = Field(description="Items skipped before this page.")
    next: str | None = Field(None, description="Link to the next page; None on the last.")
    items: list[T]


class SearchHit(_Model):
    """An entity whose name matches the query."""

    iri: str
    kind: str
    id: str
    label: str = Field(description="Its label in the response's language.")
    matched: str = Field(description="The name that matched (label or alternative name).")
    match: Literal["exact", "prefix", "token", "substring", "fuzzy"]
    score: float = Field(
        description="100 exact, 80–90 prefix, 60–70 token, 40–50 substring, ≤30 fuzzy."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def api(self) -> str:
        return f"/api/entities/{self.kind}/{self.id}"

    @classmethod
    def of(cls, hit: Hit) -> "SearchHit":
        return cls.model_validate(hit, from_attributes=True)


class SearchResults(Page[SearchHit]):
    query: str
    kind: str | None


# -- the network ---------------------------------------------------------------------------


class Node(_Model):
    """A node of the network projection (graph/network.py)."""

    iri: str
    kind: str
    id: str
    label: str = Field(description="Its label in the response's language.")
    labels: dict[str, str] = Field(description="Labels by language.")
    date: str | None = Field(None, description="Events: start date; mechanisms: attested.")
    end: str | None = Field(None, description="Dated nodes: end date, when stated.")
    status: str | None = Field(None, description="Mechanisms: status label.")
    lat: float | None = Field(None, description="Provinces: latitude.")
    long: float | None = Field(None, description="Provinces: longitude.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def api(self) -> str:
        return f"/api/entities/{self.kind}/{self.id}"

    @classmethod
    def of(cls, graph: Projection, iri: str, lang: str) -> "Node":
        a = graph.nodes[iri]
        labels = {tag: a[f"label_{tag}"] for tag in ("th", "en") if a.get(f"label_{tag}")}
        return cls(
            iri=iri,
            kind=a["kind"],
            id=a["id"],
            label=pick(labels, lang) or a["id"],
            labels=labels,
            date=a.get("date") or None,
            end=a.get("end_date") or None,
            status=a.get(f"status_{lang}") or None,
            lat=a.get("lat"),
            long=a.get("long"),
        )


class Edge(_Model):
    """An edge of the network projection: a triple, or a collapsed n-ary node."""

    key: str = Field(description="Unique among the edges between the same two nodes.")
    source: str = Field(description="IRI of the source node.")
    target: str = Field(description="IRI of the target node.")
    relation: str = Field(
        description="member_of, participated_in, represented, commits_to, part_of, promotes, …"
    )
    label: str = Field(description="Readable label, qualifier in brackets.")
    predicate: str | None = Field(None, description="RDF predicate (None when collapsed).")
    qualifier: Ref | None = Field(None, description="Role or capacity.")
    via: Ref | None = Field(None, description="The collapsed membership/participation/commitment.")
    event: str | None = Field(None, description="IRI of the event of a participation/commitment.")
    on_behalf_of: str | None = Field(None, description="IRI of the body a participant spoke for.")
    text: str | None = Field(None, description="A commitment's text.")
    date: str | None = None
    inferred: bool = Field(description="Every supporting statement is the curator's inference.")
    evidence: list[Evidence]

    @classmethod
    def of(cls, graph: Projection, u: str, v: str, key: str, lang: str) -> "Edge":
        a = graph.edges[u, v, key]
        label = a.get(f"label_{lang}") or a.get("label") or a["relation"]
        qualifier = via = None
        if a.get("qualifier"):
            shown = a.get(f"qualifier_{lang}") or a.get("qualifier_th") or a["qualifier"]
            qualifier = Ref.iri_only(a["qualifier"], shown)
        if a.get("via"):
            via = Ref.iri_only(a["via"], a.get("via_type") or a["via"])
        return cls(
            key=key,
            source=u,
            target=v,
            relation=a["relation"],
            label=label,
            predicate=a.get("predicate") or None,
            qualifier=qualifier,
            via=via,
            event=a.get("event") or None,
            on_behalf_of=a.get("on_behalf_of") or None,
            text=a.get(f"text_{lang}") or a.get("text_th") or None,
            date=a.get("date") or None,
            inferred=bool(a.get("inferred")),
            evidence=[Evidence.from_edge(r) for r in a.get("evidence", [])],
        )


class Subgraph(_Model):
    """Nodes and the edges between them."""

    lang: str
    nodes: list[Node]
    edges: list[Edge]

    @staticmethod
    def parts(graph: Projection, lang: str) -> tuple[list[Node], list[Edge]]:
        nodes = [Node.of(graph, n, lang) for n in sorted(graph.nodes)]
        edges = [Edge.of(graph, u, v, k, lang) for u, v, k in sorted(graph.edges(keys=True))]
        return nodes, edges


class Neighbourhood(Subgraph):
    center: Node
    depth: int


class PathStep(_Model):
    """One hop: two consecutive nodes and every edge between them (either direction)."""

    source: str
    target: str
    edges: list[Edge]


class PathResult(_Model):
    lang: str
    length: int = Field(description="Number of hops.")
    nodes: list[Node] = Field(description="From the start to the end.")
    steps: list[PathStep]


class Metric(_Model):
    rank: int = Field(description="1 for the most central (among the kind asked for).")
    node: Node
    score: float = Field(description="The centrality (normalised, 0–1).")
    degree: int = Field(description="Number of distinct neighbours.")


class Metrics(Page[Metric]):
    measure: Literal["degree", "betweenness"]
    kind: str | None


class Community(_Model):
    id: int = Field(description="1 for the largest community.")
    size: int
    label: str = Field(description="The label of its best-connected member.")
    members: list[Node] = Field(description="Best-connected first.")


class Communities(_Model):
    lang: str
    algorithm: str = Field(description="How the communities were found.")
    modularity: float
    total: int
    items: list[Community]


# -- time ----------------------------------------------------------------------------------


class TimelineItem(_Model):
    """A dated thing the entity takes part in (or the entity itself, when it is dated)."""

    date: str = Field(description="When it starts holding (ISO): its start date, else attested.")
    end: str | None = Field(None, description="When it ended (ISO), if the source says.")
    kind: str = Field(
        description="membership | participation | commitment | direction | mechanism | event …"
    )
    label: str = Field(description="What it is, read from the entity's point of view.")
    node: Ref = Field(description="The dated thing.")
    source: Ref | None = Field(None, description="The first source stating it.")
    quote: str | None = Field(None, description="That source's first quote, as published.")
    evidence: list[Evidence] = Field(description="Every source passage stating it.")

    @classmethod
    def of(cls, item: timeline.TimelineItem) -> "TimelineItem":
        return cls(
            date=item.date,
            end=item.end,
            kind=item.kind,
            label=item.label,
            node=Ref.of(item.node),
            source=Ref.of(item.source) if item.source else None,
            quote=item.quote,
            evidence=[Evidence.of(e) for e in item.evidence],
        )


class Timeline(_Model):
    """An entity's dated items in date order."""

    iri: str
    lang: str
    total: int
    items: list[TimelineItem]
    dataset_version: str | None = Field(
        None, description="The dataset version this answer is made from (cite it with ?v=)."
    )
