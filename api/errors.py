"""Typed errors that carry their HTTP status, and the one JSON shape every error is sent in:
`{"error": {"status": 400, "code": "malformed_query", "message": "...", "detail": {...}}}`.

No FastAPI here: the query workers raise and report these too (api/error_handlers.py answers
them).
"""

from typing import Any


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


def error_body(status: int, code: str, message: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "detail": detail}}


def by_code(code: str) -> type[PhakhiError]:
    """The error class of a code (a query worker reports errors by code); PhakhiError (500)
    for a code of none."""
    return _BY_CODE.get(code, PhakhiError)


def _kinds(kind: type[PhakhiError]) -> list[type[PhakhiError]]:
    return [kind] + [found for sub in kind.__subclasses__() for found in _kinds(sub)]


_BY_CODE = {kind.code: kind for kind in _kinds(PhakhiError)}
