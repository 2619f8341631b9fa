"""Downloads: the graph in RDF syntaxes, and the network for Gephi, Cytoscape and spreadsheets.

Every response streams (chunks of the deterministic export, see graph.export) and carries
`Content-Disposition: attachment; filename="phakhi-…"`. An unknown source or entity is a 404
in the one error shape, decided before the first byte is sent.

Threads. An RDF export's generator holds pyoxigraph query results (QuerySolutions), which may
only be used, and must be dropped, on the thread that made them; Starlette would pull a sync
iterator on any thread of its pool (two requests at once: a panic). So each response pulls its
chunks on one thread of its own (ExportResponse), and closes the generator there. The handlers
themselves read the engine to the end before they return (the 404 checks, the ontology's
version, an entity's neighbourhood, the blank-node statements): nothing of pyoxigraph's but
terms (which any thread may use) leaves their thread.
"""

import asyncio
import traceback
from collections.abc import AsyncIterator, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, StreamingResponse
from starlette.types import Receive, Scope, Send

from phakhi.api.deps import EngineDep, get_network
from phakhi.api.errors import NotFound
from phakhi.graph import export
from phakhi.graph.export import FORMATS, ExportNotFound, Format
from phakhi.graph.network import Network
from phakhi.graph.paths import ONTOLOGY_DIR

router = APIRouter(prefix="/export", tags=["export"])
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
# The projection built at start-up (graph.network.project), shared with the network routes.
NetworkDep = Annotated[Network, Depends(get_network)]


class GraphFormat(StrEnum):
    """A syntax for one graph (named graphs merged)."""

    ttl = "ttl"
    nt = "nt"
    rdf = "rdf"
    jsonld = "jsonld"


class DatasetFormat(StrEnum):
    """A syntax that keeps the named graphs (one per source), so provenance survives."""

    trig = "trig"
    nq = "nq"
    jsonld = "jsonld"


class NetworkFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"


_BY_EXTENSION = {f.extension: f for f in FORMATS.values()}


def _documented(*formats: str, not_found: bool = False) -> dict[int | str, dict[str, Any]]:
    content: dict[str, Any] = {FORMATS[name].media_type.split(";")[0]: {} for name in formats}
    responses: dict[int | str, dict[str, Any]] = {
        200: {"content": content, "description": "The file, streamed, as an attachment."}
    }
    if not_found:
        responses[404] = {"description": "No such source or entity (the one error shape)."}
    return responses


def _next(chunks: Iterator[bytes]) -> bytes | None:
    try:
        return next(chunks, None)
    except Exception as error:
        # the traceback keeps the export's frames, and through them its query results, alive
        # until the event loop drops it: drop them here, on their thread
        traceback.clear_frames(error.__traceback__)
        raise


def _close(chunks: Iterator[bytes]) -> None:
    if isinstance(chunks, Generator):
        chunks.close()


