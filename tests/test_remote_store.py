"""The remote store backend (graph/remote.py) against real servers: loading, writing through the
app, a store that goes away and comes back, a store that is too slow, and two replicas.

Tests that write or stop a store start their own (the session's are shared by the contract
suite, tests/test_contract.py).
"""

import dataclasses
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from backends import load_seed, store_settings
from fastapi.testclient import TestClient
from remote_servers import OxigraphServer, RemoteServer, VirtuosoServer
from server import start_process

from phakhi.api import cli
from phakhi.api.app import create_app
from phakhi.api.backend import remote_store
from phakhi.api.settings import Settings
from phakhi.graph.remote import META_GRAPH, Endpoints, RemoteStore, StoreFailed, _chunks
from phakhi.graph.store import OxigraphStore

TOKEN = "remote-write-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NEW_GRAPH = "https://w3id.org/phakhi/graph/test-remote-write"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


# -- settings and endpoints ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "update", "graph_store"),
    [
        ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),
        ("sparql+http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud"),
        (
            "https://h/sparql-auth",
            "https://h/sparql-auth",
            "https://h/sparql-graph-crud-auth",
        ),
        ("http://h/repositories/civic", "http://h/repositories/civic", None),
    ],
)
def test_endpoints_beside_the_query_url(url: str, update: str, graph_store: str | None) -> None:
    found = Endpoints.from_url(url)
    assert (found.update, found.graph_store) == (update, graph_store)


def test_a_store_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        Endpoints.from_url("ftp://h/sparql")


def test_phakhi_store_names_a_remote_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHAKHI_STORE", "sparql+http://127.0.0.1:7878/query")
    settings = Settings()
    assert (settings.store, settings.store_url) == (None, "http://127.0.0.1:7878/query")


def test_chunks_keep_blank_nodes_together_and_lines_whole() -> None:
    lines = [f"<http://x/s{n}> <http://x/p> <http://x/o{n}> .\n".encode() for n in range(100)]
    lines.insert(50, b"_:b1 <http://x/p> _:b2 .\n")
    chunks = list(_chunks(b"".join(lines), 400))
    assert chunks[0].startswith(b"_:b1")
    assert sum(chunk.count(b"\n") for chunk in chunks) == 101
    assert all(chunk.endswith(b" .\n") for chunk in chunks)
    assert list(_chunks(b"", 400)) == [b""]  # an empty graph is still one (replacing) PUT


# -- loading ---------------------------------------------------------------------------------


def _count(store: RemoteStore) -> int:
    rows = store.query(COUNT)
    return int(next(iter(rows))["n"].value)  # type: ignore[index, arg-type]


def test_load_is_idempotent_and_drops_graphs_that_left(engine: OxigraphStore) -> None:
    with OxigraphServer() as server:
        load_seed(server)
        load_seed(server)  # again: each graph replaced, nothing doubled
        store = remote_store(store_settings(server))
        assert store.check_version() == engine.version  # the embedded store's, for citations
        assert (_count(store), store.graphs()) == (len(engine), engine.graphs())
        kept = {g: b"<http://x/s> <http://x/p> <http://x/o> .\n" for g in engine.graphs()[:1]}
        store.publish(kept, "v2")
        assert (store.graphs(), _count(store), store.version) == (list(kept), 1, "v2")
        store.close()


