"""The three backends of the contract suite: the embedded store, Oxigraph server and Virtuoso.

A remote backend is the session's server (tests/remote_servers.py) filled by `phakhi load --to`
with the compiled sources, then served by the real app with settings pointing at it.
"""

import os
from typing import TYPE_CHECKING, Any

from phakhi.api import cli
from phakhi.api.settings import Settings

if TYPE_CHECKING:  # imported by pytest_plugins, not here (its asserts are rewritten)
    from remote_servers import RemoteServer

BACKENDS = ("embedded", "oxigraph", "virtuoso")


def store_settings(server: "RemoteServer", **more: Any) -> Settings:
    """Settings that serve the store of server."""
    found: dict[str, Any] = {
        "store_url": server.query_url,
        "store_update_url": server.update_url,
        "store_graph_store_url": server.graph_store_url,
        "store_user": server.user,
        "store_password": server.password,
        "store_auth": server.auth or "basic",
    }
    return Settings(**{k: v for k, v in found.items() if v is not None}, **more)


def load_seed(server: "RemoteServer") -> None:
    """`phakhi load --to` the server: the compiled sources, graph by graph."""
    argv = ["load", "--to", server.query_url, "--update-url", server.update_url]
    argv += ["--graph-store-url", server.graph_store_url]
    if server.user:
        argv += ["--user", server.user, "--auth", server.auth or "basic"]
    if server.password:
        os.environ["PHAKHI_STORE_PASSWORD"] = server.password
    try:
        assert cli.main(argv) == 0
    finally:
        os.environ.pop("PHAKHI_STORE_PASSWORD", None)