class ExportResponse(StreamingResponse):
    """Streams a sync export whose every step runs on one thread of its own (see above)."""

    def __init__(self, chunks: Iterator[bytes], media_type: str, headers: dict[str, str]) -> None:
        self.chunks = chunks
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phakhi-export")
        super().__init__(self._pulled(), media_type=media_type, headers=headers)

    async def _pulled(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        while (chunk := await loop.run_in_executor(self.pool, _next, self.chunks)) is not None:
            yield chunk

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # queued behind a pull still running when the client went away: the generator is
            # closed on its own thread, which then ends
            self.pool.submit(_close, self.chunks)
            self.pool.shutdown(wait=False)


def _attachment(chunks: Iterator[bytes], fmt: Format, what: str) -> StreamingResponse:
    name = export.file_name(what, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return ExportResponse(chunks, fmt.media_type, headers)


def _rdf(ext: str) -> Format:
    return _BY_EXTENSION[ext]


@router.get(
    "/graph.{ext}",
    summary="The whole graph",
    responses=_documented("ttl", "nt", "rdfxml", "jsonld"),
)
def graph_file(engine: EngineDep, ext: GraphFormat) -> StreamingResponse:
    """Every statement of every graph, merged (the default graph is their union): Turtle,
    N-Triples, RDF/XML (Protégé) or JSON-LD with the published context inline."""
    fmt = _rdf(ext.value)
    return _attachment(export.export_rdf(engine, fmt), fmt, "graph")


@router.get(
    "/dataset.{ext}",
    summary="Everything, with its named graphs",
    responses=_documented("trig", "nq", "jsonld"),
)
def dataset_file(engine: EngineDep, ext: DatasetFormat) -> StreamingResponse:
    """Every named graph (one per source file, the reference files, the ontology) under its
    name, so each statement keeps its provenance: TriG, N-Quads or JSON-LD."""
    fmt = _rdf(ext.value)
    return _attachment(export.export_rdf(engine, fmt, named=True), fmt, "dataset")


@router.get(
    "/ontology.{ext}",
    summary="The ontology alone",
    responses=_documented("ttl", "nt", "rdfxml", "jsonld", not_found=True),
)
def ontology_file(engine: EngineDep, ext: GraphFormat) -> StreamingResponse:
    """The ontology's graph with its owl:versionInfo; the file name carries the version."""
    fmt = _rdf(ext.value)
    try:
        chunks = export.export_ontology(engine, fmt)
    except ExportNotFound as error:
        raise NotFound(str(error)) from error
    version = export.ontology_version(engine)
    return _attachment(chunks, fmt, f"ontology-{version}" if version else "ontology")


@router.get(
    "/sources/{source_id:path}.{ext}",
    summary="One source's named graph",
    responses=_documented("ttl", "nt", "rdfxml", "jsonld", not_found=True),
)
def source_file(engine: EngineDep, source_id: str, ext: GraphFormat) -> StreamingResponse:
    """A source document's graph: its metadata, what it states and the evidence (quotes).
    `reference/<name>` gives a reference file's graph (`reference/provinces`)."""
    fmt = _rdf(ext.value)
    try:
        chunks = export.export_source(engine, source_id, fmt)
    except ExportNotFound as error:
        raise NotFound(f"no source {source_id!r}", detail={"source": source_id}) from error
    return _attachment(chunks, fmt, f"source-{source_id}")


@router.get(
    "/entities/{kind}/{ident}.{ext}",
    summary="One entity's neighbourhood",
    responses=_documented("ttl", "nt", "rdfxml", "jsonld", not_found=True),
)
def entity_file(engine: EngineDep, kind: str, ident: str, ext: GraphFormat) -> StreamingResponse:
    """The entity's concise bounded description, the statements pointing at it (with the whole
    of its memberships and participations), the evidence of all of them, and the labels of
    everything they mention. `kind`/`ident` as in its IRI: /id/person/wichai-nasuwanno."""
    fmt = _rdf(ext.value)
    try:
        chunks = export.export_entity(engine, kind, ident, fmt)
    except ExportNotFound as error:
        detail = {"kind": kind, "id": ident}
        raise NotFound(f"no entity {kind}/{ident}", detail=detail) from error
    return _attachment(chunks, fmt, f"{kind}-{ident}")


@router.get(
    "/network.{ext}",
    summary="The network (GraphML, GEXF)",
    responses=_documented("graphml", "gexf"),
)
def network_file(network: NetworkDep, ext: NetworkFormat) -> StreamingResponse:
    """The networkx projection (entities as nodes, relations as edges) for Gephi or Cytoscape:
    labels th/en, kinds, IRIs and the sources of each edge as attributes."""
    fmt = FORMATS[ext.value]
    graph = network.graph
    chunks = export.graphml(graph) if ext is NetworkFormat.graphml else export.gexf(graph)
    return _attachment(chunks, fmt, "network")


@router.get("/nodes.csv", summary="The network's nodes (CSV)", responses=_documented("csv"))
def nodes_file(network: NetworkDep, bom: bool = True) -> StreamingResponse:
    """Id, Label and the node attributes. UTF-8 with a byte-order mark, which Excel needs to
    show Thai (`bom=false` leaves it out)."""
    chunks = export.nodes_csv(network.graph, bom=bom)
    return _attachment(chunks, FORMATS["csv"], "nodes")


@router.get("/edges.csv", summary="The network's edges (CSV)", responses=_documented("csv"))
def edges_file(network: NetworkDep, bom: bool = True) -> StreamingResponse:
    """Source, Target, Type, Key, Label and the edge attributes (sources: the IRIs of the
    source documents, joined with " | "). UTF-8 with a byte-order mark unless `bom=false`."""
    chunks = export.edges_csv(network.graph, bom=bom)
    return _attachment(chunks, FORMATS["csv"], "edges")


@router.get(
    "/context.jsonld",
    summary="The published JSON-LD @context",
    responses={200: {"content": {"application/ld+json": {}}}},
)
def context_file() -> FileResponse:
    """The prefixes every export uses, as a JSON-LD context (also inline in each JSON-LD file)."""
    return FileResponse(Path(CONTEXT_FILE), media_type="application/ld+json")
