"""The SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/) at
/store, with indirect graph identification: `?graph=<IRI>` for a named graph, `?default` for the
store's default graph (its own, not the union of all graphs that /sparql queries by default).

- GET (and HEAD): the graph, open like every read; Turtle (default), N-Triples, JSON-LD or
  RDF/XML by Accept (or format=); 404 for a named graph that does not exist.
- PUT: the graph becomes the body; POST: the body is added to it. 201 when the graph did not
  exist, else 204. DELETE: 204, or 404 for a named graph that does not exist.

Writes need the write token (api/auth.py) and go through graph.writes.Writer: one transaction,
durable and visible before the answer. Bodies: Turtle, N-Triples, RDF/XML or JSON-LD by
Content-Type (415 otherwise), at most max_write_bytes (413), triples only (a graph is a set of
triples: a named graph inside a JSON-LD body is refused). A body that does not parse is 400
malformed_rdf with the parser's message. RDF/XML is parsed by pyoxigraph, which never fetches
external entities or DTDs (a SYSTEM entity is a syntax error); internal entities are expanded,
so a body whose entities refer to other entities (the "billion laughs") or would expand past
max_write_bytes is refused before parsing. JSON-LD remote contexts are never fetched either.

No CORS headers, ever: /store is not for other origins' pages.
"""

from typing import Annotated

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from phakhi.api import errors
from phakhi.api.auth import WriterDep
from phakhi.api.deps import EngineDep, SettingsDep
from phakhi.api.negotiation import GRAPH_FORMATS, choose
from phakhi.api.results import PREFIXES
from phakhi.api.settings import Settings
from phakhi.api.updates import media_type, read_body, run_write
from phakhi.api.versioning import VERSION_HEADER
from phakhi.graph import xml_entities
from phakhi.graph.store import Engine, OxigraphStore
from phakhi.graph.writes import GraphTarget, Written

BODY_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


class MalformedRdf(errors.BadRequest):
    code = "malformed_rdf"


class UnsafeXml(errors.BadRequest):
    code = "unsafe_xml"


def graph_target(request: Request) -> GraphTarget:
    """?graph=<IRI> or ?default (exactly one)."""
    graphs = request.query_params.getlist("graph")
    default = "default" in request.query_params
    if default + len(graphs) != 1:
        raise errors.BadRequest(
            "name one graph: ?graph=<absolute IRI> for a named graph, or ?default for the "
            "default graph",
            detail={"graph": graphs, "default": default},
        )
    if default:
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(graphs[0])
    except ValueError as error:
        raise errors.BadRequest(
            f"graph {graphs[0]!r} is not an absolute IRI: {error}", detail={"graph": graphs[0]}
        ) from error


Target = Annotated[GraphTarget, Depends(graph_target)]


def _graph_body(engine: Engine, graph: GraphTarget, fmt: ox.RdfFormat) -> bytes | None:
    """The graph written in fmt; None when there is no such named graph."""
    if isinstance(engine, OxigraphStore):
        if isinstance(graph, ox.NamedNode) and not engine.store.contains_named_graph(graph):
            return None
        return engine.store.dump(format=fmt, from_graph=graph, prefixes=PREFIXES) or b""
    if not isinstance(graph, ox.NamedNode) or graph.value not in engine.graphs():
        return None  # a remote store's default graph is not part of the dataset
    found = engine.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    assert isinstance(found, ox.QueryTriples)
    return ox.serialize(found, format=fmt, prefixes=PREFIXES) or b""


def _no_graph(graph: GraphTarget) -> errors.NotFound:
    name = graph.value if isinstance(graph, ox.NamedNode) else "default"
    return errors.NotFound(f"no graph {graph} in the store", detail={"graph": name})


def _answer(written: Written) -> Response:
    """201 when the graph was created, else 204; with the new dataset version."""
    status = 201 if written.created else 204
    return Response(status_code=status, headers={VERSION_HEADER: written.version})


# -- reading a body ------------------------------------------------------------------------------


def check_entities(body: bytes, limit: int) -> None:
    """Refuse an RDF/XML body whose internal entities nest or would expand past limit bytes
    (graph.xml_entities: the one check of RDF/XML from users, --data files too)."""
    try:
        xml_entities.check_entities(body, limit)
    except xml_entities.UnsafeXml as error:
        raise UnsafeXml(f"the RDF/XML body is refused: {error} (max_write_bytes)") from error


def parse_triples(body: bytes, fmt: ox.RdfFormat, base_iri: str, limit: int) -> list[ox.Triple]:
    """The triples of body, or 400 with the parser's message."""
    if fmt == ox.RdfFormat.RDF_XML:
        check_entities(body, limit)
    try:
        quads = list(ox.parse(body, fmt, base_iri=base_iri))
    except (SyntaxError, ValueError) as error:
        raise MalformedRdf(f"the body is not valid {fmt.name}: {error}") from error
    if any(not isinstance(quad.graph_name, ox.DefaultGraph) for quad in quads):
        raise errors.BadRequest("the body names graphs: a Graph Store body is one graph")
    return [quad.triple for quad in quads]


