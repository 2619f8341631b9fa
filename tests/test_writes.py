"""Writes through the real app: SPARQL Update at /sparql and the Graph Store Protocol at /store,
with the bearer token, on an on-disk store; and what follows a write (graph/writes.py).

Over the ontology and the province gazetteer (server.reference_settings), in a store of its own.
"""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from server import reference_settings

from phakhi.api.app import create_app
from phakhi.api.errors import BadRequest
from phakhi.api.updates import with_dataset
from phakhi.graph.store import META_FILE, OxigraphStore
from phakhi.graph.writes import SNAPSHOTS, DerivedIndex

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {"Content-Type": "application/sparql-update"}
TURTLE = {"Content-Type": "text/turtle"}
ID = "https://w3id.org/phakhi/id/"
GRAPH = "https://w3id.org/phakhi/graph/test-writes"
PERSON = f"{ID}person/somying-writes"
INSERT_PERSON = f"""
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <{GRAPH}> {{
  <{PERSON}> a foaf:Person ; rdfs:label "สมหญิง ทดสอบเขียน"@th, "Somying Testwrite"@en .
}} }}"""
ASK_PERSON = f"ASK {{ <{PERSON}> a <http://xmlns.com/foaf/0.1/Person> }}"


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert (body["status"], body["code"]) == (status, code)
    return body


def ask(client: TestClient, query: str) -> bool:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    found: bool = response.json()["boolean"]
    return found


def wait_for_indexes(app: FastAPI, timeout: float = 60) -> None:
    derived: list[DerivedIndex[Any]] = app.state.derived
    assert all(index.wait(timeout) for index in derived)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("writes")
    settings = reference_settings(
        folder / "data",
        store=folder / "store",
        write_token=TOKEN,
        query_workers=2,
        max_write_bytes=100_000,
        service_allow_list=["127.0.0.1"],
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("read-only")
    settings = reference_settings(folder / "data", store=folder / "store", query_workers=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# -- who may write ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda c, h: c.post("/sparql", content=INSERT_PERSON, headers=UPDATE | h),
        lambda c, h: c.post("/sparql", data={"update": INSERT_PERSON}, headers=h),
        lambda c, h: c.put("/store", params={"default": ""}, content=b"", headers=TURTLE | h),
        lambda c, h: c.post("/store", params={"graph": GRAPH}, content=b"", headers=TURTLE | h),
        lambda c, h: c.delete("/store", params={"graph": GRAPH}, headers=h),
    ],
    ids=["sparql-update", "form-update", "gsp-put", "gsp-post", "gsp-delete"],
)
def test_no_writes_without_a_configured_token(read_only: TestClient, send: Any) -> None:
    error = error_of(send(read_only, AUTH), 403, "writes_disabled")
    assert "read-only" in error["message"]


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, 'Bearer realm="phakhi"'),
        ({"Authorization": f"Basic {TOKEN}"}, 'Bearer realm="phakhi"'),
        ({"Authorization": "Bearer "}, 'Bearer realm="phakhi"'),
        ({"Authorization": "Bearer wrong-token-0123456789"}, 'error="invalid_token"'),
        ({"Authorization": f"Bearer {TOKEN}x"}, 'error="invalid_token"'),
        ({"Authorization": f"Bearer {TOKEN[:-1]}"}, 'error="invalid_token"'),
    ],
    ids=["none", "basic", "empty", "wrong", "longer", "shorter"],
)
def test_writes_need_the_token(client: TestClient, headers: dict[str, str], challenge: str) -> None:
    sends = [
        client.post("/sparql", content=INSERT_PERSON, headers=UPDATE | headers),
        client.post("/sparql", data={"update": INSERT_PERSON}, headers=headers),
        client.put("/store", params={"graph": GRAPH}, content=b"", headers=TURTLE | headers),
        client.delete("/store", params={"graph": GRAPH}, headers=headers),
    ]
    for response in sends:
        error_of(response, 401, "unauthorized")
        assert challenge in response.headers["www-authenticate"]
    assert not ask(client, ASK_PERSON)  # nothing was written


