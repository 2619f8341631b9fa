"""The remote-store fixtures themselves: each server queries, updates, stores, and comes back.

The fixtures come from tests/remote_servers.py, registered in tests/conftest.py.
"""

import uuid

import httpx
import pytest
from remote_servers import OxigraphServer, RemoteServer, VirtuosoServer

JSON = "application/sparql-results+json"
THAI = "กรุงเทพ"


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest) -> RemoteServer:
    found: RemoteServer = request.getfixturevalue(f"{request.param}_server")
    return found


def fresh_graph() -> str:
    return f"http://example.org/test/{uuid.uuid4().hex}"


def select(server: RemoteServer, query: str) -> list[dict[str, dict[str, str]]]:
    response = httpx.post(
        server.query_url,
        data={"query": query},
        headers={"Accept": JSON},
        auth=server.client_auth(),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, dict[str, str]]] = response.json()["results"]["bindings"]
    return rows


def update(server: RemoteServer, statement: str) -> None:
    response = httpx.post(
        server.update_url, data={"update": statement}, auth=server.client_auth(), timeout=30
    )
    assert response.status_code in (200, 204), response.text


def put_ntriples(server: RemoteServer, graph: str, body: str) -> None:
    response = httpx.put(
        server.graph_store_url,
        params={"graph": graph},
        content=body.encode("utf-8"),
        headers={"Content-Type": "application/n-triples"},
        auth=server.client_auth(),
        timeout=30,
    )
    assert response.status_code in (200, 201, 204), response.text


def objects(server: RemoteServer, graph: str) -> list[str]:
    rows = select(server, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?o")
    return [row["o"]["value"] for row in rows]


def test_answers_a_query(server: RemoteServer) -> None:
    response = httpx.post(
        server.query_url, data={"query": "ASK {}"}, headers={"Accept": JSON}, timeout=30
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_accepts_an_update(server: RemoteServer) -> None:
    graph = fresh_graph()
    update(server, f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:p> "{THAI}"@th }} }}')
    rows = select(server, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <urn:a> <urn:p> ?o }} }}")
    assert rows == [{"o": {"type": "literal", "value": THAI, "xml:lang": "th"}}]


def test_accepts_a_graph_store_put(server: RemoteServer) -> None:
    graph = fresh_graph()
    put_ntriples(server, graph, '<urn:a> <urn:p> "one" .\n_:b <urn:p> "two" .\n')
    assert objects(server, graph) == ["one", "two"]
    put_ntriples(server, graph, '<urn:a> <urn:p> "three" .\n')  # PUT replaces the graph
    assert objects(server, graph) == ["three"]


@pytest.mark.parametrize("kind", [OxigraphServer, VirtuosoServer])
def test_comes_back_after_stop_with_its_data(kind: type[RemoteServer]) -> None:
    graph = fresh_graph()
    with kind() as server:
        port = server.port
        put_ntriples(server, graph, f'<urn:a> <urn:p> "{THAI}"@th .\n')
        server.stop()
        with pytest.raises(httpx.ConnectError):
            httpx.post(server.query_url, data={"query": "ASK {}"}, timeout=5)
        server.start()
        assert server.port == port
        assert objects(server, graph) == [THAI]
        server.restart()
        assert objects(server, graph) == [THAI]


def test_virtuoso_digest_auth() -> None:
    with VirtuosoServer(authenticated=True) as server:
        graph = fresh_graph()
        put_ntriples(server, graph, "<urn:a> <urn:p> <urn:b> .\n")
        update(server, f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:p> <urn:c> }} }}")
        assert objects(server, graph) == ["urn:b", "urn:c"]
        anonymous = httpx.post(server.query_url, data={"query": "ASK {}"}, timeout=30)
        assert anonymous.status_code == 401
