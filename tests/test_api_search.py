"""GET /api/search: Thai and English names, abbreviations, honorifics, partial words."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from test_api_entities import assert_error, get

from phakhi.graph.search import key, normalize, strip_honorifics


def hits(client: TestClient, query: str, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def first(client: TestClient, query: str, **params: str) -> dict[str, Any]:
    found = hits(client, query, **params)
    assert found, f"nothing found for {query!r}"
    return found[0]


@pytest.mark.parametrize(
    ("query", "ident"),
    [
        ("สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)", "codi"),  # full Thai name
        ("พอช.", "codi"),  # Thai abbreviation
        ("พอช", "codi"),  # … without its dot
        ("CODI", "codi"),  # English abbreviation
        ("codi", "codi"),
        ("สสส.", "thaihealth"),
        ("สช.", "nhco"),
        ("NIDA", "nida"),
        ("สถาบันพระปกเกล้า", "kpi"),
        ("King Prajadhipok's Institute", "kpi"),  # English name
        ("Community Organizations Development Institute", "codi"),  # English prefix
        ("จังหวัดนครสวรรค์", "TH-60"),  # province alt label
        ("นครสวรรค์", "TH-60"),
        ("Nakhon Sawan", "TH-60"),
        ("อำนาจเจริญ", "TH-37"),
        ("วิชัย นะสุวรรณโน", "wichai-nasuwanno"),  # Thai person name
        ("นายวิชัย นะสุวรรณโน", "wichai-nasuwanno"),  # with honorific
        ("นาย วิชัย นะสุวรรณโน", "wichai-nasuwanno"),
        ("วิชัยนะสุวรรณโน", "wichai-nasuwanno"),  # without the space
        ("Wichai Nasuwanno", "wichai-nasuwanno"),  # English name
        ("Mr. Wichai Nasuwanno", "wichai-nasuwanno"),
        ("wichai", "wichai-nasuwanno"),  # prefix
    ],
)
def test_top_hit(client: TestClient, query: str, ident: str) -> None:
    assert first(client, query)["id"] == ident


def test_exact_abbreviation_hit(client: TestClient) -> None:
    hit = first(client, "พอช.")
    assert hit == {
        "iri": "https://w3id.org/phakhi/id/agency/codi",
        "kind": "agency",
        "id": "codi",
        "label": "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)",
        "matched": "พอช.",
        "match": "exact",
        "score": 100.0,
        "api": "/api/entities/agency/codi",
    }


@pytest.mark.parametrize("query", ["นะสุวรรณ", "สุวรรณโน", "นะสุวรรณโน", "Nasuwan"])
def test_partial_words_find_the_person(client: TestClient, query: str) -> None:
    assert "wichai-nasuwanno" in [h["id"] for h in hits(client, query, kind="person")]


def test_typo_is_a_fuzzy_match(client: TestClient) -> None:
    found = hits(client, "นะสุวรรณโณ", kind="person")
    assert found[0]["id"] == "wichai-nasuwanno"
    assert found[0]["match"] == "fuzzy"


def test_ranking_tiers(client: TestClient) -> None:
    found = hits(client, "นครสวรรค์", limit="500")
    assert found[0]["match"] == "exact"
    scores = [h["score"] for h in found]
    assert scores == sorted(scores, reverse=True)
    tiers = ["exact", "prefix", "token", "substring", "fuzzy"]
    order = [tiers.index(h["match"]) for h in found]
    assert order == sorted(order)


def test_kind_filter(client: TestClient) -> None:
    found = hits(client, "นครสวรรค์", kind="province")
    assert [h["id"] for h in found] == ["TH-60"]
    assert_error(client.get("/api/search?q=x&kind=spaceship"), 400, "invalid_parameters")


def test_labels_follow_the_language(client: TestClient) -> None:
    assert first(client, "พอช.", lang="en")["label"].startswith("Community Organizations")
    english = client.get("/api/search", params={"q": "CODI"}, headers={"Accept-Language": "en"})
    assert english.json()["items"][0]["label"].startswith("Community Organizations")
    assert first(client, "CODI")["label"] == "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)"


def test_pagination_and_stability(client: TestClient) -> None:
    every = get(client, "/api/search?q=สภา&limit=500")
    assert every["total"] >= 2
    page = get(client, "/api/search?q=สภา&limit=1&offset=1")
    assert page["total"] == every["total"]
    assert page["items"] == every["items"][1:2]
    if every["total"] > 2:
        link = urlsplit(page["next"])
        assert parse_qs(link.query) == {"q": ["สภา"], "limit": ["1"], "offset": ["2"]}
    else:
        assert page["next"] is None
    again = get(client, "/api/search?q=สภา&limit=500")
    assert again["items"] == every["items"]


def test_no_hits_is_an_empty_page(client: TestClient) -> None:
    body = get(client, "/api/search?q=zzzzqqqq")
    assert (body["total"], body["items"], body["next"]) == (0, [], None)


@pytest.mark.parametrize("query", ["q=", "q=%20%20", "", "q=" + "ก" * 201])
def test_bad_queries_are_400s(client: TestClient, query: str) -> None:
    assert_error(client.get(f"/api/search?{query}"), 400)


def test_normalisation() -> None:
    assert normalize("พอ\u200bช.") == "พอช."
    assert normalize("ปีที่ ๒") == "ปีที่ 2"
    assert normalize("เเม่") == "แม่"
    assert normalize("ก่่า") == "ก่า"
    assert normalize("CODI  Thailand") == "codi thailand"
    assert key(normalize("King Prajadhipok's Institute")) == "king prajadhipoks institute"
    assert key("สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)") == "สถาบันพัฒนาองค์กรชุมชน องค์การมหาชน"


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("นายวิชัย นะสุวรรณโน", "วิชัย นะสุวรรณโน"),
        ("นางสาวสมศรี ใจดี", "สมศรี ใจดี"),
        ("นพ.อภิชาต รอดสม", "อภิชาต รอดสม"),
        ("ศ.กิตติคุณ นพ.สุทธิพร จิตต์มิตรภาพ", "สุทธิพร จิตต์มิตรภาพ"),
        ("รองศาสตราจารย์ ดร.พัทรียา หลักเพ็ชร", "พัทรียา หลักเพ็ชร"),
        ("ศาสตราจารย์ ดร.บรรเจิด สิงคะเนติ", "บรรเจิด สิงคะเนติ"),
        ("ผศ.ดร. สมชาย", "สมชาย"),
        ("dr. wichai", "wichai"),
        ("assoc. prof. dr. pattareeya", "pattareeya"),
        ("mrinal", "mrinal"),  # not "Mr"
        ("นาย", "นาย"),  # nothing left: kept
    ],
)
def test_honorifics(name: str, bare: str) -> None:
    assert strip_honorifics(normalize(name)) == bare


def test_thai_digits_and_zero_width_in_queries(client: TestClient) -> None:
    assert first(client, "พอ\u200bช.")["id"] == "codi"