def test_a_token_without_a_store_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no on-disk store") as raised:
        reference_settings(tmp_path, write_token=TOKEN)
    assert TOKEN not in str(raised.value)  # the error never echoes the token
    with pytest.raises(ValidationError, match="at least 16"):
        reference_settings(tmp_path, write_token="short", store=tmp_path / "store")
    sneaked = reference_settings(tmp_path).model_copy(update={"write_token": SecretStr(TOKEN)})
    with pytest.raises(ValueError, match="no on-disk store"):  # past the settings' own check
        create_app(sneaked)


# -- SPARQL Update ---------------------------------------------------------------------------


def test_an_update_is_seen_everywhere(client: TestClient, app: FastAPI) -> None:
    search = {"q": "สมหญิง ทดสอบเขียน"}
    assert client.get("/api/search", params=search).json()["items"] == []
    assert not ask(client, ASK_PERSON)  # and now cached under this version
    entity = client.get("/api/entities/person/somying-writes")
    assert entity.status_code == 404
    before = app.state.engine.version

    response = client.post("/sparql", content=INSERT_PERSON, headers=UPDATE | AUTH)
    assert response.status_code == 204, response.text
    version = response.headers["phakhi-dataset-version"]
    assert version != before and version == app.state.engine.version
    assert ask(client, ASK_PERSON)  # the workers' new snapshot; the cached answer is not used
    entity = client.get("/api/entities/person/somying-writes", params={"lang": "en"})
    assert entity.status_code == 200 and entity.json()["label"] == "Somying Testwrite"
    assert entity.headers["phakhi-dataset-version"] == version
    wait_for_indexes(app)
    items = client.get("/api/search", params=search).json()["items"]
    assert [item["iri"] for item in items][:1] == [PERSON]


def test_form_update_with_a_dataset(client: TestClient) -> None:
    graph = "http://example.org/using"
    insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/a> <http://e/p> "1" }} }}'
    assert client.post("/sparql", content=insert, headers=UPDATE | AUTH).status_code == 204
    # the WHERE reads only <graph>; the template writes into the store's default graph
    update = "INSERT { <http://example.org/copied> <http://e/p> ?o } WHERE { ?s ?p ?o }"
    response = client.post(
        "/sparql", data={"update": update, "using-graph-uri": graph}, headers=AUTH
    )
    assert response.status_code == 204, response.text
    copied = client.get("/store", params={"default": ""}, headers=NT)
    assert copied.text == '<http://example.org/copied> <http://e/p> "1" .\n'
    mixed = {"update": update, "query": "ASK {}"}
    error_of(client.post("/sparql", data=mixed, headers=AUTH), 400, "bad_request")
    both = {"update": f"WITH <{graph}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"}
    error_of(
        client.post("/sparql", data=both | {"using-graph-uri": graph}, headers=AUTH),
        400,
        "bad_request",
    )


@pytest.mark.parametrize(
    ("update", "status", "code"),
    [
        ("INSERT DATA { <http://example.org/a> }", 400, "malformed_update"),
        ("DROP GRAPH <http://example.org/no-such-graph>", 400, "update_failed"),
        ("SELECT * WHERE { ?s ?p ?o }", 400, "bad_request"),
        ("   ", 400, "bad_request"),
        ("LOAD <http://example.org/data.ttl>", 403, "forbidden"),
        (
            "LOAD SILENT <http://localhost:1/x.ttl> INTO GRAPH <http://example.org/g>",
            403,
            "forbidden",
        ),
        ("LOAD <file:///etc/passwd>", 403, "forbidden"),
        (
            "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            403,
            "forbidden",
        ),
    ],
    ids=["malformed", "failing", "query", "empty", "load", "load-silent", "load-file", "service"],
)
def test_refused_updates_change_nothing(
    client: TestClient, update: str, status: int, code: str
) -> None:
    version = client.get("/sparql", params={"query": "ASK {}"}).headers["phakhi-dataset-version"]
    error = error_of(client.post("/sparql", content=update, headers=UPDATE | AUTH), status, code)
    assert error["message"]
    after = client.get("/sparql", params={"query": "ASK {}"}).headers["phakhi-dataset-version"]
    assert after == version


def test_an_allowed_load(client: TestClient, tmp_path: Path) -> None:
    import http.server
    import threading

    class Data(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'<http://example.org/loaded> <http://example.org/p> "from afar" .\n'
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Data)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        update = f"LOAD <http://127.0.0.1:{port}/data.nt> INTO GRAPH <http://example.org/loaded>"
        response = client.post("/sparql", content=update, headers=UPDATE | AUTH)
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 204, response.text
    assert ask(client, 'ASK { GRAPH <http://example.org/loaded> { ?s ?p "from afar" } }')


