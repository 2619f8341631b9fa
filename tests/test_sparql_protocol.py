"""/sparql against the SPARQL 1.1 Protocol: methods, formats, datasets, errors, SERVICE, CORS.

The real app (its query worker processes included) over the ontology and the province gazetteer.
"""

import csv
import http.server
import io
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from server import reference_settings

from phakhi.api import negotiation
from phakhi.api.app import create_app
from phakhi.api.errors import Forbidden
from phakhi.api.query_shape import analyse, refuse_services

PHK = "https://w3id.org/phakhi/ontology#"
ONTOLOGY = "https://w3id.org/phakhi/ontology"
PROVINCES = "https://w3id.org/phakhi/graph/reference/provinces"
TH60 = URIRef("https://w3id.org/phakhi/id/province/TH-60")
SD = "http://www.w3.org/ns/sparql-service-description#"
LABELS = {"นครสวรรค์", "Nakhon Sawan"}
PREFIXES = f"PREFIX phk: <{PHK}>\nPREFIX rdfs: <{RDFS}>\n"
SELECT_LABELS = PREFIXES + "SELECT ?label WHERE { ?p phk:isoCode 'TH-60' ; rdfs:label ?label }"
ASK_TRUE = PREFIXES + "ASK { ?p phk:isoCode 'TH-60' }"
ASK_FALSE = PREFIXES + "ASK { ?p phk:isoCode 'TH-99' }"
CONSTRUCT_TH60 = (
    PREFIXES + "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p phk:isoCode 'TH-60' ; rdfs:label ?l }"
)
DESCRIBE_TH60 = f"DESCRIBE <{TH60}>"
COUNT_PROVINCES = PREFIXES + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a phk:Province }"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint on loopback that answers one fixed row and records every request."""

    hits: ClassVar[list[str]] = []  # the class is the server's state: handlers are per request

    def do_GET(self) -> None:
        self.hits.append(self.path)
        row = {"x": {"type": "literal", "value": "from afar"}}
        body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [row]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def remote_port() -> Iterator[str]:
    """A loopback SPARQL endpoint, allow-listed as 127.0.0.1 (localhost is not)."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = reference_settings(
        tmp_path_factory.mktemp("data"), service_allow_list=["127.0.0.1"], query_workers=2
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def ask(
    client: TestClient, query: str, headers: dict[str, str] | None = None, **params: str
) -> httpx.Response:
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The one error shape, pinned: {"error": {status, code, message, detail}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"status", "code", "message", "detail"}
    assert error["status"] == status and error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["detail"], dict)
    return error


def labels_of_json(body: bytes) -> set[str]:
    return {row["label"]["value"] for row in json.loads(body)["results"]["bindings"]}


# -- methods ----------------------------------------------------------------------------------


def test_get(client: TestClient) -> None:
    response = ask(client, SELECT_LABELS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    assert labels_of_json(response.content) == LABELS


def test_post_form(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": SELECT_LABELS})
    assert response.status_code == 200
    assert labels_of_json(response.content) == LABELS


def test_post_query_body(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=SELECT_LABELS.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert response.status_code == 200
    assert labels_of_json(response.content) == LABELS


def test_post_query_body_takes_graphs_from_the_url(client: TestClient) -> None:
    response = client.post(
        "/sparql?default-graph-uri=" + ONTOLOGY,
        content=COUNT_PROVINCES,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert count(response) == 0


# -- result formats ---------------------------------------------------------------------------


def parse_labels(media_type: str, body: bytes) -> set[str]:
    if media_type == "application/sparql-results+json":
        return labels_of_json(body)
    if media_type == "application/sparql-results+xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(body)
        return {(e.text or "") for e in root.iterfind(".//r:binding[@name='label']/r:literal", ns)}
    if media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert rows[0] == ["label"]
        return {row[0] for row in rows[1:]}
    solutions = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    return {str(row["label"].value) for row in solutions}


@pytest.mark.parametrize("name", RESULT_TYPES)
def test_select_formats_by_format_parameter(client: TestClient, name: str) -> None:
    # Accept asks for something else: format= wins
    response = client.get(
        "/sparql", params={"query": SELECT_LABELS, "format": name}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    media_type = RESULT_TYPES[name]
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert parse_labels(media_type, response.content) == LABELS


@pytest.mark.parametrize("media_type", RESULT_TYPES.values())
def test_select_formats_by_accept(client: TestClient, media_type: str) -> None:
    accept = f"text/html;q=0.9, {media_type};q=0.95, */*;q=0.1"
    response = client.get("/sparql", params={"query": SELECT_LABELS}, headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == media_type
    assert parse_labels(media_type, response.content) == LABELS


@pytest.mark.parametrize(
    ("query", "expected"), [(ASK_TRUE, True), (ASK_FALSE, False)], ids=["true", "false"]
)
@pytest.mark.parametrize(
    "media_type", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask(client: TestClient, query: str, expected: bool, media_type: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": media_type})
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    assert bool(ox.parse_query_results(response.content, fmt)) is expected
    if "json" in media_type:
        assert response.json() == {"head": {}, "boolean": expected}


def parse_graph(media_type: str, body: bytes) -> Graph:
    graph = Graph()
    graph.parse(data=body, format=RDFLIB_FORMATS[media_type])
    return graph


@pytest.mark.parametrize("query", [CONSTRUCT_TH60, DESCRIBE_TH60], ids=["construct", "describe"])
@pytest.mark.parametrize("name", GRAPH_TYPES)
def test_graph_formats_by_format_parameter(client: TestClient, query: str, name: str) -> None:
    response = ask(client, query, format=name)
    media_type = GRAPH_TYPES[name]
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    graph = parse_graph(media_type, response.content)
    assert (TH60, RDFS.label, Literal("นครสวรรค์", lang="th")) in graph
    assert (TH60, RDFS.label, Literal("Nakhon Sawan", lang="en")) in graph


@pytest.mark.parametrize("media_type", GRAPH_TYPES.values())
def test_graph_formats_by_accept(client: TestClient, media_type: str) -> None:
    accept = f"text/turtle;q=0.5, {media_type}, application/sparql-results+json"
    response = client.get("/sparql", params={"query": DESCRIBE_TH60}, headers={"Accept": accept})
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert (TH60, RDF.type, URIRef(PHK + "Province")) in parse_graph(media_type, response.content)


@pytest.mark.parametrize(
    ("accept", "select", "construct"),
    [
        (None, "application/sparql-results+json", "text/turtle"),
        ("*/*", "application/sparql-results+json", "text/turtle"),
        (BROWSER, "application/sparql-results+json", "text/turtle"),
        ("application/*", "application/sparql-results+json", "application/n-triples"),
        ("text/*", "text/csv", "text/turtle"),
        ("application/json", "application/sparql-results+json", "application/ld+json"),
        ("*/*;q=0.5, application/rdf+xml, text/csv;q=0.9", "text/csv", "application/rdf+xml"),
        (
            "application/sparql-results+json;q=0, */*",
            "application/sparql-results+xml",
            "text/turtle",
        ),
    ],
)
def test_accept_negotiation(
    client: TestClient, accept: str | None, select: str, construct: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    for query, expected in ((SELECT_LABELS, select), (CONSTRUCT_TH60, construct)):
        response = client.get("/sparql", params={"query": query}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == f"{expected}; charset=utf-8"
        assert "Accept" in response.headers["vary"]


def test_negotiate_prefers_the_most_specific_range() -> None:
    offered = negotiation.RESULT_FORMATS
    assert negotiation.negotiate("text/csv;q=0, text/*;q=0.8", offered) is negotiation.TSV
    assert (
        negotiation.negotiate("*/*;q=0.1, text/tab-separated-values;q=0.2", offered)
        is negotiation.TSV
    )
    assert negotiation.negotiate("text/html", offered) is None
    assert negotiation.negotiate("garbage", offered) is negotiation.JSON  # unreadable: as absent
    assert (
        negotiation.negotiate("text/csv;q=abc, application/sparql-results+xml", offered)
        is negotiation.XML
    )


# -- datasets ---------------------------------------------------------------------------------


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def graphs_seen(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {row["g"]["value"] for row in response.json()["results"]["bindings"]}


GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
CLASSES = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> }"
ALL_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_default_graph_is_the_union_of_named_graphs(client: TestClient) -> None:
    assert count(ask(client, COUNT_PROVINCES)) == 77
    assert count(ask(client, CLASSES)) > 0


def test_default_graph_uri(client: TestClient) -> None:
    assert count(ask(client, COUNT_PROVINCES, **{"default-graph-uri": ONTOLOGY})) == 0
    assert count(ask(client, CLASSES, **{"default-graph-uri": ONTOLOGY})) > 0
    assert count(ask(client, COUNT_PROVINCES, **{"default-graph-uri": PROVINCES})) == 77


def test_default_graph_uri_repeated_merges(client: TestClient) -> None:
    both = [
        ("query", ALL_TRIPLES),
        ("default-graph-uri", ONTOLOGY),
        ("default-graph-uri", PROVINCES),
    ]
    ontology = count(ask(client, ALL_TRIPLES, **{"default-graph-uri": ONTOLOGY}))
    provinces = count(ask(client, ALL_TRIPLES, **{"default-graph-uri": PROVINCES}))
    assert count(client.get("/sparql", params=both)) == ontology + provinces


def test_named_graph_uri(client: TestClient) -> None:
    assert {ONTOLOGY, PROVINCES} <= graphs_seen(ask(client, GRAPHS))
    assert graphs_seen(ask(client, GRAPHS, **{"named-graph-uri": PROVINCES})) == {PROVINCES}
    form = {"query": GRAPHS, "named-graph-uri": [PROVINCES, ONTOLOGY]}
    assert graphs_seen(client.post("/sparql", data=form)) == {PROVINCES, ONTOLOGY}


def test_from_in_the_query_applies(client: TestClient) -> None:
    from_ontology = COUNT_PROVINCES.replace("WHERE", f"FROM <{ONTOLOGY}> WHERE")
    from_provinces = COUNT_PROVINCES.replace("WHERE", f"FROM <{PROVINCES}> WHERE")
    assert count(ask(client, from_ontology)) == 0
    assert count(ask(client, from_provinces)) == 77


def test_from_named_alone_leaves_the_default_graph_empty(client: TestClient) -> None:
    query = f"SELECT DISTINCT ?g FROM NAMED <{ONTOLOGY}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert graphs_seen(ask(client, query)) == {ONTOLOGY}
    empty = ALL_TRIPLES.replace("WHERE", f"FROM NAMED <{ONTOLOGY}> WHERE")
    assert count(ask(client, empty)) == 0  # SPARQL 1.1 §13.2: no FROM, so an empty default graph


def test_protocol_dataset_overrides_from(client: TestClient) -> None:
    from_ontology = COUNT_PROVINCES.replace("WHERE", f"FROM <{ONTOLOGY}> WHERE")
    assert count(ask(client, from_ontology, **{"default-graph-uri": PROVINCES})) == 77
    from_named = GRAPHS.replace("WHERE", f"FROM NAMED <{ONTOLOGY}> WHERE")
    assert graphs_seen(ask(client, from_named, **{"named-graph-uri": PROVINCES})) == {PROVINCES}


def test_graph_uri_must_be_an_iri(client: TestClient) -> None:
    error = error_of(
        ask(client, ALL_TRIPLES, **{"default-graph-uri": "not an iri"}), 400, "bad_request"
    )
    assert "default-graph-uri" in error["message"]


# -- service description ----------------------------------------------------------------------


def service_description(response: httpx.Response, fmt: str = "turtle") -> Graph:
    assert response.status_code == 200, response.text
    graph = Graph()
    graph.parse(data=response.content, format=fmt)
    return graph


def test_service_description(client: TestClient, app: FastAPI) -> None:
    response = client.get("/sparql")
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = service_description(response)
    service = graph.value(predicate=RDF.type, object=URIRef(SD + "Service"))
    assert service is not None
    assert graph.value(service, URIRef(SD + "endpoint")) == URIRef("http://testserver/sparql")
    assert graph.value(service, URIRef(SD + "supportedLanguage")) == URIRef(SD + "SPARQL11Query")
    assert (service, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in graph
    formats = set(graph.objects(service, URIRef(SD + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    assert len(formats) == 8
    dataset = graph.value(service, URIRef(SD + "defaultDataset"))
    names = {
        str(graph.value(named, URIRef(SD + "name")))
        for named in graph.objects(dataset, URIRef(SD + "namedGraph"))
    }
    assert names == set(app.state.engine.graphs())
    assert {ONTOLOGY, PROVINCES} <= names


def test_service_description_for_browsers_and_other_formats(client: TestClient) -> None:
    browser = client.get("/sparql", headers={"Accept": BROWSER})
    assert browser.headers["content-type"] == "text/turtle; charset=utf-8"
    html_only = client.get("/sparql", headers={"Accept": "text/html"})
    assert html_only.headers["content-type"] == "text/turtle; charset=utf-8"
    ntriples = client.get("/sparql", params={"format": "ntriples"})
    assert ntriples.headers["content-type"] == "application/n-triples; charset=utf-8"
    assert len(service_description(ntriples, "nt")) == len(service_description(browser))


# -- errors -----------------------------------------------------------------------------------


def test_malformed_query_has_its_position(client: TestClient) -> None:
    response = ask(client, "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER( }")
    error = error_of(response, 400, "malformed_query")
    assert error["detail"]["line"] == 3
    assert error["detail"]["column"] > 1
    assert f"{error['detail']['line']}:{error['detail']['column']}" in error["message"]


def test_not_acceptable(client: TestClient) -> None:
    png = client.get("/sparql", params={"query": SELECT_LABELS}, headers={"Accept": "image/png"})
    error = error_of(png, 406, "not_acceptable")
    assert error["detail"]["offered"] == list(RESULT_TYPES.values())
    error = error_of(ask(client, CONSTRUCT_TH60, format="csv"), 406, "not_acceptable")
    assert error["detail"]["offered"] == list(GRAPH_TYPES.values())
    html = client.get("/sparql", params={"query": SELECT_LABELS}, headers={"Accept": "text/html"})
    assert html.status_code == 406  # (browsers get the error as a page: api/rendering.py)


def test_unknown_format_name(client: TestClient) -> None:
    error = error_of(ask(client, SELECT_LABELS, format="yaml"), 400, "bad_request")
    assert "yaml" in error["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_unsupported_media_type(client: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=SELECT_LABELS, headers=headers)
    error = error_of(response, 415, "unsupported_media_type")
    assert "application/sparql-query" in error["message"]


def test_query_twice(client: TestClient) -> None:
    both = client.post(
        "/sparql?query=ASK%20%7B%7D",
        content=ASK_TRUE,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert "both" in error_of(both, 400, "bad_request")["message"]
    two = client.get("/sparql", params=[("query", ASK_TRUE), ("query", ASK_FALSE)])
    assert "exactly one" in error_of(two, 400, "bad_request")["message"]
    url_and_form = client.post("/sparql?query=ASK%20%7B%7D", data={"query": ASK_TRUE})
    error_of(url_and_form, 400, "bad_request")


def test_body_must_be_utf8(client: TestClient) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    error_of(
        client.post("/sparql", content=b"query=ASK%FF%20%7B%7D", headers=form), 400, "bad_request"
    )
    direct = {"Content-Type": "application/sparql-query"}
    error_of(client.post("/sparql", content=b"ASK {\xff}", headers=direct), 400, "bad_request")


def test_missing_or_empty_query(client: TestClient) -> None:
    error_of(client.post("/sparql", data={"format": "json"}), 400, "bad_request")
    error_of(ask(client, "  "), 400, "bad_request")


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql", params={"update": "CLEAR ALL"}),
        lambda c: c.post(
            "/sparql",
            content="PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
            headers={"Content-Type": "application/sparql-query"},
        ),
        lambda c: c.get("/sparql", params={"query": "LOAD <http://example.org/data.ttl>"}),
        lambda c: c.get("/sparql", params={"query": "# comment\nDELETE WHERE { ?s ?p ?o }"}),
    ],
    ids=["get-update", "insert", "load", "delete"],
)
def test_updates_are_refused(client: TestClient, send: Any) -> None:
    error = error_of(send(client), 400, "bad_request")
    assert "not accepted at /sparql" in error["message"]


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}),
        lambda c: c.post(
            "/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
        ),
    ],
    ids=["form-update", "sparql-update"],
)
def test_updates_need_writes_enabled(client: TestClient, send: Any) -> None:
    # the protocol's update forms: refused while no write token is configured (test_writes.py)
    error_of(send(client), 403, "writes_disabled")


def test_updates_do_not_change_anything(client: TestClient) -> None:
    before = count(ask(client, ALL_TRIPLES))
    client.post("/sparql", data={"query": "CLEAR ALL"})
    assert count(ask(client, ALL_TRIPLES)) == before


# -- SERVICE ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "host"),
    [
        ("<http://localhost:{port}/sparql>", "localhost"),
        ("SILENT <http://localhost:{port}/sparql>", "localhost"),
        ("# a comment\n <http://localhost:{port}/sparql>", "localhost"),
        ("far:sparql", "localhost"),
        ("<http://127.0.0.1\\u0040localhost:{port}/sparql>", "localhost"),  # \u0040 is @
    ],
    ids=["iri", "silent", "comment", "prefixed", "escaped-userinfo"],
)
def test_service_refused_without_any_request(
    client: TestClient, remote_port: str, target: str, host: str
) -> None:
    before = len(_Recorder.hits)
    query = (
        f"PREFIX far: <http://localhost:{remote_port}/>\n"
        f"SELECT * WHERE {{ ?s ?p ?o . service {target.format(port=remote_port)} {{ ?x ?y ?z }} }}"
    )
    error = error_of(ask(client, query), 403, "forbidden")
    assert host in error["message"]
    assert error["detail"]["host"] == host
    assert len(_Recorder.hits) == before  # refused before evaluation: no request went out


def test_service_with_a_variable_is_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { VALUES ?e { <http://127.0.0.1/> } SERVICE ?e { ?s ?p ?o } }"
    error = error_of(ask(client, query), 403, "forbidden")
    assert "?e" in error["message"]


def test_allowed_service_host_is_queried(client: TestClient, remote_port: str) -> None:
    """An allow-listed host passes the guard, and pyoxigraph really calls it (on loopback)."""
    before = len(_Recorder.hits)
    query = f"SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{remote_port}/sparql> {{ ?x ?y ?z }} }}"
    response = ask(client, query)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == [
        {"x": {"type": "literal", "value": "from afar"}}
    ]
    assert len(_Recorder.hits) == before + 1


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://evil.example/> { }" }',
        "SELECT * WHERE { ?s ?p '''\nSERVICE <http://evil.example/> { }''' }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil.example/> { }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> <http://evil.example/> }",
        "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:SERVICE <http://evil.example/> }",
        "SELECT ?service WHERE { ?service ?p <http://evil.example/> }",
        "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:a\\#b ?o }",
    ],
    ids=["string", "long-string", "comment", "in-iri", "prefixed-name", "variable", "escape"],
)
def test_guard_ignores_service_that_is_not_a_keyword(query: str) -> None:
    assert analyse(query).services == []
    refuse_services(analyse(query), [])


@pytest.mark.parametrize(
    ("query", "written"),
    [
        (
            "SELECT * WHERE { ?s ?p ?o .SERVICE <http://evil.example/> { } }",
            "<http://evil.example/>",
        ),
        ("SELECT * WHERE { ?s ?p 1.SERVICE <http://evil.example/> { } }", "<http://evil.example/>"),
        ("SELECT * WHERE { {}SERVICE<http://evil.example/>{} }", "<http://evil.example/>"),
        (
            "SELECT * WHERE { FILTER(?a<?b) SERVICE <http://evil.example/> { } }",
            "<http://evil.example/>",
        ),
        (
            "SELECT * WHERE { ?s ?p 'it''s' . SERVICE <http://evil.example/> {} }",
            "<http://evil.example/>",
        ),
        ("BASE <http://evil.example/>\nSELECT * WHERE { SERVICE <sparql> {} }", "<sparql>"),
    ],
    ids=["after-dot", "after-number", "no-space", "less-than", "quotes", "relative"],
)
def test_guard_finds_service_keywords(query: str, written: str) -> None:
    (call,) = analyse(query).services
    assert call.written == written
    assert call.host == "evil.example"
    with pytest.raises(Forbidden, match=r"evil\.example"):
        refuse_services(analyse(query), [])
    refuse_services(analyse(query), ["evil.example", "other.example"])  # allowed: no error


def test_guard_decodes_escapes_before_judging_the_host() -> None:
    local = "PREFIX e: <http://allowed.example>\nSELECT * WHERE { SERVICE e:\\@evil.example\\/ {} }"
    iri = "SELECT * WHERE { SERVICE <http://allowed.example\\u0040evil.example/> {} }"
    for query in (local, iri):
        (call,) = analyse(query).services
        assert call.iri == "http://allowed.example@evil.example/"
        with pytest.raises(Forbidden, match=r"evil\.example"):
            refuse_services(analyse(query), ["allowed.example"])


def test_guard_reads_query_form_and_dataset() -> None:
    assert analyse(PREFIXES + "select * {}").form == "SELECT"
    assert analyse("BASE <http://x/> PREFIX : <http://y/>\nCONSTRUCT WHERE {}").form == "CONSTRUCT"
    assert analyse("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").is_update
    assert analyse(f"SELECT * FROM <{ONTOLOGY}> {{}}").own_dataset
    assert not analyse("SELECT * { ?s <http://example.org/from> 'FROM' }").own_dataset


# -- CORS -------------------------------------------------------------------------------------


def test_cors_open_for_queries(client: TestClient) -> None:
    origin = {"Origin": "https://someone.example"}
    response = client.get("/sparql", params={"query": ASK_TRUE}, headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    error = client.get("/sparql", params={"query": "SELECT"}, headers=origin)
    assert error.status_code == 400
    assert error.headers["access-control-allow-origin"] == "*"  # browsers may read the error
    preflight = client.options(
        "/sparql",
        headers=origin
        | {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_cors_with_listed_origins(client: TestClient, app: FastAPI) -> None:
    # (pytest's monkeypatch cannot restore a starlette State attribute: it deletes it)
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"cors_origins": ["https://ok.example"]})
    try:
        ok = ask(client, ASK_TRUE, headers={"Origin": "https://ok.example"})
        other = ask(client, ASK_TRUE, headers={"Origin": "https://x.example"})
    finally:
        app.state.settings = settings
    assert ok.headers["access-control-allow-origin"] == "https://ok.example"
    assert "Origin" in ok.headers["vary"]
    assert "access-control-allow-origin" not in other.headers


def test_no_cors_without_origin(client: TestClient) -> None:
    assert "access-control-allow-origin" not in ask(client, ASK_TRUE).headers
