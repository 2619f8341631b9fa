"""The app's exception handlers: every error, whichever raised it, in errors.error_body's shape."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from phakhi.api.errors import (
    PhakhiError,
    StoreFailed,
    StoreRefused,
    StoreTimeout,
    StoreUnavailable,
    error_body,
)
from phakhi.graph import remote

# a remote store's failures (graph.remote), as the API's: whichever route met them
_STORE_ERRORS: dict[type[remote.StoreError], type[PhakhiError]] = {
    remote.StoreUnavailable: StoreUnavailable,
    remote.StoreTimeout: StoreTimeout,
    remote.StoreRefused: StoreRefused,
}
STORE_RETRY_AFTER = "5"


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