def test_update_body_is_capped(client: TestClient) -> None:
    big = (
        "INSERT DATA { "
        + " ".join(f'<http://example.org/s{n}> <http://example.org/p> "{n}" .' for n in range(3000))
        + " }"
    )
    error_of(client.post("/sparql", content=big, headers=UPDATE | AUTH), 413, "too_large")
    error_of(client.post("/sparql", data={"update": big}, headers=AUTH), 413, "too_large")


# -- the Graph Store Protocol --------------------------------------------------------------------

NAMED = "http://example.org/graph/gsp"
NT = {"Accept": "application/n-triples"}


def test_graph_store_round_trip(client: TestClient) -> None:
    where = {"graph": NAMED}
    error_of(client.get("/store", params=where), 404, "not_found")
    body = "@prefix ex: <http://example.org/> .\nex:a ex:p 'ไทย'@th ; ex:q <relative> .\n"
    created = client.put("/store", params=where, content=body.encode(), headers=TURTLE | AUTH)
    assert created.status_code == 201, created.text
    got = client.get("/store", params=where, headers=NT)
    assert got.status_code == 200 and got.headers["content-type"].startswith(
        "application/n-triples"
    )
    assert sorted(got.text.splitlines()) == [
        '<http://example.org/a> <http://example.org/p> "ไทย"@th .',
        "<http://example.org/a> <http://example.org/q> <http://example.org/graph/relative> .",
    ]
    turtle = client.get("/store", params=where)
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert len(ox.Dataset(ox.parse(turtle.content, ox.RdfFormat.TURTLE))) == 2
    replaced = client.put(
        "/store",
        params=where,
        content=b"<http://example.org/b> <http://example.org/p> <http://example.org/c> .",
        headers={"Content-Type": "application/n-triples"} | AUTH,
    )
    assert replaced.status_code == 204
    added = client.post(
        "/store",
        params=where,
        content=json.dumps(
            {"@id": "http://example.org/d", "http://example.org/p": "json"}
        ).encode(),
        headers={"Content-Type": "application/ld+json"} | AUTH,
    )
    assert added.status_code == 204
    lines = client.get("/store", params=where, headers=NT).text.splitlines()
    assert sorted(lines) == [
        "<http://example.org/b> <http://example.org/p> <http://example.org/c> .",
        '<http://example.org/d> <http://example.org/p> "json" .',
    ]
    assert ask(client, f"ASK {{ GRAPH <{NAMED}> {{ <http://example.org/d> ?p ?o }} }}")
    assert client.delete("/store", params=where, headers=AUTH).status_code == 204
    error_of(client.get("/store", params=where), 404, "not_found")
    error_of(client.delete("/store", params=where, headers=AUTH), 404, "not_found")
    assert not ask(client, f"ASK {{ GRAPH <{NAMED}> {{ ?s ?p ?o }} }}")


