"""Citable versions: every response names the dataset version it was made from, so a researcher
can cite exactly what they saw, and a link made for another version says so.

The dataset version is the store's own (graph.store.OxigraphStore.version: a content hash of
what the store was loaded from; the compiled sources are serialised canonically, so the same
data gives the same version on every build), kept on app.state.dataset_version at start-up.

- Every response carries the header `Phakhi-Dataset-Version: <version>`.
- Links meant to be shared (the query page's share box, a view's download and JSON links, an
  entity page's links) carry `v=<version>`.
- A request whose `v=` differs from the current version is answered as usual (it never fails)
  with the header `Phakhi-Version-Mismatch: <the link's version>`; HTML pages also say it in
  words (rendering.Site.version_notice).
"""

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

VERSION_HEADER = "Phakhi-Dataset-Version"
MISMATCH_HEADER = "Phakhi-Version-Mismatch"
VERSION_PARAM = "v"
_MAX_SHOWN = 64  # a v= longer than this is cut
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")  # a version is hex; nothing else reaches a header
_NAMED_V = re.compile(r"(?:^|&)(?:v|%76)=")  # a v= pair, as parse_qsl would decode its name


def current_version(app: Any) -> str:
    """The dataset version of the app: the engine's (it changes when the store is written to),
    else the one noted at start-up; "" when neither is known."""
    state = getattr(app, "state", None)
    engine = getattr(state, "engine", None)
    found = getattr(engine, "version", "") or getattr(state, "dataset_version", "")
    return str(found or "")


def asked_version(query_string: bytes | str) -> str | None:
    """The `v=` of a query string (the last one; letters, digits, ".", "_" and "-" only), None
    without one; "" counts as none."""
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    if ("v=" not in text and "%76=" not in text) or not _NAMED_V.search(text):
        return None  # parsing a long /sparql?query= costs more than the rest of the middleware
    pairs = parse_qsl(text, keep_blank_values=True)
    found = [value for name, value in pairs if name == VERSION_PARAM]
    asked = _UNSAFE.sub("", found[-1]) if found else ""
    return asked[:_MAX_SHOWN] or None


def mismatch(asked: str | None, current: str) -> bool:
    return asked is not None and bool(current) and asked != current


class VersionHeaders:
    """ASGI middleware: the version header on every HTTP response, and the mismatch header on
    those answering a link made for another version."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = current_version(scope.get("app"))
        asked = asked_version(scope.get("query_string", b""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if current:
                    headers.setdefault(VERSION_HEADER, current)
                if asked is not None and mismatch(asked, current):
                    headers.setdefault(MISMATCH_HEADER, asked)
            await send(message)

        await self.app(scope, receive, send_with_headers)
