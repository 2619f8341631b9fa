"""The SPARQL 1.1 Protocol endpoint (https://www.w3.org/TR/sparql11-protocol/): queries, and
updates when writes are enabled (api/updates.py: a bearer token, graph.writes).

User queries never run in the web process: they go to the worker processes of
phakhi.graph.runner, which can be killed when a query runs past its time limit.
"""

import math
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol
from urllib.parse import parse_qsl

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute

from phakhi.api import errors
from phakhi.api.cache import CachedAnswer, CacheKey, ResultCache
from phakhi.api.deps import EngineDep, SettingsDep
from phakhi.api.negotiation import GRAPH_FORMATS, RESULT_FORMATS, TURTLE, Format, choose
from phakhi.api.query_shape import FORM_TYPE, QUERY_TYPE, UPDATE_TYPE, update_refused
from phakhi.api.remote_runner import RemoteRunner, VersionPoller
from phakhi.api.results import Answer, Outcome, QueryJob, execute
from phakhi.api.service_description import SD, description, serialize
from phakhi.api.settings import Settings
from phakhi.api.versioning import VERSION_HEADER, current_version
from phakhi.graph import runner
from phakhi.graph.remote import RemoteStore
from phakhi.graph.store import Engine, OxigraphStore
from phakhi.graph.writes import DerivedIndex, Writer

QueryRunner = runner.QueryRunner[QueryJob, Outcome]
# Queries a worker may have waiting for it; more are refused (busy). Over a remote store each
# waits on a thread; a query for the embedded workers waits as a future, cheap enough to let
# query_queue_wait, not the count, decide under load (8 a worker refused 4% of /sparql queries
# at 32 connections of mixed traffic, while waits stayed under a second).
QUEUED_PER_WORKER = 8
WAITING_PER_WORKER = 64


class Runs(Protocol):
    """What runs /sparql jobs: the worker pool (embedded) or api.remote_runner.RemoteRunner."""

    async def run(self, job: QueryJob) -> Outcome: ...


# -- reading the request ----------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]


def _params(pairs: list[tuple[str, str]], body_query: str | None = None) -> Params:
    if any(name == "update" for name, _ in pairs):
        raise update_refused("update")
    queries = [value for name, value in pairs if name == "query"]
    if body_query is not None and queries:
        raise errors.BadRequest("send the query either in the body or as query=, not both")
    if len(queries) > 1:
        raise errors.BadRequest(f"{len(queries)} query parameters; send exactly one query")
    query = body_query if body_query is not None else (queries[0] if queries else None)
    if query is not None and not query.strip():
        raise errors.BadRequest("the query is empty")
    return Params(
        query,
        graph_params(pairs, "default-graph-uri"),
        graph_params(pairs, "named-graph-uri"),
        tuple(value for name, value in pairs if name == "format"),
    )


