"""The /export routes, through the real app: files, names, media types, 404s, OpenAPI."""

import io
import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import networkx as nx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from server import serve

from phakhi.api.app import create_app
from phakhi.api.routes import export as export_routes
from phakhi.api.settings import Settings
from phakhi.graph import export
from phakhi.graph.store import OxigraphStore

SOURCE = "nida-forum-2024-06-11"


@pytest.fixture(scope="module")
def app() -> FastAPI:
    app = create_app(Settings())
    if "/export/graph.{ext}" not in app.openapi()["paths"]:
        app.include_router(export_routes.router)
        app.openapi_schema = None
    return app


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def filename(response: object) -> str:
    disposition = response.headers["content-disposition"]  # type: ignore[attr-defined]
    found = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"', disposition)
    assert found, disposition
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "media", "name"),
    [
        ("/export/graph.ttl", "text/turtle", "phakhi-graph.ttl"),
        ("/export/graph.nt", "application/n-triples", "phakhi-graph.nt"),
        ("/export/graph.rdf", "application/rdf+xml", "phakhi-graph.rdf"),
        ("/export/graph.jsonld", "application/ld+json", "phakhi-graph.jsonld"),
        ("/export/dataset.trig", "application/trig", "phakhi-dataset.trig"),
        ("/export/dataset.nq", "application/n-quads", "phakhi-dataset.nq"),
        ("/export/dataset.jsonld", "application/ld+json", "phakhi-dataset.jsonld"),
        ("/export/ontology.ttl", "text/turtle", "phakhi-ontology-0.1.0.ttl"),
        ("/export/ontology.rdf", "application/rdf+xml", "phakhi-ontology-0.1.0.rdf"),
        (f"/export/sources/{SOURCE}.ttl", "text/turtle", f"phakhi-source-{SOURCE}.ttl"),
        ("/export/sources/reference/provinces.nt", "application/n-triples",
         "phakhi-source-reference-provinces.nt"),
        ("/export/entities/agency/codi.ttl", "text/turtle", "phakhi-agency-codi.ttl"),
        ("/export/entities/province/TH-76.jsonld", "application/ld+json",
         "phakhi-province-TH-76.jsonld"),
    ],
)  # fmt: skip
def test_rdf_downloads(
    client: TestClient, engine: OxigraphStore, path: str, media: str, name: str
) -> None:
    """Each download is the library's export (tested for round trips in test_export.py)."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert filename(response) == name
    assert response.content == b"".join(library_export(engine, path))


def library_export(engine: OxigraphStore, path: str) -> Iterator[bytes]:
    stem, ext = path.removeprefix("/export/").rsplit(".", 1)
    fmt = {"rdf": "rdfxml"}.get(ext, ext)
    if stem == "graph":
        return export.export_rdf(engine, fmt)
    if stem == "dataset":
        return export.export_rdf(engine, fmt, named=True)
    if stem == "ontology":
        return export.export_ontology(engine, fmt)
    if stem.startswith("sources/"):
        return export.export_source(engine, stem.removeprefix("sources/"), fmt)
    kind, ident = stem.removeprefix("entities/").split("/")
    return export.export_entity(engine, kind, ident, fmt)


def test_downloads_parse(client: TestClient, engine: OxigraphStore) -> None:
    entity = Graph().parse(
        data=client.get("/export/entities/agency/codi.ttl").text, format="turtle"
    )
    assert len(entity) > 20
    dataset = Dataset()
    dataset.parse(data=client.get("/export/dataset.trig").text, format="trig")
    assert {str(g.identifier) for g in dataset.graphs() if len(g)} == set(engine.graphs())
    source = dataset.graph(export.source_graph(SOURCE))
    want = Graph().parse(
        data=b"".join(export.export_source(engine, SOURCE, "nt")).decode(), format="nt"
    )
    assert isomorphic(source, want)


def test_network_downloads(client: TestClient) -> None:
    graphml = client.get("/export/network.graphml")
    assert graphml.status_code == 200
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    assert filename(graphml) == "phakhi-network.graphml"
    gexf = client.get("/export/network.gexf")
    assert gexf.headers["content-type"].startswith("application/gexf+xml")
    assert filename(gexf) == "phakhi-network.gexf"
    read = nx.read_graphml(io.BytesIO(graphml.content), force_multigraph=True)
    assert read.number_of_nodes() == nx.read_gexf(io.BytesIO(gexf.content)).number_of_nodes() > 50


def test_csv_downloads(client: TestClient) -> None:
    nodes = client.get("/export/nodes.csv")
    edges = client.get("/export/edges.csv")
    for response, name in ((nodes, "phakhi-nodes.csv"), (edges, "phakhi-edges.csv")):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert filename(response) == name
        assert response.content.startswith(b"\xef\xbb\xbf")
    assert nodes.content[3:].startswith(b"Id,Label,")
    assert edges.content[3:].startswith(b"Source,Target,Type,Key,Label,")
    plain = client.get("/export/nodes.csv", params={"bom": "false"})
    assert plain.content == nodes.content[3:]


def test_context_is_published(client: TestClient) -> None:
    response = client.get("/export/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    assert json.loads(response.content) == export.context_document()


@pytest.mark.parametrize(
    "path",
    ["/export/sources/no-such-source.ttl", "/export/entities/agency/nobody.ttl",
     "/export/entities/agency/codi%3E.ttl", "/export/sources/reference/nothing.nt"],
)  # fmt: skip
def test_unknown_is_404_in_the_one_error_shape(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == 404 and body["error"]["code"] == "not_found"
    assert body["error"]["message"]


def test_unknown_format_is_refused(client: TestClient) -> None:
    response = client.get("/export/graph.xlsx")
    assert response.status_code in (400, 404)
    assert "error" in response.json()


def test_openapi_documents_the_downloads(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for path in ("/export/graph.{ext}", "/export/dataset.{ext}", "/export/ontology.{ext}",
                 "/export/sources/{source_id}.{ext}", "/export/entities/{kind}/{ident}.{ext}",
                 "/export/network.{ext}", "/export/nodes.csv", "/export/edges.csv",
                 "/export/context.jsonld"):  # fmt: skip
        assert path in paths, sorted(paths)
    graph = paths["/export/graph.{ext}"]["get"]
    assert "text/turtle" in graph["responses"]["200"]["content"]
    assert "404" in paths["/export/entities/{kind}/{ident}.{ext}"]["get"]["responses"]


# -- threads: pyoxigraph's query results stay on the thread that made them ----------------------

# large (many chunks, so many pulls) and small, RDF and network
CONCURRENT = ["/export/graph.nt", "/export/dataset.trig", f"/export/sources/{SOURCE}.ttl",
              "/export/entities/agency/codi.jsonld", "/export/network.gexf"]  # fmt: skip


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with serve(app) as base:
        yield base


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the process could not raise meanwhile: a query result dropped on a wrong thread."""
    found: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: found.append(repr(u.exc_value)))
    return found


