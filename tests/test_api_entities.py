"""GET /api/entities/{kind}/{id}: labels, languages, statements with evidence, involvements."""

from typing import Any, get_args

from fastapi.testclient import TestClient

from phakhi.api.routes.entities import DescribableKind
from phakhi.graph.compiler import CLASSES
from phakhi.graph.labels import EXTRA_KINDS

CODI_TH = "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)"
CODI_EN = "Community Organizations Development Institute (Public Organization)"
WICHAI = "/api/entities/person/wichai-nasuwanno"


def get(client: TestClient, url: str, **headers: str) -> dict[str, Any]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape of api/errors.py."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "detail"}
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["detail"], dict)
    if code is not None:
        assert error["code"] == code
    result: dict[str, Any] = error
    return result


def test_kinds_cover_the_compiler() -> None:
    assert set(get_args(DescribableKind)) == set(CLASSES) | set(EXTRA_KINDS)


def test_agency_in_thai_by_default(client: TestClient) -> None:
    response = client.get("/api/entities/agency/codi")
    assert response.status_code == 200
    assert response.headers["content-language"] == "th"
    body = response.json()
    assert body["iri"] == "https://w3id.org/phakhi/id/agency/codi"
    assert (body["kind"], body["id"], body["lang"]) == ("agency", "codi", "th")
    assert body["label"] == CODI_TH
    assert body["labels"] == {"th": CODI_TH, "en": CODI_EN}
    assert "พอช." in body["alt_labels"]["th"]
    assert "CODI" in body["alt_labels"]["en"]
    assert body["description"] == body["descriptions"]["th"]
    assert "https://w3id.org/phakhi/ontology#Agency" in [t["iri"] for t in body["types"]]


def test_lang_parameter_switches_labels(client: TestClient) -> None:
    body = get(client, "/api/entities/agency/codi?lang=en")
    assert body["lang"] == "en"
    assert body["label"] == CODI_EN
    assert body["description"] == body["descriptions"]["en"]
    agency = next(t for t in body["types"] if t["iri"].endswith("#Agency"))
    assert agency["label"] == "Agency"
    thai = get(client, "/api/entities/agency/codi?lang=th")
    assert next(t for t in thai["types"] if t["iri"].endswith("#Agency"))["label"] == "หน่วยงาน"


def test_accept_language_is_the_fallback(client: TestClient) -> None:
    url = "/api/entities/agency/codi"
    assert get(client, url, **{"Accept-Language": "en-GB,en;q=0.9"})["label"] == CODI_EN
    assert get(client, url, **{"Accept-Language": "fr-FR, en;q=0.5"})["label"] == CODI_EN
    assert get(client, url, **{"Accept-Language": "fr-FR, de"})["label"] == CODI_TH
    assert get(client, url, **{"Accept-Language": "en;q=0.4, th;q=0.8"})["label"] == CODI_TH
    # ?lang= wins over the header
    assert get(client, f"{url}?lang=th", **{"Accept-Language": "en"})["label"] == CODI_TH


def test_bad_lang_is_a_400(client: TestClient) -> None:
    assert_error(client.get("/api/entities/agency/codi?lang=fr"), 400, "invalid_parameters")


def test_unknown_entity_is_a_404_in_the_error_shape(client: TestClient) -> None:
    error = assert_error(client.get("/api/entities/agency/no-such-agency"), 404, "not_found")
    assert error["detail"] == {"kind": "agency", "id": "no-such-agency"}


def test_bad_kind_or_id_is_a_400(client: TestClient) -> None:
    assert_error(client.get("/api/entities/spaceship/codi"), 400, "invalid_parameters")
    assert_error(client.get("/api/entities/agency/bad%20id"), 400, "invalid_parameters")


