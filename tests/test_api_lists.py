"""GET /api/agencies, /api/people, /api/provinces, …: paginated lists sorted by label."""

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from test_api_entities import assert_error, get

from phakhi.graph.labels import collation_key

LISTS = [
    "agencies", "people", "provinces", "mechanisms", "mechanism-types", "themes", "events",
    "sources", "units", "projects",
]  # fmt: skip


@pytest.mark.parametrize("path", LISTS)
def test_every_list_answers(client: TestClient, path: str) -> None:
    body = get(client, f"/api/{path}")
    assert set(body) == {"lang", "total", "limit", "offset", "next", "items"}
    assert body["total"] >= len(body["items"]) > 0
    labels = [collation_key(item["label"]) for item in body["items"]]
    assert labels == sorted(labels)


def test_provinces_paginate(client: TestClient) -> None:
    first = get(client, "/api/provinces")
    assert (first["total"], first["limit"], first["offset"]) == (77, 50, 0)
    assert len(first["items"]) == 50
    assert first["next"] == "/api/provinces?offset=50&limit=50"
    second = get(client, first["next"])
    assert len(second["items"]) == 27
    assert second["next"] is None
    iris = [p["iri"] for p in first["items"] + second["items"]]
    assert len(set(iris)) == 77


def test_next_keeps_the_other_parameters(client: TestClient) -> None:
    body = get(client, "/api/provinces?lang=en&limit=10&offset=20")
    assert (
        body["items"][0]["label"]
        == get(client, "/api/provinces?lang=en&limit=30")["items"][20]["label"]
    )
    link = urlsplit(body["next"])
    assert link.path == "/api/provinces"
    assert parse_qs(link.query) == {"lang": ["en"], "limit": ["10"], "offset": ["30"]}


def test_lists_follow_the_language(client: TestClient) -> None:
    english = get(client, "/api/provinces?lang=en&limit=500")
    thai = get(client, "/api/provinces?limit=500", **{"Accept-Language": "th"})
    assert "Nakhon Sawan" in [p["label"] for p in english["items"]]
    assert "นครสวรรค์" in [p["label"] for p in thai["items"]]
    assert english["items"][0]["label"] == "Amnat Charoen"


def test_agencies_include_the_partners(client: TestClient) -> None:
    items = get(client, "/api/agencies?limit=500&lang=en")["items"]
    ids = {item["id"] for item in items}
    assert {"codi", "thaihealth", "nhco", "kpi", "nida"} <= ids
    codi = next(item for item in items if item["id"] == "codi")
    assert codi["api"] == "/api/entities/agency/codi"
    assert codi["description"]


def test_people_include_the_deputy_director(client: TestClient) -> None:
    items = get(client, "/api/people?limit=500")["items"]
    assert "วิชัย นะสุวรรณโน" in [item["label"] for item in items]


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "limit=ten"])
def test_bad_pagination_is_a_400(client: TestClient, query: str) -> None:
    assert_error(client.get(f"/api/agencies?{query}"), 400, "invalid_parameters")
