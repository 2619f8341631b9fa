"""The network projection and its routes: neighbours, paths, metrics, communities."""

import io
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from test_api_entities import assert_error, get

from phakhi.graph.labels import ID_BASE
from phakhi.graph.network import STRUCTURED_ATTRIBUTES, Network, exportable, project
from phakhi.graph.store import OxigraphStore

WICHAI = f"{ID_BASE}person/wichai-nasuwanno"
CODI = f"{ID_BASE}agency/codi"
YEAR_2_PROVINCES = ["TH-60", "TH-37", "TH-76", "TH-23", "TH-80"]
NODE_KEYS = {"iri", "kind", "id", "label", "label_th", "label_en", "date"}
EDGE_KEYS = {
    "relation", "label", "label_th", "label_en", "predicate", "qualifier", "qualifier_th",
    "qualifier_en", "via", "via_type", "event", "on_behalf_of", "text_th", "text_en", "date",
    "sources", "quotes", "inferred", "evidence",
}  # fmt: skip


@pytest.fixture(scope="module")
def graph(engine: OxigraphStore) -> nx.MultiDiGraph:
    return project(engine)


# -- the projection (the contract views and exports build on) --------------------------------


def test_nodes_are_entities_with_their_attributes(graph: nx.MultiDiGraph) -> None:
    assert graph.number_of_nodes() > 100
    for node, attrs in graph.nodes(data=True):
        assert set(attrs) >= NODE_KEYS, node
        assert attrs["iri"] == node == f"{ID_BASE}{attrs['kind']}/{attrs['id']}"
        assert attrs["kind"] not in ("role", "capacity", "status", "source", "membership")
    assert graph.nodes[CODI]["label_en"].startswith("Community Organizations")
    province = graph.nodes[f"{ID_BASE}province/TH-60"]
    assert (province["label_th"], province["iso_code"]) == ("นครสวรรค์", "TH-60")
    assert isinstance(province["lat"], float)


def test_edges_carry_every_attribute(graph: nx.MultiDiGraph) -> None:
    assert graph.number_of_edges() > 50
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        assert set(attrs) == EDGE_KEYS, (u, v, key)
        assert u in graph and v in graph and u != v
        assert isinstance(attrs["inferred"], bool)
        if attrs["sources"]:
            assert attrs["evidence"]
            assert attrs["sources"] == " | ".join(sorted({e["source"] for e in attrs["evidence"]}))


def test_memberships_become_labelled_edges(graph: nx.MultiDiGraph) -> None:
    edges = graph.get_edge_data(WICHAI, CODI)
    member = next(a for k, a in edges.items() if k.startswith("member_of:"))
    assert member["relation"] == "member_of"
    assert member["qualifier"] == f"{ID_BASE}role/deputy-director"
    assert member["label_en"] == "member of (Deputy director)"
    assert member["label_th"] == "สมาชิกของ (รองผู้อำนวยการ)"
    assert member["via_type"] == "membership"
    assert member["via"].startswith(f"{ID_BASE}membership/")
    assert member["sources"].startswith(f"{ID_BASE}source/")
    assert "วิชัย นะสุวรรณโน" in member["quotes"]
    assert member["inferred"] is False


def test_participations_become_edges_to_the_event(graph: nx.MultiDiGraph) -> None:
    took_part = [
        (v, a)
        for _, v, a in graph.out_edges(WICHAI, data=True)
        if a["relation"] == "participated_in"
    ]
    assert took_part
    for event, attrs in took_part:
        assert graph.nodes[event]["kind"] == "event"
        assert attrs["event"] == event
        assert attrs["qualifier"].startswith(f"{ID_BASE}capacity/")
        assert attrs["label_en"] == attrs["qualifier_en"]
    represented = [a for _, v, a in graph.out_edges(WICHAI, data=True) if v == CODI]
    assert "represented" in {a["relation"] for a in represented}