def test_load_to_a_store_that_is_down_fails_with_the_cause(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with OxigraphServer() as server:
        url = server.query_url
    assert cli.main(["load", "--to", url]) == 1
    assert "cannot be reached" in capsys.readouterr().err


# -- writing through the app ---------------------------------------------------------------


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def own_store(request: pytest.FixtureRequest) -> Iterator[RemoteServer]:
    """A store of this module's own, filled with the seed (it is written to)."""
    server: RemoteServer = OxigraphServer() if request.param == "oxigraph" else VirtuosoServer()
    with server:
        load_seed(server)
        yield server


def test_writes_through_the_app_reach_the_store(own_store: RemoteServer) -> None:
    settings = store_settings(own_store, write_token=TOKEN)
    with TestClient(create_app(settings)) as client:
        before = client.get("/sparql", params={"query": COUNT}, headers=JSON).json()
        turtle = "<https://w3id.org/phakhi/id/test/a> <http://x/p> _:b . _:b <http://x/q> 1 ."
        put = client.put(
            "/store",
            params={"graph": NEW_GRAPH},
            content=turtle,
            headers={**AUTH, "Content-Type": "text/turtle"},
        )
        assert put.status_code == 201, put.text
        version = put.headers["Phakhi-Dataset-Version"]
        after = client.get("/sparql", params={"query": COUNT}, headers=JSON).json()
        assert _n(after) == _n(before) + 2  # not the cached answer of before
        update = f"DELETE WHERE {{ GRAPH <{NEW_GRAPH}> {{ ?s <http://x/q> ?o }} }}"
        deleted = client.post("/sparql", data={"update": update}, headers=AUTH)
        assert deleted.status_code == 204, deleted.text
        assert deleted.headers["Phakhi-Dataset-Version"] != version
        assert _n(client.get("/sparql", params={"query": COUNT}, headers=JSON).json()) == (
            _n(before) + 1
        )
        dropped = client.delete("/store", params={"graph": NEW_GRAPH}, headers=AUTH)
        assert dropped.is_success, dropped.text
        assert client.delete("/store", params={"graph": NEW_GRAPH}, headers=AUTH).status_code == 404
        default = client.put("/store?default", content=turtle, headers={**AUTH, **TURTLE})
        assert default.status_code == 400 and "named graph" in default.json()["error"]["message"]


TURTLE = {"Content-Type": "text/turtle"}


def _n(results: dict[str, Any]) -> int:
    return int(results["results"]["bindings"][0]["n"]["value"])


# -- faults ----------------------------------------------------------------------------------


def test_a_store_that_goes_away_gives_503_and_the_service_recovers() -> None:
    with OxigraphServer() as server:
        load_seed(server)
        with TestClient(create_app(store_settings(server, cache_entries=0))) as client:
            assert client.get("/health").json()["store"] == "remote"
            server.stop()
            for url in ("/health", "/sparql?query=ASK%20%7B%7D", "/api/entities/agency/codi"):
                down = client.get(url)
                assert down.status_code == 503, (url, down.text)
                error = down.json()["error"]
                assert (
                    error["code"] == "store_unavailable" and "cannot be reached" in error["message"]
                )
                assert down.headers["Retry-After"]
            assert client.get("/api/search?q=codi").status_code == 200  # from the index
            server.start()
            assert client.get("/health").status_code == 200
            assert client.get("/sparql?query=ASK%20%7B%7D").status_code == 200
            assert client.get("/api/entities/agency/codi").status_code == 200


SLOW = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . FILTER(STR(?b) != STR(?d) && STR(?d) != STR(?f)) }"""


def test_a_store_that_is_too_slow_gives_504() -> None:
    with OxigraphServer() as server:  # its own: the slow query goes on there until it stops
        load_seed(server)
        _too_slow(store_settings(server, query_timeout=0.5, cache_entries=0))


def _too_slow(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        started = time.monotonic()
        slow = client.get("/sparql", params={"query": SLOW}, headers=JSON)
        assert slow.status_code == 504, slow.text
        assert slow.json()["error"]["code"] == "store_timeout"
        assert time.monotonic() - started < 10
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


class _Failing(BaseHTTPRequestHandler):
    """A store that answers every request with a server error."""

    def do_POST(self) -> None:
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"disk on fire")

    def log_message(self, *args: Any) -> None:
        pass


def test_a_store_that_fails_gives_502_with_its_words(oxigraph_seed: RemoteServer) -> None:
    with TestClient(create_app(store_settings(oxigraph_seed, cache_entries=0))) as client:
        failing = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
        threading.Thread(target=failing.serve_forever, daemon=True).start()
        store: RemoteStore = client.app.state.engine  # type: ignore[attr-defined]
        working, url = store.endpoints, f"http://127.0.0.1:{failing.server_port}/query"
        store.endpoints = dataclasses.replace(working, query=url)  # the store now fails
        try:
            found = client.get("/sparql", params={"query": "ASK {}"})
        finally:
            store.endpoints = working
            failing.shutdown()
        assert found.status_code == 502, found.text
        error = found.json()["error"]
        assert error["code"] == "store_failed" and "(500): disk on fire" in error["message"]


def test_a_store_that_refuses_a_query_says_why(oxigraph_seed: RemoteServer) -> None:
    with TestClient(create_app(store_settings(oxigraph_seed))) as client:
        found = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert found.status_code == 400, found.text
        error = found.json()["error"]
        assert error["code"] == "store_refused" and "refused the request (400)" in error["message"]


# -- replicas --------------------------------------------------------------------------------


@pytest.fixture()
def replicas(tmp_path: Path) -> Iterator[tuple[str, str, OxigraphServer]]:
    """Two `phakhi serve` processes in front of one Oxigraph server."""
    with OxigraphServer() as server:
        load_seed(server)
        env = {"PHAKHI_WRITE_TOKEN": TOKEN, "PHAKHI_STORE_POLL_SECONDS": "0.2"}
        env["PHAKHI_QUERY_WORKERS"] = "2"
        args = ["--store", "sparql+" + server.query_url]
        started: list[subprocess.Popen[bytes]] = []
        try:
            for name in ("a", "b"):
                process, base = start_process(args, env, tmp_path / f"{name}.log")
                started.append(process)
            yield _base(started[0], tmp_path / "a.log"), base, server
        finally:
            for process in started:
                process.terminate()
                process.wait(20)


AGENCY = "https://w3id.org/phakhi/id/agency/replica-test"
PHK = "https://w3id.org/phakhi/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _search_finds(base: str, label: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = httpx.get(base + "/api/search", params={"q": label, "lang": "en"}).json()
        if AGENCY in json.dumps(found):
            return True
        time.sleep(0.3)
    return False


def _base(process: subprocess.Popen[bytes], log: Path) -> str:
    assert process.poll() is None, log.read_text()
    port = process.args[process.args.index("--port") + 1]  # type: ignore[union-attr, index]
    return f"http://127.0.0.1:{port}"


def test_a_write_through_one_replica_is_seen_through_the_other(
    replicas: tuple[str, str, OxigraphServer],
) -> None:
    a, b, _ = replicas
    count = {"query": COUNT}
    before = _n(httpx.get(b + "/sparql", params=count, headers=JSON).json())
    assert _n(httpx.get(b + "/sparql", params=count, headers=JSON).json()) == before  # cached
    body = f'<{AGENCY}> a <{PHK}Agency> ; <{RDFS}label> "Replica Test Agency"@en .'
    put = httpx.put(
        a + "/store", params={"graph": NEW_GRAPH}, content=body, headers={**AUTH, **TURTLE}
    )
    assert put.status_code == 201, put.text
    seen = httpx.get(b + "/sparql", params=count, headers=JSON)
    assert _n(seen.json()) == before + 2  # checked against the store: not the cached answer
    assert seen.headers["Phakhi-Dataset-Version"] == put.headers["Phakhi-Dataset-Version"]
    assert _search_finds(b, "Replica Test Agency", within=30)  # b's index, rebuilt


def test_a_store_behind_digest_auth(engine: OxigraphStore) -> None:
    """Virtuoso's /sparql-auth: load and serve with a user and password (digest)."""
    with VirtuosoServer(authenticated=True) as server:
        load_seed(server)  # phakhi load --to … --user dba --auth digest
        settings = store_settings(server, write_token=TOKEN)
        assert settings.store_auth == "digest"
        with TestClient(create_app(settings)) as client:
            assert _n(client.get("/sparql", params={"query": COUNT}, headers=JSON).json()) == len(
                engine
            )
            update = f'INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{ <{AGENCY}> <{RDFS}label> "x" }} }}'
            assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204


