"""Common SPARQL clients against /sparql on a real uvicorn (127.0.0.1, a free port).

SPARQLWrapper adds its own format=/output=/results= parameters and Accept headers; rdflib's
SPARQLStore sends yet other Accept headers: both must get what they asked for.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from server import reference_settings, serve
from SPARQLWrapper import CSV, GET, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from phakhi.api.app import create_app

TH60 = URIRef("https://w3id.org/phakhi/id/province/TH-60")
LABELS = {"นครสวรรค์", "Nakhon Sawan"}
PREFIXES = "PREFIX phk: <https://w3id.org/phakhi/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECT_LABELS = PREFIXES + "SELECT ?label WHERE { ?p phk:isoCode 'TH-60' ; rdfs:label ?label }"
ASK_TH60 = PREFIXES + "ASK { ?p phk:isoCode 'TH-60' }"
CONSTRUCT_TH60 = (
    PREFIXES + "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p phk:isoCode 'TH-60' ; rdfs:label ?l }"
)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(reference_settings(tmp_path_factory.mktemp("data"), query_workers=2))
    with serve(app) as base:
        yield base + "/sparql"


def wrapper(endpoint: str, query: str, fmt: str, method: str = GET) -> Any:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method == POSTDIRECTLY:  # the query as the body (application/sparql-query)
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    else:
        client.setMethod(method)
    return client.query()


@pytest.mark.parametrize("method", [GET, POST, POSTDIRECTLY])
def test_sparqlwrapper_json(endpoint: str, method: str) -> None:
    result = wrapper(endpoint, SELECT_LABELS, JSON, method).convert()
    assert {row["label"]["value"] for row in result["results"]["bindings"]} == LABELS


def test_sparqlwrapper_xml(endpoint: str) -> None:
    document = wrapper(endpoint, SELECT_LABELS, XML).convert()  # an xml.dom.minidom Document
    literals = document.getElementsByTagName("literal")
    assert {node.firstChild.data for node in literals} == LABELS


def test_sparqlwrapper_csv(endpoint: str) -> None:
    response = wrapper(endpoint, SELECT_LABELS, CSV)
    assert response.response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.convert().decode("utf-8"))))
    assert rows[0] == ["label"]
    assert {row[0] for row in rows[1:]} == LABELS


def test_sparqlwrapper_tsv(endpoint: str) -> None:
    response = wrapper(endpoint, SELECT_LABELS, TSV)
    assert response.response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    lines = response.convert().decode("utf-8").splitlines()
    assert lines[0] == "?label"  # TSV writes RDF terms, in N-Triples syntax
    assert set(lines[1:]) == {'"นครสวรรค์"@th', '"Nakhon Sawan"@en'}


def test_sparqlwrapper_ask(endpoint: str) -> None:
    assert wrapper(endpoint, ASK_TH60, JSON).convert()["boolean"] is True


def test_sparqlwrapper_construct_turtle(endpoint: str) -> None:
    response = wrapper(endpoint, CONSTRUCT_TH60, TURTLE)
    assert response.response.headers["content-type"].startswith("text/turtle")
    graph = Graph()
    graph.parse(data=response.convert(), format="turtle")
    assert set(graph.objects(TH60, RDFS.label)) == {
        Literal("นครสวรรค์", lang="th"),
        Literal("Nakhon Sawan", lang="en"),
    }


def test_rdflib_sparqlstore(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint))
    rows = graph.query(SELECT_LABELS)
    assert {str(row[0]) for row in rows} == LABELS  # type: ignore[index]
    assert graph.query(ASK_TH60).askAnswer is True
    assert graph.query(ASK_TH60.replace("TH-60", "TH-99")).askAnswer is False
