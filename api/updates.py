"""SPARQL 1.1 Update over the SPARQL 1.1 Protocol (section 2.2), at POST /sparql.

An update is `update=` in an application/x-www-form-urlencoded body, or the body itself with
Content-Type application/sparql-update; `using-graph-uri` and `using-named-graph-uri`
(repeatable; in the form, or in the URL for a direct POST) give the dataset of its WHERE
clauses, as USING / USING NAMED would. In order:

1. the write token (api/auth.py: 403 writes_disabled, 401 unauthorized), before any body is read
   for a direct POST;
2. the body, at most `max_write_bytes` (413 too_large);
3. the update is read, not run: a query sent as an update is refused (400); LOAD and SERVICE
   need a host in service_allow_list, as SERVICE in queries does (403);
4. graph.writes.Writer.update runs it in one transaction and acknowledges only once it is on
   disk and visible to readers: 204 No Content, with the new Phakhi-Dataset-Version. A malformed
   update is 400 malformed_update (with pyoxigraph's line and column); one that fails while
   running (e.g. DROP GRAPH of a graph that does not exist) is 400 update_failed, and changes
   nothing.

Updates run in the web process, on the live store, without a time limit (pyoxigraph cannot
stop one): they are for the holders of the write token.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import parse_qsl

import anyio
from fastapi import Request, Response

from phakhi.api import errors
from phakhi.api.auth import writer_for
from phakhi.api.query_shape import (
    FORM_TYPE,
    QUERY_FORMS,
    UPDATE_TYPE,
    analyse,
    refuse_services,
    token_spans,
)
from phakhi.api.routes.sparql import graph_params
from phakhi.api.settings import Settings
from phakhi.api.versioning import VERSION_HEADER
from phakhi.graph.writes import CommitFailed

T = TypeVar("T")

USING_PARAMS = ("using-graph-uri", "using-named-graph-uri")


class MalformedUpdate(errors.BadRequest):
    code = "malformed_update"


class UpdateFailed(errors.BadRequest):
    code = "update_failed"


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def is_update(request: Request) -> bool:
    """A POST to /sparql that carries an update rather than a query."""
    kind = media_type(request)
    if kind == UPDATE_TYPE:
        return True
    if kind != FORM_TYPE:
        return False
    try:  # the body is kept by Starlette: the query path reads it again for free
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        return False  # the query path says what is wrong with it
    return any(name == "update" for name, _ in parse_qsl(text, keep_blank_values=True))


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to exceed limit bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> errors.TooLarge:
    return errors.TooLarge(
        f"the request body is larger than {limit} bytes (the max_write_bytes setting)",
        detail={"max_write_bytes": limit},
    )


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise errors.BadRequest(f"the update is not UTF-8: {error}") from error


async def _update_and_pairs(request: Request, limit: int) -> tuple[str, list[tuple[str, str]]]:
    pairs = list(request.query_params.multi_items())
    if media_type(request) == UPDATE_TYPE:
        if any(name == "update" for name, _ in pairs):
            raise errors.BadRequest("send the update either as the body or as update=, not both")
        return _text(await read_body(request, limit)), pairs
    pairs += parse_qsl(_text(await read_body(request, limit)), keep_blank_values=True)
    found = [value for name, value in pairs if name == "update"]
    if len(found) != 1:
        raise errors.BadRequest(f"{len(found)} update parameters; send exactly one update")
    if any(name == "query" for name, _ in pairs):
        raise errors.BadRequest("send either query= or update=, not both")
    return found[0], pairs


def with_dataset(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """update with USING / USING NAMED before the WHERE of each DELETE/INSERT … WHERE operation,
    as the protocol's using-graph-uri / using-named-graph-uri ask. Refuses (400) an update that
    names its own dataset (USING, WITH) or uses DELETE WHERE, which cannot take one."""
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    depth, operation, last = 0, "", ""
    places: list[int] = []
    for token, start in token_spans(update):
        if token.kind == "other" and token.text in ("{", "}"):
            depth += 1 if token.text == "{" else -1
            last = token.text
            continue
        if depth:
            continue
        word = token.word
        if word in ("USING", "WITH"):
            raise errors.BadRequest(
                f"the update has {word} and the request {' and '.join(USING_PARAMS)}: "
                "give its dataset one way only (SPARQL 1.1 Protocol, 2.2.3)"
            )
        if token.text == ";":
            operation = ""
        elif not operation and word in ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP"):
            operation = word
        elif word == "WHERE" and operation in ("INSERT", "DELETE"):
            if last == "DELETE":
                raise errors.BadRequest(
                    "DELETE WHERE takes no dataset: write DELETE { … } WHERE { … } to use "
                    "using-graph-uri / using-named-graph-uri"
                )
            places.append(start)
        last = word or token.text
    for start in reversed(places):
        update = f"{update[:start]}{clause} {update[start:]}"
    return update


async def answer(request: Request, settings: Settings) -> Response:
    """Run the update of a POST /sparql; 204 once it is durable and visible."""
    request.state.write = True  # no CORS headers on this answer, errors included
    writer = writer_for(request)
    update, pairs = await _update_and_pairs(request, settings.max_write_bytes)
    if not update.strip():
        raise errors.BadRequest("the update is empty")
    shape = analyse(update)
    if shape.form in QUERY_FORMS:
        raise errors.BadRequest(
            f"this is a query ({shape.form}), not an update: send it as query= or as "
            "application/sparql-query",
            detail={"form": shape.form},
        )
    refuse_services(shape, settings.service_allow_list)
    using, using_named = (graph_params(pairs, name) for name in USING_PARAMS)
    if using or using_named:
        update = with_dataset(update, using, using_named)
    written = await run_write(lambda: writer.update(update))
    return Response(status_code=204, headers={VERSION_HEADER: written.version})


async def run_write(write: Callable[[], T]) -> T:
    """Run a write of graph.writes in a thread; its failures as the API's errors."""
    try:
        return await anyio.to_thread.run_sync(write)
    except SyntaxError as error:
        raise MalformedUpdate(f"malformed update: {error}") from error
    except CommitFailed as error:
        raise errors.PhakhiError(str(error)) from error
    except (RuntimeError, ValueError, OSError) as error:  # rolled back: nothing was written
        raise UpdateFailed(f"the update failed and changed nothing: {error}") from error