async def _triples(request: Request, graph: GraphTarget, settings: Settings) -> list[ox.Triple]:
    kind = media_type(request)
    fmt = BODY_FORMATS.get(kind)
    if fmt is None:
        raise errors.UnsupportedMediaType(
            f"Content-Type {kind or '(none)'!r} is not accepted; send Turtle, N-Triples, "
            "RDF/XML or JSON-LD",
            detail={"supported": sorted(BODY_FORMATS)},
        )
    body = await read_body(request, settings.max_write_bytes)
    # relative IRIs in the body resolve against the graph's IRI (or /store for the default)
    here = str(request.url.remove_query_params(["default"]))
    base = graph.value if isinstance(graph, ox.NamedNode) else here
    limit = settings.max_write_bytes
    return await anyio.to_thread.run_sync(lambda: parse_triples(body, fmt, base, limit))


# -- the routes ----------------------------------------------------------------------------------

router = APIRouter(tags=["graph store"])
_TARGET = {
    "parameters": [
        {
            "name": "graph",
            "in": "query",
            "required": False,
            "description": "The named graph (an absolute IRI); or give `default` instead.",
            "schema": {"type": "string", "format": "iri"},
        },
        {
            "name": "default",
            "in": "query",
            "required": False,
            "description": "Present (empty): the store's own default graph.",
            "schema": {"type": "string", "enum": [""]},
            "allowEmptyValue": True,
        },
    ]
}
_WRITE_RESPONSES: dict[int | str, dict[str, str]] = {
    201: {"description": "The graph did not exist and was created."},
    204: {"description": "Done; Phakhi-Dataset-Version names the new version."},
    400: {"description": "No or two graphs named, a body that does not parse (malformed_rdf)."},
    401: {"description": "No or a wrong bearer token (WWW-Authenticate: Bearer)."},
    403: {"description": "writes_disabled: no write token is configured."},
    413: {"description": "A body over max_write_bytes."},
    415: {"description": "A body neither Turtle, N-Triples, RDF/XML nor JSON-LD."},
}


@router.head("/store", include_in_schema=False)
@router.get(
    "/store",
    summary="Graph Store: read a graph",
    openapi_extra=_TARGET,
    responses={404: {"description": "No such named graph."}},
)
async def get_graph(
    request: Request, graph: Target, engine: EngineDep, settings: SettingsDep
) -> Response:
    formats = tuple(request.query_params.getlist("format"))
    chosen = choose(formats, request.headers.get("accept"), GRAPH_FORMATS)
    if chosen is None:
        types = [fmt.media_type for fmt in GRAPH_FORMATS]
        raise errors.NotAcceptable(
            f"none of the formats of a graph is acceptable; offered: {', '.join(types)}",
            detail={"offered": types},
        )
    fmt = ox.RdfFormat.from_media_type(chosen.media_type)
    assert fmt is not None
    body = await anyio.to_thread.run_sync(lambda: _graph_body(engine, graph, fmt))
    if body is None:
        raise _no_graph(graph)
    if len(body) > settings.max_response_bytes:
        raise errors.TooLarge(
            f"the graph is larger than {settings.max_response_bytes} bytes "
            "(max_response_bytes): query it in pages at /sparql",
            detail={"max_response_bytes": settings.max_response_bytes},
        )
    return Response(body, headers={"Content-Type": chosen.content_type, "Vary": "Accept"})


@router.put(
    "/store",
    summary="Graph Store: replace a graph",
    responses=_WRITE_RESPONSES,
    openapi_extra=_TARGET,
)
async def put_graph(
    request: Request, writer: WriterDep, graph: Target, settings: SettingsDep
) -> Response:
    triples = await _triples(request, graph, settings)
    return _answer(await run_write(lambda: writer.replace_graph(graph, triples)))


@router.post(
    "/store",
    summary="Graph Store: add to a graph",
    responses=_WRITE_RESPONSES,
    openapi_extra=_TARGET,
)
async def post_graph(
    request: Request, writer: WriterDep, graph: Target, settings: SettingsDep
) -> Response:
    triples = await _triples(request, graph, settings)
    return _answer(await run_write(lambda: writer.add_to_graph(graph, triples)))


@router.delete(
    "/store",
    summary="Graph Store: delete a graph",
    openapi_extra=_TARGET,
    responses={**_WRITE_RESPONSES, 404: {"description": "No such named graph."}},
)
async def delete_graph(writer: WriterDep, graph: Target) -> Response:
    written = await run_write(lambda: writer.drop_graph(graph))
    if written is None:
        raise _no_graph(graph)
    return _answer(written)


@router.options("/store", include_in_schema=False)
async def store_options() -> Response:
    return Response(status_code=204, headers={"Allow": ALLOW})