def test_commitments_collapse_to_commits_to(graph: nx.MultiDiGraph) -> None:
    commitments = [a for _, _, a in graph.edges(data=True) if a["via_type"] == "commitment"]
    assert commitments
    for attrs in commitments:
        assert attrs["relation"] in ("commits_to", "committed_at")
        assert attrs["text_th"] and attrs["text_en"]
        assert attrs["via"] not in graph


def test_exportable_writes_graphml_and_gexf(graph: nx.MultiDiGraph) -> None:
    clean = exportable(graph)
    for _, _, attrs in clean.edges(data=True):
        assert not set(STRUCTURED_ATTRIBUTES) & set(attrs)
        assert all(isinstance(v, str | int | float | bool) for v in attrs.values())
    assert all("evidence" in a for _, _, a in graph.edges(data=True)), "the original is kept"
    nx.write_graphml(clean, io.BytesIO())
    nx.write_gexf(clean, io.BytesIO())


def test_projection_and_metrics_are_deterministic(
    engine: OxigraphStore, graph: nx.MultiDiGraph
) -> None:
    again = project(engine)
    assert list(again.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(again.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))
    one, two = Network(graph), Network(again)
    assert one.communities == two.communities
    assert one.ranking("betweenness") == two.ranking("betweenness")


# -- the routes -------------------------------------------------------------------------------


def test_neighbours(client: TestClient) -> None:
    body = get(client, "/api/entities/person/wichai-nasuwanno/neighbours?lang=en")
    assert (body["depth"], body["lang"], body["center"]["iri"]) == (1, "en", WICHAI)
    nodes = {n["iri"] for n in body["nodes"]}
    assert {WICHAI, CODI} <= nodes
    for edge in body["edges"]:
        assert edge["source"] in nodes and edge["target"] in nodes
    member = next(e for e in body["edges"] if e["relation"] == "member_of" and e["target"] == CODI)
    assert member["label"] == "member of (Deputy director)"
    assert member["qualifier"]["label"] == "Deputy director"
    assert member["via"]["kind"] == "membership"
    assert member["evidence"][0]["source"]["kind"] == "source"
    assert member["evidence"][0]["quotes"]
    thai = get(client, "/api/entities/person/wichai-nasuwanno/neighbours?lang=th")
    assert next(e for e in thai["edges"] if e["key"] == member["key"])["label"] == (
        "สมาชิกของ (รองผู้อำนวยการ)"
    )


def test_neighbourhoods_grow_with_depth(client: TestClient) -> None:
    sizes = []
    previous: set[str] = set()
    for depth in (1, 2, 3):
        body = get(client, f"/api/entities/agency/codi/neighbours?depth={depth}")
        nodes = {n["iri"] for n in body["nodes"]}
        assert previous <= nodes
        previous = nodes
        sizes.append(len(nodes))
    assert sizes[0] < sizes[1]


@pytest.mark.parametrize("province", YEAR_2_PROVINCES)
def test_year_2_provinces_are_connected(client: TestClient, province: str) -> None:
    body = get(client, f"/api/entities/province/{province}/neighbours")
    assert body["edges"], f"{province} is linked to something"


@pytest.mark.parametrize("depth", ["0", "4", "x"])
def test_bad_depth_is_a_400(client: TestClient, depth: str) -> None:
    url = f"/api/entities/agency/codi/neighbours?depth={depth}"
    assert_error(client.get(url), 400, "invalid_parameters")


def test_neighbours_of_unknown_is_a_404(client: TestClient) -> None:
    response = client.get("/api/entities/agency/no-such-agency/neighbours")
    assert_error(response, 404, "not_in_network")


def check_path(body: dict[str, Any], start: str, end: str) -> None:
    nodes = [n["iri"] for n in body["nodes"]]
    assert (nodes[0], nodes[-1]) == (start, end)
    assert body["length"] == len(body["steps"]) == len(nodes) - 1
    for step, a, b in zip(body["steps"], nodes, nodes[1:], strict=False):
        assert (step["source"], step["target"]) == (a, b)
        assert step["edges"]
        for edge in step["edges"]:
            assert {edge["source"], edge["target"]} == {a, b}
            assert edge["label"]


