"""The request size cap: no request body larger than `max_body_bytes` is read (queries, forms,
JSON), or than `max_write_bytes` for a request that carries the write token (a write, which its
route caps again); no query string longer than `max_body_bytes` is parsed.

Pure ASGI middleware, so it acts before anything buffers the body: a Content-Length over the
cap is answered 413 at once, without reading a byte of the body (a query string over it: 414);
a body without one (chunked) is counted as it streams, and the read that passes the cap raises
TooLarge, which the app's handlers answer. Every answer is in the one error shape
(api/errors.py). (uvicorn's HTTP parser already refuses request lines over some kilobytes; the
query string cap holds whatever server runs the app.)
"""

import hmac

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phakhi.api import errors
from phakhi.api.settings import Settings


def too_large(limit: int) -> errors.TooLarge:
    return errors.TooLarge(
        f"the request body is larger than {limit} bytes (the max_body_bytes setting)",
        detail={"max_body_bytes": limit},
    )


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_write_bytes: int | None = None,
        write_token: str | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_write_bytes = max(max_bytes, max_write_bytes or 0)
        self.write_token = write_token.encode("utf-8") if write_token else None

    def limit(self, headers: Headers) -> int:
        """max_write_bytes for the holder of the write token (any other Authorization header
        gets no more than anyone: a bogus token must not buy a larger body)."""
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if self.write_token is None or scheme.lower() != "bearer":
            return self.max_bytes
        known = hmac.compare_digest(given.strip().encode("utf-8"), self.write_token)
        return self.max_write_bytes if known else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limit(headers)
        declared = headers.get("content-length", "").strip()
        refused: errors.PhakhiError | None = None
        if declared.isdigit() and int(declared) > limit:
            refused = too_large(limit)
        elif len(scope.get("query_string", b"")) > self.max_bytes:
            refused = errors.UriTooLong(
                f"the query string is longer than {self.max_bytes} bytes (the max_body_bytes "
                "setting): send a long query by POST",
                detail={"max_body_bytes": self.max_bytes},
            )
        if refused is not None:
            body = errors.error_body(refused.status, refused.code, refused.message, refused.detail)
            # the body is never read: the connection cannot be used again
            response = JSONResponse(body, refused.status, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if started:  # a streamed answer watching for a disconnect: end it
                        return {"type": "http.disconnect"}
                    raise too_large(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)


def install(app: FastAPI, settings: Settings) -> None:
    token = settings.write_token.get_secret_value() if settings.write_token else None
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        max_write_bytes=settings.max_write_bytes,
        write_token=token,
    )
