"""Security headers on every response: a strict Content-Security-Policy on documents (HTML and
SVG), nosniff, a same-origin referrer policy and no framing by other sites.

The policy allows scripts, styles, images, fonts, frames and fetches from this server only.
Inline styles are allowed (the map's SVG and templates use `style`), inline scripts are not:
pages load their scripts from /static and pass data in `<script type="application/json">`.
A route that needs another policy sets its own Content-Security-Policy header; this middleware
never overwrites a header a route has set.
"""

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)
DOCUMENT_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml")
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
DOCUMENTS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "SAMEORIGIN",
}


class SecurityHeaders:
    """Pure ASGI middleware (streams pass through untouched)."""

    def __init__(self, app: ASGIApp, policy: str = CONTENT_SECURITY_POLICY) -> None:
        self.app = app
        self.documents = DOCUMENTS | {"Content-Security-Policy": policy}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
                if media_type in DOCUMENT_TYPES:
                    for name, value in self.documents.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
