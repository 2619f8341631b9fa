"""The network projection: neighbourhoods, shortest paths, centrality and communities."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from phakhi.api.deps import AsOf, LangDep, NetworkDep, PaginationDep
from phakhi.api.errors import BadRequest, NotFound
from phakhi.api.routes.entities import ID_PATTERN
from phakhi.api.schemas import (
    Communities,
    Community,
    Edge,
    Metric,
    Metrics,
    Neighbourhood,
    Node,
    PathResult,
    PathStep,
    Subgraph,
)
from phakhi.graph.labels import ID_BASE, collation_key, entity_iri
from phakhi.graph.model import Kind
from phakhi.graph.network import Network
from phakhi.graph.timeline import network_as_of

router = APIRouter(prefix="/api", tags=["network"])


class NotInNetwork(NotFound):
    code = "not_in_network"


class NoPath(NotFound):
    code = "no_path"


def node_iri(network: Network, reference: str, name: str) -> str:
    """The node named by "kind/id" or a full IRI; BadRequest if malformed, NotInNetwork if
    the network has no such node."""
    if reference.startswith(ID_BASE):
        iri = reference
    else:
        kind, _, ident = reference.strip("/").partition("/")
        try:
            iri = entity_iri(kind, ident)
        except ValueError as error:
            raise BadRequest(
                f"{name}: expected kind/id (e.g. agency/codi) or an entity IRI: {error}",
                detail={name: reference},
            ) from error
    if iri not in network:
        as_of = network.graph.graph.get("as_of")
        when = f" as of {as_of}" if as_of else ""
        raise NotInNetwork(f"{name}: {reference!r} is not in the network{when}", detail={name: iri})
    return iri


@router.get(
    "/entities/{kind}/{id}/neighbours",
    response_model=Neighbourhood,
    summary="An entity's neighbourhood in the network",
    description=(
        "Every node within `depth` hops of the entity (edges followed in either direction) "
        "and the edges between them. Memberships, participations and commitments appear as "
        "labelled edges with their evidence. `as_of` shows the network as it stood on that "
        "day. 404 when the entity is not a node of the network (unknown, a role/capacity/"
        "status, which are edge attributes, or, with as_of, an event or mechanism dated later)."
    ),
    responses={404: {"description": "Not in the network."}},
)
def neighbours(
    network: NetworkDep,
    lang: LangDep,
    kind: Annotated[Kind, Path(description="The entity's kind.")],
    id: Annotated[str, Path(pattern=ID_PATTERN, description="The entity's id.")],
    depth: Annotated[int, Query(ge=1, le=3, description="Hops from the entity (1-3).")] = 1,
    as_of: AsOf = None,
) -> Neighbourhood:
    network = network_as_of(network, as_of)
    iri = node_iri(network, f"{kind}/{id}", "entity")
    nodes, edges = Subgraph.parts(network.neighbours(iri, depth), lang)
    center = Node.of(network.graph, iri, lang)
    return Neighbourhood(lang=lang, center=center, depth=depth, nodes=nodes, edges=edges)


@router.get(
    "/paths",
    response_model=PathResult,
    summary="A shortest path between two entities",
    description=(
        "A shortest chain of edges (followed in either direction) linking two entities, with "
        "every edge of each hop, labelled, with its evidence; `as_of`: in the network as it "
        "stood on that day. 404 when either entity is not "
        "in the network (code not_in_network) or they are not connected (code no_path)."
    ),
    responses={404: {"description": "Not in the network, or no path."}},
)
def paths(
    network: NetworkDep,
    lang: LangDep,
    source: Annotated[
        str,
        Query(alias="from", max_length=300, description="kind/id (agency/codi) or an IRI."),
    ],
    target: Annotated[
        str, Query(alias="to", max_length=300, description="kind/id (province/TH-23) or an IRI.")
    ],
    as_of: AsOf = None,
) -> PathResult:
    network = network_as_of(network, as_of)
    a, b = node_iri(network, source, "from"), node_iri(network, target, "to")
    found = network.shortest_path(a, b)
    if found is None:
        raise NoPath(f"no path between {source} and {target}", detail={"from": a, "to": b})
    graph = network.graph
    steps = [
        PathStep(
            source=step.source,
            target=step.target,
            edges=[Edge.of(graph, u, v, k, lang) for u, v, k, _ in step.edges],
        )
        for step in found.steps
    ]
    nodes = [Node.of(graph, n, lang) for n in found.nodes]
    return PathResult(lang=lang, length=len(steps), nodes=nodes, steps=steps)


@router.get(
    "/metrics",
    response_model=Metrics,
    summary="Entities ranked by centrality",
    description=(
        "Degree centrality (distinct neighbours / (n - 1)) or exact normalised betweenness "
        "centrality, on the network with directions and parallel edges ignored; highest "
        "first, ties by label then IRI. `kind` restricts the list (scores are computed on "
        "the whole network); `as_of` computes them on the network as it stood on that day."
    ),
)
def metrics(
    request: Request,
    network: NetworkDep,
    lang: LangDep,
    page: PaginationDep,
    measure: Annotated[
        Literal["degree", "betweenness"], Query(description="degree or betweenness.")
    ] = "degree",
    kind: Annotated[Kind | None, Query(description="Only nodes of this kind.")] = None,
    as_of: AsOf = None,
) -> Metrics:
    network = network_as_of(network, as_of)
    ranked = network.ranking(measure, kind)
    items = [
        Metric(
            rank=page.offset + index + 1,
            node=Node.of(network.graph, iri, lang),
            score=round(score, 6),
            degree=network.simple.degree(iri),
        )
        for index, (iri, score) in enumerate(page.window(ranked))
    ]
    return Metrics(
        lang=lang,
        measure=measure,
        kind=kind,
        total=len(ranked),
        limit=page.limit,
        offset=page.offset,
        next=page.next_link(request, len(ranked)),
        items=items,
    )


@router.get(
    "/communities",
    response_model=Communities,
    summary="Communities of the network",
    description=(
        "Groups of densely linked entities found by greedy modularity maximisation "
        "(networkx, deterministic), largest first; members best-connected first. "
        "Communities smaller than min_size (by default isolated entities) are left out. "
        "`as_of`: the communities of the network as it stood on that day."
    ),
)
def communities(
    network: NetworkDep,
    lang: LangDep,
    min_size: Annotated[
        int, Query(ge=1, le=1000, description="Smallest community to list (default 2).")
    ] = 2,
    as_of: AsOf = None,
) -> Communities:
    network = network_as_of(network, as_of)
    graph, simple = network.graph, network.simple
    items = []
    for number, members in enumerate(network.communities, start=1):
        if len(members) < min_size:
            continue
        nodes = [Node.of(graph, iri, lang) for iri in members]
        nodes.sort(key=lambda n: (-simple.degree(n.iri), collation_key(n.label), n.iri))
        items.append(Community(id=number, size=len(nodes), label=nodes[0].label, members=nodes))
    return Communities(
        lang=lang,
        algorithm="greedy_modularity_communities (networkx)",
        modularity=round(network.modularity, 6),
        total=len(items),
        items=items,
    )