def test_graph_store_rdfxml_and_empty_graphs(client: TestClient) -> None:
    where = {"graph": "http://example.org/graph/xml"}
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="&ex;x"><ex:p rdf:resource="&ex;y"/></rdf:Description>
</rdf:RDF>"""
    put = client.put(
        "/store", params=where, content=xml, headers={"Content-Type": "application/rdf+xml"} | AUTH
    )
    assert put.status_code == 201, put.text
    got = client.get("/store", params=where, headers={"Accept": "application/rdf+xml"})
    assert got.headers["content-type"].startswith("application/rdf+xml")
    triples = list(ox.parse(got.content, ox.RdfFormat.RDF_XML))
    assert [(t.subject.value, t.object.value) for t in triples] == [
        ("http://example.org/x", "http://example.org/y")
    ]
    emptied = client.put("/store", params=where, content=b"", headers=TURTLE | AUTH)
    assert emptied.status_code == 204
    empty = client.get("/store", params=where, headers=NT)
    assert empty.status_code == 200 and empty.text == ""  # an empty graph still exists


@pytest.mark.parametrize(
    ("content_type", "body", "status", "code"),
    [
        ("text/turtle", b"<http://example.org/a> <http://example.org/p> .", 400, "malformed_rdf"),
        ("application/n-triples", b"<a> <b> <c> .", 400, "malformed_rdf"),
        ("application/rdf+xml", b"<rdf:RDF", 400, "malformed_rdf"),
        (
            "application/ld+json",
            b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://e/a", "p": 1}',
            400,
            "malformed_rdf",
        ),
        (
            "application/ld+json",
            b'{"@id": "http://e/g", "@graph": [{"@id": "http://e/a", "http://e/p": "x"}]}',
            400,
            "bad_request",
        ),
        ("application/n-quads", b"", 415, "unsupported_media_type"),
        ("", b"", 415, "unsupported_media_type"),
        ("text/turtle", b"#" * 100_001, 413, "too_large"),
    ],
    ids=["turtle", "ntriples", "rdfxml", "remote-context", "named-graph", "nquads", "none", "big"],
)
def test_graph_store_refuses_bad_bodies(
    client: TestClient, content_type: str, body: bytes, status: int, code: str
) -> None:
    where = {"graph": "http://example.org/graph/bad"}
    headers = AUTH | ({"Content-Type": content_type} if content_type else {})
    error = error_of(
        client.put("/store", params=where, content=body, headers=headers), status, code
    )
    assert error["message"]
    error_of(client.get("/store", params=where), 404, "not_found")  # nothing was written


def billion_laughs(levels: int) -> bytes:
    entities = '<!ENTITY e0 "ha">' + "".join(
        f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, levels)
    )
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {entities} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
<rdf:Description rdf:about="http://example.org/s"><ex:p>&e{levels - 1};</ex:p></rdf:Description>
</rdf:RDF>""".encode()


def test_rdfxml_entities_cannot_blow_up(client: TestClient) -> None:
    xml = {"Content-Type": "application/rdf+xml"} | AUTH
    where = {"graph": "http://example.org/graph/laughs"}
    error_of(
        client.put("/store", params=where, content=billion_laughs(10), headers=xml),
        400,
        "unsafe_xml",
    )
    wide = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY big "%s"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
<rdf:Description rdf:about="http://example.org/s"><ex:p>%s</ex:p></rdf:Description>
</rdf:RDF>""" % (b"x" * 5000, b"&big;" * 100)
    error_of(client.put("/store", params=where, content=wide, headers=xml), 400, "unsafe_xml")
    external = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY file SYSTEM "file:///etc/hostname"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
<rdf:Description rdf:about="http://example.org/s"><ex:p>&file;</ex:p></rdf:Description>
</rdf:RDF>"""
    error_of(
        client.put("/store", params=where, content=external, headers=xml), 400, "malformed_rdf"
    )


@pytest.mark.parametrize(
    "params",
    [{}, {"graph": NAMED, "default": ""}, {"graph": ["http://e/a", "http://e/b"]}, {"graph": "x"}],
    ids=["none", "both", "two", "relative"],
)
def test_graph_store_needs_one_graph(client: TestClient, params: dict[str, Any]) -> None:
    error_of(client.get("/store", params=params), 400, "bad_request")
    error_of(client.delete("/store", params=params, headers=AUTH), 400, "bad_request")


def test_default_graph_is_the_stores_own(client: TestClient) -> None:
    triple = b"<http://example.org/in-default> <http://example.org/p> <http://example.org/o> .\n"
    assert client.post("/store", params={"default": ""}, content=triple, headers=TURTLE | AUTH
                       ).status_code == 204  # fmt: skip
    got = client.get("/store", params={"default": ""}, headers=NT).text
    assert triple.decode() in got
    assert "TH-60" not in got  # the named graphs are not in it
    assert client.delete("/store", params={"default": ""}, headers=AUTH).status_code == 204
    assert client.get("/store", params={"default": ""}, headers=NT).text == ""


# -- CORS: reads open, writes never ---------------------------------------------------------------

ORIGIN = {"Origin": "https://elsewhere.example"}