def test_person_membership_is_summarised_with_evidence(client: TestClient) -> None:
    body = get(client, f"{WICHAI}?lang=en")
    assert body["label"] == "Wichai Nasuwanno"
    memberships = [i for i in body["involvements"] if i["type"] == "membership"]
    codi = next(i for i in memberships if i["parts"]["organization"][0]["id"] == "codi")
    assert codi["part"] == "member"
    assert codi["parts"]["role"][0]["id"] == "deputy-director"
    assert codi["text"] == f"member of {CODI_EN} as Deputy director"
    assert codi["evidence"], "a membership from a source has evidence"
    evidence = codi["evidence"][0]
    assert evidence["source"]["kind"] == "source"
    assert evidence["source"]["label"]  # the source's title
    assert any("วิชัย นะสุวรรณโน" in quote for quote in evidence["quotes"])
    assert isinstance(evidence["line"], int)
    assert evidence["inferred"] is False
    thai = get(client, f"{WICHAI}?lang=th")
    text = next(i["text"] for i in thai["involvements"] if i["node"]["iri"] == codi["node"]["iri"])
    assert text == f"สมาชิกของ {CODI_TH} ในตำแหน่ง รองผู้อำนวยการ"


def test_person_participation_is_summarised(client: TestClient) -> None:
    body = get(client, f"{WICHAI}?lang=en")
    spoke = [i for i in body["involvements"] if i["type"] == "participation"]
    assert spoke, "the deputy director of CODI takes part in the forum"
    for item in spoke:
        assert item["part"] == "participant"
        assert item["parts"]["event"][0]["kind"] == "event"
        assert f" at {item['parts']['event'][0]['label']}" in item["text"]
        assert item["evidence"]


def test_organisation_sees_its_members(client: TestClient) -> None:
    body = get(client, "/api/entities/agency/codi?lang=en")
    members = [i for i in body["involvements"] if i["part"] == "organization"]
    wichai = next(i for i in members if i["parts"]["member"][0]["id"] == "wichai-nasuwanno")
    assert wichai["text"] == "Wichai Nasuwanno is a member as Deputy director"


def test_statements_carry_their_evidence(client: TestClient) -> None:
    body = get(client, f"{WICHAI}?lang=en")
    statements = body["statements"]
    assert [s["direction"] for s in statements] == sorted(
        (s["direction"] for s in statements), key=lambda d: d != "out"
    )
    typed = next(s for s in statements if s["predicate"]["iri"].endswith("#type"))
    assert typed["object"]["iri"] == "http://xmlns.com/foaf/0.1/Person"
    assert typed["evidence"], "the source that introduces a person backs its type"
    label = next(
        s
        for s in statements
        if s["predicate"]["iri"].endswith("#label") and s["object"]["lang"] == "th"
    )
    assert label["object"]["value"] == "วิชัย นะสุวรรณโน"
    assert label["evidence"] == []
    member = next(
        s
        for s in statements
        if s["direction"] == "in" and s["predicate"]["iri"].endswith("#member")
    )
    assert member["subject"]["kind"] == "membership"
    assert member["subject"]["api"].startswith("/api/entities/membership/")
    assert member["object"]["id"] == "wichai-nasuwanno"
    assert member["evidence"] and member["evidence"][0]["quotes"]


def test_literal_statements_have_datatypes(client: TestClient) -> None:
    body = get(client, "/api/entities/province/TH-60?lang=en")
    assert body["label"] == "Nakhon Sawan"
    assert get(client, "/api/entities/province/TH-60?lang=th")["label"] == "นครสวรรค์"
    values = {
        s["predicate"]["iri"].rsplit("#", 1)[-1]: s["object"]
        for s in body["statements"]
        if s["direction"] == "out" and "value" in s["object"]
    }
    assert values["isoCode"]["value"] == "TH-60"
    assert values["lat"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"


def test_n_ary_nodes_and_sources_have_pages(client: TestClient) -> None:
    body = get(client, f"{WICHAI}?lang=en")
    node = next(i["node"] for i in body["involvements"] if i["type"] == "membership")
    membership = get(client, node["api"] + "?lang=en")
    assert membership["kind"] == "membership"
    assert "Wichai Nasuwanno" in membership["label"]
    sources = get(client, "/api/sources?limit=1")["items"]
    assert sources
    source = get(client, sources[0]["api"])
    assert source["kind"] == "source"
    assert source["label"] == sources[0]["label"]
