"""The contract: the same app gives the same answers on every backend (tests/backends.py).

Each request is answered by the app over the embedded store and over each remote store, and the
answers must be equal: JSON compared as data, exports byte for byte (they are deterministic),
SPARQL results as sets of rows (GROUP_CONCAT's order aside). Pages must render from either.
"""

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from phakhi.graph.paths import COMPETENCY_DIR

LISTS = (
    "agencies", "capacities", "commitments", "events", "mechanisms", "memberships", "people",
    "places", "projects", "provinces", "roles", "sources", "statistics", "themes", "units",
)  # fmt: skip
API = (
    *(f"/api/{name}" for name in LISTS),
    "/api/search?q=NIDA",
    "/api/search?q=%E0%B8%9E%E0%B8%AD%E0%B8%8A.",  # พอช. (CODI's Thai abbreviation)
    "/api/search?q=trat&lang=en",
    "/api/entities/agency/codi",
    "/api/entities/agency/codi?lang=en",
    "/api/entities/person/wichai-nasuwanno",
    "/api/entities/province/TH-60?lang=en",
    "/api/entities/agency/codi/neighbours?depth=2",
    "/api/entities/person/wichai-nasuwanno/timeline",
    "/api/paths?from=person/wichai-nasuwanno&to=province/TH-23&lang=en",
    "/api/metrics",
    "/api/communities",
    "/api/viz/network",
    "/api/entities/agency/codi?as_of=2024-01-01",
)
EXPORTS = (
    "/export/graph.ttl",
    "/export/dataset.trig",
    "/export/dataset.nq",
    "/export/graph.jsonld",
    "/export/graph.rdf",
    "/export/sources/nida-forum-2024-06-11.ttl",
    "/export/entities/agency/codi.ttl",
    "/export/network.graphml",
    "/export/nodes.csv",
    "/export/edges.csv",
)
PAGES = ("/", "/id/agency/codi", "/id/province/TH-76", "/viz/network", "/map", "/ontology")


def _get(client: TestClient, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.text[:300])
    return response


@pytest.mark.parametrize("url", API)
def test_json_api_answers_alike(any_client: TestClient, client: TestClient, url: str) -> None:
    assert _get(any_client, url).json() == _get(client, url).json()


@pytest.mark.parametrize("url", EXPORTS)
def test_exports_are_byte_identical(any_client: TestClient, client: TestClient, url: str) -> None:
    assert _get(any_client, url).content == _get(client, url).content


@pytest.mark.parametrize("path", sorted(COMPETENCY_DIR.glob("*.rq")), ids=lambda p: p.name)
def test_sparql_endpoint_answers_alike(
    any_client: TestClient, client: TestClient, path: Path
) -> None:
    url = "/sparql?query=" + quote(path.read_text(encoding="utf-8"))
    accept = "application/sparql-results+json"
    assert _rows(_get(any_client, url, accept=accept)) == _rows(_get(client, url, accept=accept))


@pytest.mark.parametrize("url", PAGES)
def test_pages_render(any_client: TestClient, url: str) -> None:
    assert "<html" in _get(any_client, url, accept="text/html").text


def test_graph_store_reads_a_graph(any_client: TestClient, client: TestClient) -> None:
    url = "/store?graph=https://w3id.org/phakhi/graph/reference/agencies"
    ours, theirs = _get(any_client, url), _get(client, url, accept="application/n-triples")
    assert ours.status_code == theirs.status_code == 200


def _rows(response: Any) -> list[str]:
    bindings = response.json()["results"]["bindings"]
    return sorted(
        json.dumps(_unordered(row), sort_keys=True, ensure_ascii=False) for row in bindings
    )


def _unordered(row: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The order in which GROUP_CONCAT joins values is left to the engine (SPARQL 1.1, 18.5.1.7):
    literals without a datatype are compared as the sorted words they are made of."""
    return {
        name: {**term, "value": " ".join(sorted(re.split(r"[,\s]+", term["value"])))}
        if term["type"] == "literal" and "datatype" not in term
        else term
        for name, term in row.items()
    }