def test_no_cors_for_writes(client: TestClient) -> None:
    assert (
        "access-control-allow-origin"
        in client.get("/sparql", params={"query": "ASK {}"}, headers=ORIGIN).headers
    )  # reads stay open
    written = client.post(
        "/sparql", content="CLEAR SILENT GRAPH <http://e/none>", headers=UPDATE | AUTH | ORIGIN
    )
    assert written.status_code == 204
    refused = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=ORIGIN)
    assert refused.status_code == 401
    for response in (written, refused):
        assert "access-control-allow-origin" not in response.headers
    preflights = [
        {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
        {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, Authorization",
        },
        {"Access-Control-Request-Method": "POST", "Content-Type": "application/sparql-update"},
        {"Access-Control-Request-Method": "PUT"},
    ]
    for asked in preflights:
        preflight = client.options("/sparql", headers=ORIGIN | asked)
        assert preflight.status_code == 204
        assert not any(name.startswith("access-control-") for name in preflight.headers)
    store_reads = [
        client.get("/store", params={"default": ""}, headers=ORIGIN),
        client.options("/store", headers=ORIGIN | {"Access-Control-Request-Method": "PUT"}),
        client.put("/store", params={"default": ""}, content=b"", headers=TURTLE | ORIGIN),
    ]
    for response in store_reads:
        assert not any(name.startswith("access-control-") for name in response.headers)


# -- what follows a write ------------------------------------------------------------------------


def test_workers_read_snapshots_never_the_live_store(client: TestClient, app: FastAPI) -> None:
    store: OxigraphStore = app.state.engine
    assert store.path is not None
    runner = app.state.query_runner
    assert runner.dataset.parent == store.path / SNAPSHOTS
    first = runner.dataset
    for n in range(3):
        update = f'INSERT DATA {{ <http://example.org/n> <http://example.org/p> "{n}" }}'
        assert client.post("/sparql", content=update, headers=UPDATE | AUTH).status_code == 204
        assert ask(client, f'ASK {{ <http://example.org/n> <http://example.org/p> "{n}" }}')
    assert runner.dataset != first
    snapshot_meta = json.loads((runner.dataset / META_FILE).read_text())
    assert snapshot_meta == {"version": store.version}
    for _ in range(4):  # a worker moves on to the newest snapshot before its next job
        ask(client, "ASK {}")
    kept = sorted((store.path / SNAPSHOTS).iterdir())
    # the ones no worker holds are gone; an idle worker may still hold the one it last read
    # (the idle worker that finished last is handed the next job: graph.runner._Idle)
    assert runner.dataset in kept and len(kept) <= runner.size
    meta = json.loads((store.path / META_FILE).read_text())
    assert meta == {"version": store.version}  # no write under way


def test_reads_answer_during_a_slow_write(client: TestClient, app: FastAPI) -> None:
    writer = app.state.writer
    started = time.monotonic()
    with writer._lock:  # a write in progress holds the lock
        assert ask(client, "ASK { ?s ?p ?o }")
        assert client.get("/api/search", params={"q": "นครสวรรค์"}).status_code == 200
        assert client.get("/store", params={"default": ""}).status_code == 200
    assert time.monotonic() - started < 30


# -- the protocol's dataset for an update, written into its text ----------------------------------


def test_using_parameters_become_using_clauses() -> None:
    update = (
        "PREFIX ex: <http://e/>\n"
        'DELETE { ?s ex:p "WHERE" } INSERT { ?s ex:q 1 } WHERE { ?s ?p ?o } ;'
        "\nINSERT DATA { ex:a ex:b ex:c } ;\n# WHERE in a comment\n"
        "INSERT { GRAPH ?g { ?s ex:r 2 } } WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    rewritten = with_dataset(update, ["http://e/d"], ["http://e/n1", "http://e/n2"])
    using = "USING <http://e/d> USING NAMED <http://e/n1> USING NAMED <http://e/n2> WHERE"
    assert rewritten.count(using) == 2
    assert '"WHERE"' in rewritten and "# WHERE in a comment" in rewritten
    assert rewritten.replace(using, "WHERE").replace("WHERE  {", "WHERE {") == update
    ox.Store().update(rewritten)  # still a valid update
    for refused in (
        "DELETE WHERE { ?s ?p ?o }",
        "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <http://e/g> WHERE { ?s ?p ?o }",
    ):
        with pytest.raises(BadRequest):
            with_dataset(refused, ["http://e/d"], [])


def test_head_of_a_graph(client: TestClient) -> None:
    head = client.head("/store", params={"default": ""})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("text/turtle")


def test_service_description_says_updates(client: TestClient, read_only: TestClient) -> None:
    update = "http://www.w3.org/ns/sparql-service-description#SPARQL11Update"
    assert update in client.get("/sparql", headers=NT).text
    assert update not in read_only.get("/sparql", headers=NT).text