def export_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("phakhi-export")]


def no_export_threads(timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while export_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not export_threads()


def test_concurrent_downloads_are_whole(
    base_url: str, engine: OxigraphStore, unraisable: list[str]
) -> None:
    """Eight at a time through a real uvicorn (its thread pool pulls the streams), each path
    four times: every answer complete and byte-identical to the library's export. Before each
    response pulled its chunks on one thread of its own, pyo3 aborted the server here."""
    want = {path: b"".join(library(engine, path)) for path in CONCURRENT}
    assert len(want["/export/graph.nt"]) > 4 * export.CHUNK  # streamed in several chunks
    with httpx.Client(base_url=base_url, timeout=120) as client, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(client.get, CONCURRENT * 4))
    for path, answer in zip(CONCURRENT * 4, answers, strict=True):
        assert answer.status_code == 200, (path, answer.text[:300])
        assert answer.content == want[path], path
    assert not unraisable
    assert no_export_threads()


def test_client_gone_mid_download(base_url: str, unraisable: list[str]) -> None:
    """Clients that read one chunk of a large export and hang up: each generator is closed,
    and its query results dropped, on its own thread, which then ends; the server carries on."""
    for _ in range(4):
        with httpx.stream("GET", base_url + "/export/graph.nt", timeout=60) as response:
            assert response.status_code == 200
            next(response.iter_raw())
    assert no_export_threads()
    assert not unraisable
    assert httpx.get(base_url + f"/export/sources/{SOURCE}.nt", timeout=60).status_code == 200


def test_download_failing_midway(unraisable: list[str]) -> None:
    """An export that fails after its first chunks (RDF/XML cannot hold a control character):
    the connection is cut, and the query results are still dropped on their own thread."""
    store = OxigraphStore()
    store.load("\n".join(f'<urn:x:s{i:05d}> <urn:x:p> "{i}" .' for i in range(5000))
               + '\n<urn:x:s02500> <urn:x:p> "bad \\u0001" .')  # fmt: skip
    app = FastAPI()
    fmt = export.get_format("rdfxml")

    @app.get("/x.rdf")
    def download() -> StreamingResponse:
        return export_routes._attachment(export.export_rdf(store, fmt), fmt, "x")

    with serve(app) as base, pytest.raises(httpx.RemoteProtocolError):
        httpx.get(base + "/x.rdf", timeout=60)
    assert no_export_threads()
    assert not unraisable


def library(engine: OxigraphStore, path: str) -> Iterator[bytes]:
    if path == "/export/network.gexf":
        return export.gexf(export.network(engine))
    return library_export(engine, path)
