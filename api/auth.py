"""Who may write: the holder of the bearer token in settings (`write_token`), nobody else.

Every write (SPARQL Update at POST /sparql, PUT/POST/DELETE at /store) asks `writer_for`:

- no token configured: the service is read-only, 403 `writes_disabled`;
- no `Authorization: Bearer <token>`, or another token: 401 `unauthorized`, with
  `WWW-Authenticate: Bearer` (RFC 6750). Tokens are compared with hmac.compare_digest, in a time
  that does not depend on how much of the token was right.

Reads never ask: they stay open.
"""

import hmac
from typing import Annotated

from fastapi import Depends, Request

from phakhi.api import errors
from phakhi.api.settings import Settings
from phakhi.graph.writes import WritePath

REALM = 'Bearer realm="phakhi"'


class WritesDisabled(errors.Forbidden):
    code = "writes_disabled"


def writer_for(request: Request) -> WritePath:
    """The write path, for a request that carries the write token; raises otherwise."""
    settings: Settings = request.app.state.settings
    writer: WritePath | None = getattr(request.app.state, "writer", None)
    if settings.write_token is None or writer is None:
        raise WritesDisabled(
            "this service is read-only: writes are enabled only when a write token is "
            "configured (PHAKHI_WRITE_TOKEN, with an on-disk or remote store)"
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise errors.Unauthorized(
            "a write needs the header Authorization: Bearer <write token>",
            headers={"WWW-Authenticate": REALM},
        )
    expected = settings.write_token.get_secret_value().encode("utf-8")
    if not hmac.compare_digest(given.strip().encode("utf-8"), expected):
        raise errors.Unauthorized(
            "the bearer token is not this service's write token",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    return writer


async def get_writer(request: Request) -> WritePath:
    return writer_for(request)


WriterDep = Annotated[WritePath, Depends(get_writer)]