def graph_params(pairs: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    """The IRIs given as parameter name (e.g. default-graph-uri); 400 for one that is not."""
    graphs = tuple(value for key, value in pairs if key == name)
    for graph in graphs:
        try:
            ox.NamedNode(graph)
        except ValueError as error:
            raise errors.BadRequest(
                f"{name} {graph!r} is not an IRI: {error}", detail={name: graph}
            ) from error
    return graphs


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise errors.BadRequest(f"the request body is not UTF-8: {error}") from error


async def _post_params(request: Request) -> Params:
    url_pairs = list(request.query_params.multi_items())
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type == FORM_TYPE:
        try:
            body = _decode(await request.body())
            body_pairs = parse_qsl(body, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as error:
            raise errors.BadRequest(f"the form is not UTF-8: {error}") from error
        return _params(url_pairs + body_pairs)
    if media_type == QUERY_TYPE:
        return _params(url_pairs, body_query=_decode(await request.body()))
    if media_type == UPDATE_TYPE:
        raise update_refused("update")
    raise errors.UnsupportedMediaType(
        f"Content-Type {media_type or '(none)'!r} is not accepted; "
        f"send {FORM_TYPE} (query=...) or {QUERY_TYPE}",
        detail={"supported": [FORM_TYPE, QUERY_TYPE]},
    )


# -- answering --------------------------------------------------------------------------------


def _runner(request: Request) -> Runs:
    found: Runs | None = getattr(request.app.state, "query_runner", None)
    if found is None:
        raise errors.PhakhiError(
            "the query workers are not running (the app's lifespan did not start them)"
        )
    return found


def _not_acceptable(offered: tuple[Format, ...]) -> errors.NotAcceptable:
    types = [fmt.media_type for fmt in offered]
    return errors.NotAcceptable(
        f"none of the formats of this result is acceptable; offered: {', '.join(types)}",
        detail={"offered": types},
    )


def _job(params: Params, request: Request, settings: Settings, version: str) -> QueryJob:
    """The job; the worker checks the query (api.query_shape.check_query) before evaluating."""
    accept = request.headers.get("accept")
    result_format = choose(params.formats, accept, RESULT_FORMATS)
    graph_format = choose(params.formats, accept, GRAPH_FORMATS)
    assert params.query is not None
    return QueryJob(
        query=params.query,
        default_graphs=params.default_graphs or None,
        named_graphs=params.named_graphs or None,
        result_type=result_format.media_type if result_format else None,
        graph_type=graph_format.media_type if graph_format else None,
        max_results=settings.max_results,
        max_bytes=settings.max_response_bytes,
        allowed_hosts=tuple(settings.service_allow_list),
        forms_only=isinstance(request.app.state.engine, RemoteStore),
        dataset_version=version,
    )


async def _run(request: Request, job: QueryJob, settings: Settings) -> Outcome:
    try:
        return await _runner(request).run(job)
    except runner.TimedOut as error:
        raise errors.QueryTimeout(str(error), detail={"query_timeout": error.limit}) from error
    except runner.Busy as error:
        _busy(str(error), settings)
    except runner.WorkerFailed as error:
        raise errors.PhakhiError(str(error)) from error


def _busy(message: str, settings: Settings) -> NoReturn:
    retry = max(1, math.ceil(settings.query_timeout))
    raise errors.Busy(message, detail={"retry_after": retry}, headers={"Retry-After": str(retry)})


def _response(body: bytes, media_type: str, settings: Settings) -> Response:
    headers = {"Content-Type": f"{media_type}; charset=utf-8", "Vary": "Accept"}
    if len(body) < settings.stream_min_bytes:
        return Response(body, headers=headers)
    # large: sent in chunks, so that gzip compresses (and the client reads) as it goes
    return StreamingResponse(_chunks(body), headers=headers)


async def _chunks(body: bytes, size: int = 1 << 16) -> AsyncIterator[bytes]:
    view = memoryview(body)
    for start in range(0, len(body), size):
        yield bytes(view[start : start + size])


def _respond(outcome: Outcome, settings: Settings) -> Response:
    if isinstance(outcome, Answer):
        return _response(outcome.body, outcome.media_type, settings)
    if outcome.code == "not_acceptable":
        graph = outcome.detail.get("form") == "graph"
        raise _not_acceptable(GRAPH_FORMATS if graph else RESULT_FORMATS)
    raise errors.by_code(outcome.code)(outcome.message, detail=outcome.detail)


def _cache_key(request: Request, params: Params) -> CacheKey | None:
    engine = request.app.state.engine
    if not isinstance(engine, OxigraphStore | RemoteStore) or not engine.version:
        return None
    assert params.query is not None
    return CacheKey(
        params.query,
        params.default_graphs,
        params.named_graphs,
        params.formats,
        request.headers.get("accept", ""),
        engine.version,
    )


async def _answer(request: Request, settings: Settings, params: Params) -> Response:
    engine = request.app.state.engine
    if isinstance(engine, RemoteStore):  # written to through another replica since?
        threads: anyio.CapacityLimiter = request.app.state.query_threads
        await anyio.to_thread.run_sync(engine.check_version, limiter=threads)
    version = current_version(request.app)
    response = await _answer_of(request, settings, params)
    if version:  # the version the answer was made from (the middleware's is the request's)
        response.headers[VERSION_HEADER] = version
    return response


async def _answer_of(request: Request, settings: Settings, params: Params) -> Response:
    assert params.query is not None
    cache: ResultCache | None = getattr(request.app.state, "result_cache", None)
    key = _cache_key(request, params) if cache is not None else None
    if cache is not None and key is not None:
        # only answers are cached, never a refusal: a hit passed every check
        hit = cache.get(key)
        if hit is not None:
            return _response(hit.body, hit.media_type, settings)
    job = _job(params, request, settings, key.version if key is not None else "")
    outcome = await _run(request, job, settings)
    if cache is not None and key is not None and isinstance(outcome, Answer):
        cache.put(key, CachedAnswer(outcome.media_type, outcome.body))
    return _respond(outcome, settings)


async def _describe(request: Request, engine: Engine, params: Params) -> Response:
    # a service description is RDF; anything but an RDF format asked for still gets Turtle
    fmt = choose(params.formats, request.headers.get("accept"), GRAPH_FORMATS) or TURTLE
    endpoint = str(request.url.replace(query="", fragment=""))
    graphs = await anyio.to_thread.run_sync(engine.graphs)  # a remote store: a request
    triples = description(endpoint, graphs)
    if getattr(request.app.state, "writer", None) is not None:  # updates, with the write token
        service, language = ox.BlankNode("service"), ox.NamedNode(SD + "supportedLanguage")
        triples.append(ox.Triple(service, language, ox.NamedNode(SD + "SPARQL11Update")))
    body = serialize(triples, fmt)
    return Response(body, headers={"Content-Type": fmt.content_type, "Vary": "Accept"})


# -- CORS, for reads only ---------------------------------------------------------------------
# Not an app-wide CORSMiddleware: writes must never be open to other origins. An update (marked
# by api/updates.py) and any request with an Authorization header get no CORS headers, and a
# preflight that asks for Authorization, for another method, or says application/sparql-update
# is not granted: a page of another origin cannot send a write, nor read the answer to one.


def _is_write(request: Request) -> bool:
    return "authorization" in request.headers or getattr(request.state, "write", False)


def _cors_headers(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    allowed: list[str] = request.app.state.settings.cors_origins
    if origin is None or _is_write(request):
        return {}
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}
    if origin in allowed:
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": "Retry-After",
            "Vary": "Origin",
        }
    return {}


def _with_vary(extra: dict[str, str], vary: str | None) -> dict[str, str]:
    """extra, its Vary added to the one already set."""
    if "Vary" in extra and vary:
        return extra | {"Vary": f"{vary}, {extra['Vary']}"}
    return extra


class CorsRoute(APIRoute):
    """Adds the CORS headers to every answer of the route, errors included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handle(request)
            except errors.PhakhiError as error:
                extra = _cors_headers(request)  # after the handler: it marks updates
                error.headers.update(_with_vary(extra, error.headers.get("Vary")))
                raise
            extra = _cors_headers(request)
            for name, value in _with_vary(extra, response.headers.get("Vary")).items():
                response.headers[name] = value
            return response

        return with_cors


router = APIRouter(tags=["sparql"], route_class=CorsRoute)

_GRAPH_PARAMS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": text,
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "style": "form",
        "explode": True,
    }
    for name, text in (
        ("default-graph-uri", "Graphs merged into the default graph (default: all of them)."),
        ("named-graph-uri", "Graphs GRAPH may see (default: all named graphs)."),
    )
]
_FORMAT_PARAM = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, jsonld, rdfxml "
    "(CONSTRUCT/DESCRIBE). Wins over the Accept header.",
    "schema": {"type": "string"},
}
_QUERY_PARAM = {
    "name": "query",
    "in": "query",
    "required": False,
    "description": "The SPARQL query; without it, GET returns the service description.",
    "schema": {"type": "string"},
}
_RESULT_TYPES: dict[str, dict[str, Any]] = {
    fmt.media_type: {} for fmt in RESULT_FORMATS + GRAPH_FORMATS
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The results, in the negotiated format.", "content": _RESULT_TYPES},
    204: {"description": "An update was applied (Phakhi-Dataset-Version: the new version)."},
    400: {"description": "Malformed query or update (with line and column), a bad parameter."},
    401: {"description": "An update without the write token (WWW-Authenticate: Bearer)."},
    403: {"description": "SERVICE or LOAD to a host not in service_allow_list; writes_disabled."},
    406: {"description": "No acceptable format for this query form."},
    413: {"description": "Over max_results, max_response_bytes, or max_write_bytes (updates)."},
    415: {"description": "A POST body that is neither a form, a query nor an update."},
    503: {"description": "query_timeout (the query was stopped) or busy (with Retry-After)."},
}
_DOC = """
Query via GET `?query=`, POST `application/x-www-form-urlencoded` (`query=`) or POST
`application/sparql-query` (the query as the body). `default-graph-uri` and `named-graph-uri`
(repeatable) set the dataset and override the query's FROM / FROM NAMED; without them the default
graph is the union of all named graphs, unless the query has its own FROM / FROM NAMED.

Results: SPARQL JSON (default), XML, CSV, TSV for SELECT/ASK; Turtle (default), N-Triples,
JSON-LD, RDF/XML for CONSTRUCT/DESCRIBE; chosen by Accept (q-values, wildcards) or `format=`.

Limits: a query runs at most `query_timeout` seconds (then it is stopped: 503 query_timeout);
when every worker is busy for `query_queue_wait` seconds: 503 busy with Retry-After. A result of
more than `max_results` rows (SELECT) or triples (CONSTRUCT/DESCRIBE), or a body over
`max_response_bytes`, is refused whole with 413 too_large (never truncated): page with
LIMIT/OFFSET. SERVICE is refused (403) unless its host is in `service_allow_list`. Queries are
open to other origins per `cors_origins`; writes never are.

Updates (SPARQL 1.1 Update), only when a write token is configured (else 403 writes_disabled):
POST `update=` as a form or the update itself as `application/sparql-update`, with
`Authorization: Bearer <token>` (else 401); `using-graph-uri` / `using-named-graph-uri` give
the dataset of its WHERE. LOAD needs a host in `service_allow_list`. 204 once the update is on
disk and visible to every read.
"""


@router.get(
    "/sparql",
    summary="SPARQL query (GET), or the service description without ?query=",
    description=_DOC,
    responses=_RESPONSES,
    openapi_extra={"parameters": [_QUERY_PARAM, *_GRAPH_PARAMS, _FORMAT_PARAM]},
)
async def sparql_get(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    params = _params(list(request.query_params.multi_items()))
    if params.query is None:
        return await _describe(request, engine, params)
    return await _answer(request, settings, params)


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST: a form, or the query or update itself as the body)",
    description=_DOC,
    responses=_RESPONSES,
    openapi_extra={
        "parameters": [*_GRAPH_PARAMS, _FORMAT_PARAM],
        "requestBody": {
            "required": True,
            "content": {
                FORM_TYPE: {
                    "schema": {"type": "object", "properties": {"query": {}, "update": {}}}
                },
                QUERY_TYPE: {"schema": {"type": "string"}},
                UPDATE_TYPE: {"schema": {"type": "string"}},
            },
        },
    },
)
async def sparql_post(request: Request, settings: SettingsDep) -> Response:
    from phakhi.api import updates  # imported here: it builds on this module

    if await updates.is_update(request):
        return await updates.answer(request, settings)
    params = await _post_params(request)
    if params.query is None:
        raise errors.BadRequest(
            f"no query: send query=... as {FORM_TYPE}, or the query itself as {QUERY_TYPE}"
        )
    return await _answer(request, settings, params)


def _asks_to_write(request: Request) -> bool:
    """A preflight for what no other origin may do: send a token, an update, another method."""
    asked = request.headers.get("access-control-request-headers", "").lower()
    method = request.headers.get("access-control-request-method", "POST").upper()
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    names = {name.strip() for name in asked.split(",")}
    return "authorization" in names or method not in ("GET", "POST") or media_type == UPDATE_TYPE


@router.options("/sparql", include_in_schema=False)
async def sparql_preflight(request: Request) -> Response:
    headers = {"Allow": "GET, POST, OPTIONS"}
    if _asks_to_write(request):
        request.state.write = True  # not granted: CorsRoute adds nothing either
        return Response(status_code=204, headers=headers)
    if _cors_headers(request):
        headers |= {
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": "Accept, Content-Type",
            "Access-Control-Max-Age": "600",
        }
    return Response(status_code=204, headers=headers)


# -- the workers' life ------------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the query workers with the app, and stop them with it."""
    engine = app.state.engine
    if isinstance(engine, RemoteStore):  # the store does the work: nothing to hand workers
        async with _remote(app, engine):
            yield
        return
    if not isinstance(engine, OxigraphStore):
        yield
        return
    if engine.path is not None:  # the workers open the on-disk store read-only
        writer: Writer | None = getattr(app.state, "writer", None)
        # a store that is written to is read from its snapshots, never in place (graph.writes)
        try:
            async with _running(app, writer.snapshot() if writer else engine.path):
                if writer is not None:
                    writer.attach(app.state.query_runner)
                yield
        finally:
            if writer is not None:
                writer.detach()
        return
    with tempfile.TemporaryDirectory(prefix="phakhi-") as folder:
        dataset = Path(folder) / "dataset.nq"
        engine.store.dump(dataset, format=ox.RdfFormat.N_QUADS)
        async with _running(app, dataset):
            yield


@asynccontextmanager
async def _remote(app: FastAPI, store: RemoteStore) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # a query waiting for the store parks a thread: a pool of its own leaves the other routes
    # theirs
    app.state.query_threads = anyio.CapacityLimiter(QUEUED_PER_WORKER * settings.query_workers)
    app.state.query_runner = RemoteRunner(
        store,
        workers=settings.query_workers,
        timeout=settings.query_timeout,
        queue_wait=settings.query_queue_wait,
        threads=app.state.query_threads,
    )
    derived: list[DerivedIndex[Any]] = getattr(app.state, "derived", [])

    def retry_failed_rebuilds() -> None:  # an index rebuild that met the store down
        for index in derived:
            index.retry()

    poller = VersionPoller(store, settings.store_poll_seconds, retry_failed_rebuilds)
    poller.start()
    try:
        yield
    finally:
        app.state.query_runner = None
        await anyio.to_thread.run_sync(poller.stop)
        for index in derived:  # their requests need the client open
            await anyio.to_thread.run_sync(index.join, settings.store_timeout)
        store.close()


@asynccontextmanager
async def _running(app: FastAPI, dataset: Path) -> AsyncIterator[None]:
    query_runner = _new_runner(app.state.settings, dataset)
    await anyio.to_thread.run_sync(query_runner.start)
    app.state.query_runner = query_runner
    try:
        yield
    finally:
        app.state.query_runner = None
        query_runner.close()  # on the loop's thread, which reads the workers' sockets


def _new_runner(settings: Settings, dataset: Path) -> QueryRunner:
    return runner.QueryRunner(
        dataset,
        execute,
        workers=settings.query_workers,
        timeout=settings.query_timeout,
        queue_wait=settings.query_queue_wait,
        max_waiting=WAITING_PER_WORKER * settings.query_workers,
    )