@pytest.mark.parametrize("province", YEAR_2_PROVINCES)
def test_path_from_a_person_to_each_year_2_province(client: TestClient, province: str) -> None:
    body = get(client, f"/api/paths?from=person/wichai-nasuwanno&to=province/{province}&lang=en")
    check_path(body, WICHAI, f"{ID_BASE}province/{province}")
    evidence = [e for step in body["steps"] for edge in step["edges"] for e in edge["evidence"]]
    assert evidence, "the path's statements come from sources"


def test_path_takes_iris_and_is_stable(client: TestClient) -> None:
    url = f"/api/paths?from={CODI}&to={ID_BASE}agency/kpi"
    body = get(client, url)
    check_path(body, CODI, f"{ID_BASE}agency/kpi")
    assert get(client, url) == body


def test_path_errors(client: TestClient) -> None:
    assert_error(client.get("/api/paths?from=codi&to=agency/kpi"), 400, "bad_request")
    assert_error(client.get("/api/paths?to=agency/kpi"), 400, "invalid_parameters")
    response = client.get("/api/paths?from=agency/no-such-agency&to=agency/kpi")
    assert_error(response, 404, "not_in_network")


def test_no_path_is_a_404(client: TestClient) -> None:
    ranked = get(client, "/api/metrics?measure=degree&kind=province&limit=500")["items"]
    isolated = [m["node"]["iri"] for m in ranked if m["degree"] == 0]
    if len(isolated) < 2:
        pytest.skip("every province is connected")
    response = client.get("/api/paths", params={"from": isolated[0], "to": isolated[1]})
    assert_error(response, 404, "no_path")


@pytest.mark.parametrize("measure", ["degree", "betweenness"])
def test_metrics(client: TestClient, measure: str) -> None:
    body = get(client, f"/api/metrics?measure={measure}&limit=10")
    assert body["measure"] == measure
    assert body["total"] > 100
    items = body["items"]
    assert [m["rank"] for m in items] == list(range(1, 11))
    scores = [m["score"] for m in items]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    assert body["next"] is not None
    second = get(client, body["next"])
    assert second["items"][0]["rank"] == 11
    assert second["items"][0]["score"] <= scores[-1]


def test_metrics_by_kind(client: TestClient) -> None:
    body = get(client, "/api/metrics?measure=degree&kind=agency&limit=500&lang=en")
    assert {m["node"]["kind"] for m in body["items"]} == {"agency"}
    assert "codi" in [m["node"]["id"] for m in body["items"][:5]]
    assert_error(client.get("/api/metrics?measure=pagerank"), 400, "invalid_parameters")


def test_communities(client: TestClient) -> None:
    body = get(client, "/api/communities?lang=en")
    assert body["total"] == len(body["items"]) > 1
    sizes = [c["size"] for c in body["items"]]
    assert sizes == sorted(sizes, reverse=True)
    assert all(c["size"] == len(c["members"]) >= 2 for c in body["items"])
    members = [m["iri"] for c in body["items"] for m in c["members"]]
    assert len(members) == len(set(members))
    assert CODI in members
    assert get(client, "/api/communities?lang=en") == body
    everyone = get(client, "/api/communities?min_size=1")
    assert everyone["total"] > body["total"]


def test_openapi_documents_the_json_api(client: TestClient) -> None:
    paths = get(client, "/openapi.json")["paths"]
    for path in [
        "/api/search", "/api/entities/{kind}/{id}", "/api/entities/{kind}/{id}/neighbours",
        "/api/paths", "/api/metrics", "/api/communities", "/api/agencies", "/api/people",
        "/api/provinces", "/api/mechanisms", "/api/mechanism-types", "/api/themes",
        "/api/events", "/api/sources", "/api/units", "/api/projects",
    ]:  # fmt: skip
        operation = paths[path]["get"]
        assert operation["summary"] and operation["description"], path
        assert "200" in operation["responses"]
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