# -- what the review of the remote backend found ------------------------------------------------


def test_only_queries_reach_a_remote_store_as_queries(oxigraph_seed: RemoteServer) -> None:
    """Virtuoso runs MODIFY or `define …` sent as query=: never pass one on."""
    with TestClient(create_app(store_settings(oxigraph_seed))) as client:
        for text in (
            "MODIFY GRAPH <http://x/g> DELETE {} INSERT { <http://x/a> <http://x/b> 1 } WHERE {}",
            "define sql:log-enable 2 INSERT DATA { GRAPH <http://x/g> { <http://x/a> <x:b> 1 } }",
        ):
            refused = client.get("/sparql", params={"query": text})
            assert refused.status_code == 400, refused.text
            assert refused.json()["error"]["code"] in ("malformed_query", "bad_request")


def test_two_different_stores_in_the_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHAKHI_STORE", "sparql+http://127.0.0.1:1/query")
    with pytest.raises(ValueError, match="two remote stores"):
        Settings(store_url="http://127.0.0.1:2/query")
    monkeypatch.setenv("PHAKHI_STORE", "var/store")
    with pytest.raises(ValueError, match="both a store folder and a remote store"):
        Settings(store_url="http://127.0.0.1:2/query")


class _Moved(_Failing):
    def do_POST(self) -> None:
        self.send_response(301)
        self.send_header("Location", "https://elsewhere.example/update")
        self.end_headers()


def test_a_store_that_redirects_is_not_taken_for_a_write() -> None:
    moved = ThreadingHTTPServer(("127.0.0.1", 0), _Moved)
    threading.Thread(target=moved.serve_forever, daemon=True).start()
    try:
        store = RemoteStore(
            Endpoints.from_url(f"http://u:secret@127.0.0.1:{moved.server_port}/query")
        )
        with pytest.raises(StoreFailed, match="redirects") as raised:
            store.update("INSERT DATA { <http://x/a> <http://x/b> 1 }")
        assert "secret" not in str(raised.value)
        store.close()
    finally:
        moved.shutdown()


def test_writes_stay_inside_the_dataset(oxigraph_seed: RemoteServer) -> None:
    with TestClient(create_app(store_settings(oxigraph_seed, write_token=TOKEN))) as client:
        for graph in ("http://example.org/other-app", META_GRAPH):
            put = client.put(
                "/store", params={"graph": graph}, content="", headers={**AUTH, **TURTLE}
            )
            assert put.status_code == 400 and "not a graph of the dataset" in put.text
