"""Typed errors that carry their HTTP status, and the one JSON shape every error is sent in:
`{"error": {"status": 400, "code": "malformed_query", "message": "...", "detail": {...}}}`.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from phakhi.graph import remote


class PhakhiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        detail: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or {}
        self.headers = headers or {}


class BadRequest(PhakhiError):
    status, code = 400, "bad_request"


class MalformedQuery(BadRequest):
    code = "malformed_query"


class QueryTooComplex(BadRequest):
    code = "query_too_complex"


class Unauthorized(PhakhiError):
    status, code = 401, "unauthorized"


class Forbidden(PhakhiError):
    status, code = 403, "forbidden"


class NotFound(PhakhiError):
    status, code = 404, "not_found"


class NotAcceptable(PhakhiError):
    status, code = 406, "not_acceptable"


class TooLarge(PhakhiError):
    status, code = 413, "too_large"


class UriTooLong(PhakhiError):
    status, code = 414, "uri_too_long"


class UnsupportedMediaType(PhakhiError):
    status, code = 415, "unsupported_media_type"


class QueryTimeout(PhakhiError):
    status, code = 503, "query_timeout"


class Busy(PhakhiError):
    status, code = 503, "busy"


class StoreUnavailable(PhakhiError):
    status, code = 503, "store_unavailable"


class StoreTimeout(PhakhiError):
    status, code = 504, "store_timeout"


class StoreFailed(PhakhiError):
    status, code = 502, "store_failed"


class StoreRefused(BadRequest):
    code = "store_refused"


# a remote store's failures (graph.remote), as the API's: whichever route met them
_STORE_ERRORS: dict[type[remote.StoreError], type[PhakhiError]] = {
    remote.StoreUnavailable: StoreUnavailable,
    remote.StoreTimeout: StoreTimeout,
    remote.StoreRefused: StoreRefused,
}
STORE_RETRY_AFTER = "5"


def error_body(status: int, code: str, message: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "detail": detail}}


def _respond(
    status: int, code: str, message: str, detail: dict[str, Any], headers: Any
) -> JSONResponse:
    return JSONResponse(error_body(status, code, message, detail), status, headers=headers)


async def _phakhi_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PhakhiError)
    return _respond(error.status, error.code, error.message, error.detail, error.headers)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    return _respond(error.status_code, code, str(error.detail), {}, error.headers)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        {"where": ".".join(str(step) for step in item["loc"]), "message": item["msg"]}
        for item in error.errors()
    ]
    message = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
    return _respond(400, "invalid_parameters", message, {"problems": problems}, None)


async def _store_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, remote.StoreError)
    kind = _STORE_ERRORS.get(type(error), StoreFailed)
    headers = {"Retry-After": STORE_RETRY_AFTER} if kind.status == 503 else None
    return _respond(kind.status, kind.code, str(error), {}, headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(PhakhiError, _phakhi_error)
    app.add_exception_handler(remote.StoreError, _store_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
