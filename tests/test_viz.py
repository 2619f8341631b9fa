"""The network views without a browser: what each view and filter sends, the cap, the errors,
escaping, the standalone file and `phakhi viz` (tests/test_viz_browser.py draws them)."""

import argparse
import base64
import hashlib
import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from phakhi.api.app import create_app
from phakhi.api.settings import Settings
from phakhi.graph.network import Network
from phakhi.viz.network_page import ASSETS, script_json, standalone, to_pyvis
from phakhi.viz.network_view import (
    FORUM_CONTEXT,
    FORUM_RELATIONS,
    KIND_STYLES,
    PMA_KINDS,
    PMA_RELATIONS,
    SEED,
    VIEWS,
    ViewSpec,
    add_command,
    build_view,
    read_sources,
)

TESTS = Path(__file__).parent
HOSTILE = TESTS / "data" / "viz-hostile.ttl"
ID = "https://w3id.org/phakhi/id/"
CODI = ID + "agency/codi"
VIEW_URLS = {
    "network": "/viz/network",
    "ego": "/viz/ego/agency/codi?depth=2",
    "province-mechanism-agency": "/viz/province-mechanism-agency",
    "forum": "/viz/forum",
}
RAW_HOSTILE = (
    "<img src=x onerror",
    "<script>alert(2)",
    "<svg onload",
    "<b onmouseover",
    "<b>bold</b>",
)
_DATA = re.compile(r'<script type="application/json" id="phakhi-view">(.*?)</script>', re.S)


def api(url: str) -> str:
    return url.replace("/viz/", "/api/viz/", 1)


def embedded(html: str) -> dict[str, Any]:
    """The data a page gives network.js."""
    found = _DATA.search(html)
    assert found is not None, "no view data in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def network_of(app: FastAPI) -> Network:
    network: Network = app.state.network
    return network


@pytest.fixture(scope="module")
def hostile_app() -> FastAPI:
    app: FastAPI = create_app(Settings(data_files=[HOSTILE]))
    return app


@pytest.fixture(scope="module")
def hostile(hostile_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(hostile_app) as test_client:
        yield test_client


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "detail"}
    error: dict[str, Any] = body["error"]
    assert error["status"] == status
    return error


# -- what each view sends --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VIEW_URLS))
def test_page_and_json_send_the_same_view(client: TestClient, name: str) -> None:
    url = VIEW_URLS[name]
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    view = client.get(api(url)).json()
    data = embedded(page.text)
    assert view["view"] == name
    assert [n["id"] for n in data["nodes"]] == [n["id"] for n in view["nodes"]]
    assert [e["id"] for e in data["edges"]] == [e["id"] for e in view["edges"]]
    assert {(e["from"], e["to"]) for e in data["edges"]} == {
        (e["source"], e["target"]) for e in view["edges"]
    }
    assert view["nodes"] and view["edges"]
    assert data["options"]["layout"]["randomSeed"] == SEED
    assert len(view["nodes"]) == view["total_nodes"]
    ids = {n["id"] for n in view["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in view["edges"])


def test_whole_network(client: TestClient, app: FastAPI) -> None:
    graph = network_of(app).graph
    view = client.get("/api/viz/network").json()
    linked = {n for u, v in graph.edges() for n in (u, v)}
    assert {n["id"] for n in view["nodes"]} == linked
    assert len(view["edges"]) == graph.number_of_edges()
    assert [n["code"] for n in view["notices"]] == ["isolated_hidden"]
    everything = client.get("/api/viz/network?isolated=show").json()
    assert len(everything["nodes"]) == graph.number_of_nodes()
    assert everything["notices"] == []


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_ego_network_is_the_neighbourhood(client: TestClient, app: FastAPI, depth: int) -> None:
    near = network_of(app).neighbours(CODI, depth)
    view = client.get(f"/api/viz/ego/agency/codi?depth={depth}").json()
    assert view["centre"] == CODI and view["depth"] == depth
    assert {n["id"] for n in view["nodes"]} == set(near.nodes)
    assert len(view["edges"]) == near.number_of_edges()
    assert [n["id"] for n in view["nodes"] if n["centre"]] == [CODI]
    assert "Community Organizations Development Institute" in view["title_en"]


def test_province_mechanism_agency_view(client: TestClient) -> None:
    view = client.get("/api/viz/province-mechanism-agency").json()
    kinds = {n["kind"] for n in view["nodes"]}
    assert kinds <= set(PMA_KINDS)
    assert {"province", "mechanism", "agency"} <= kinds
    assert {e["relation"] for e in view["edges"]} <= set(PMA_RELATIONS)
    assert {"in_province", "promotes", "mechanism_type"} <= {e["relation"] for e in view["edges"]}
    assert view["layout"] == "layered"
    assert all(n["level"] == KIND_STYLES[n["kind"]].level for n in view["nodes"])


def test_forum_view(client: TestClient) -> None:
    view = client.get("/api/viz/forum").json()
    relations = {e["relation"] for e in view["edges"]}
    assert relations <= set(FORUM_RELATIONS + FORUM_CONTEXT)
    assert {"participated_in", "represented"} <= relations
    assert "event" in {n["kind"] for n in view["nodes"]}
    spoke = [e for e in view["edges"] if e["relation"] == "participated_in"]
    assert all(e["target"].startswith(ID + "event/") for e in spoke)


# -- filters ---------------------------------------------------------------------------------


def test_kind_filter(client: TestClient) -> None:
    view = client.get("/api/viz/network?kind=agency&kind=province&isolated=show").json()
    assert {n["kind"] for n in view["nodes"]} == {"agency", "province"}
    assert view["filters"]["kind"] == ["agency", "province"]


def test_province_filter_keeps_what_is_near(client: TestClient, app: FastAPI) -> None:
    province = ID + "province/TH-60"
    simple = network_of(app).simple
    for reach in (1, 2):
        near = nx.single_source_shortest_path_length(simple, province, cutoff=reach)
        view = client.get(f"/api/viz/network?province=TH-60&reach={reach}").json()
        ids = {n["id"] for n in view["nodes"]}
        assert province in ids
        assert ids <= set(near)
    one = client.get("/api/viz/network?province=TH-60&reach=1").json()
    two = client.get("/api/viz/network?province=TH-60&reach=2").json()
    assert len(one["nodes"]) < len(two["nodes"])
    mixed = client.get("/api/viz/network?province=TH-60&kind=mechanism").json()
    assert {n["kind"] for n in mixed["nodes"]} == {"province", "mechanism"}


@pytest.mark.parametrize(
    "query", ["mechanism_type=citizen-council", "theme=housing", "province=TH-23&reach=3"]
)
def test_focus_filters_narrow_the_view(client: TestClient, query: str) -> None:
    whole = client.get("/api/viz/network").json()
    narrowed = client.get(f"/api/viz/network?{query}").json()
    assert 0 < len(narrowed["nodes"]) < len(whole["nodes"])


def test_evidence_filters(client: TestClient) -> None:
    whole = client.get("/api/viz/network").json()
    sources = whole["sources"]
    secondary = {iri for iri, s in sources.items() if s["tier"] == "secondary"}
    assert secondary and any(not e["evidence"] for e in whole["edges"])
    assert any(e["inferred"] for e in whole["edges"])

    only = client.get("/api/viz/network?source=nida-forum-2024-06-11-related-news").json()
    assert only["edges"]
    assert all(
        e["evidence"] and {v["source"] for v in e["evidence"]} == secondary for e in only["edges"]
    )

    primary = client.get("/api/viz/network?tier=primary").json()
    assert 0 < len(primary["edges"]) < len(whole["edges"])
    assert all(e["evidence"] for e in primary["edges"])
    assert not {v["source"] for e in primary["edges"] for v in e["evidence"]} & secondary

    stated = client.get("/api/viz/network?inferred=no").json()
    assert 0 < len(stated["edges"]) < len(whole["edges"])
    assert not any(v["inferred"] for e in stated["edges"] for v in e["evidence"])


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/viz/network?kind=bogus",
        "/viz/network?province=Bangkok",
        "/viz/network?province=TH-99",
        "/api/viz/network?mechanism_type=Not_An_Id",
        "/api/viz/network?theme=no-such-theme",
        "/api/viz/network?source=no-such-source",
        "/api/viz/network?tier=best",
        "/api/viz/network?inferred=maybe",
        "/api/viz/network?reach=4",
        "/api/viz/network?size=pagerank",
        "/api/viz/network?max_nodes=0",
        "/api/viz/network?max_nodes=-5",
        "/viz/ego/agency/codi?depth=4",
        "/api/viz/ego/agency/codi?depth=0",
        "/api/viz/ego/nonsense/codi",
        "/viz/ego?entity=codi",
        "/viz/forum?lang=fr",
    ],
)
def test_bad_parameters_are_400_in_the_one_shape(client: TestClient, url: str) -> None:
    error = error_of(client.get(url, headers={"Accept": "application/json"}), 400)
    assert error["code"] == "invalid_parameters"
    assert error["message"]


def test_unknown_ego_entity_is_404(client: TestClient) -> None:
    for url in ("/api/viz/ego/agency/no-such-agency", "/viz/ego/person/nobody"):
        error = error_of(client.get(url, headers={"Accept": "application/json"}), 404)
        assert error["code"] == "not_in_network"


def test_ego_form_redirects(client: TestClient) -> None:
    response = client.get(
        "/viz/ego?entity=agency/codi&depth=2&lang=en&kind=person", follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/viz/ego/agency/codi?depth=2&lang=en&kind=person"


# -- the cap ---------------------------------------------------------------------------------


def test_the_cap_keeps_the_most_central_and_says_so(client: TestClient, app: FastAPI) -> None:
    whole = client.get("/api/viz/network").json()
    view = client.get("/api/viz/network?max_nodes=10").json()
    assert len(view["nodes"]) == 10 == view["max_nodes"]
    assert view["total_nodes"] == len(whole["nodes"])
    assert view["omitted_nodes"] == len(whole["nodes"]) - 10
    capped = [n for n in view["notices"] if n["code"] == "capped"]
    assert len(capped) == 1
    assert f"{view['omitted_nodes']} omitted" in capped[0]["en"]
    assert "Narrow the view" in capped[0]["en"]
    shown = {n["id"] for n in whole["nodes"]}
    ranked = [iri for iri, _ in network_of(app).ranking("degree") if iri in shown]
    assert {n["id"] for n in view["nodes"]} == set(ranked[:10])
    ids = {n["id"] for n in view["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in view["edges"])

    by_betweenness = client.get("/api/viz/network?max_nodes=10&size=betweenness").json()
    top = [iri for iri, _ in network_of(app).ranking("betweenness") if iri in shown]
    assert {n["id"] for n in by_betweenness["nodes"]} == set(top[:10])

    page = client.get("/viz/network?max_nodes=10&lang=en").text
    assert f"{view['omitted_nodes']} omitted" in page
    assert '<details class="phk-filters" open>' in page  # the ways to narrow it, opened


def test_the_ego_centre_survives_the_cap(client: TestClient) -> None:
    view = client.get("/api/viz/ego/person/wichai-nasuwanno?depth=3&max_nodes=3").json()
    assert len(view["nodes"]) == 3
    assert ID + "person/wichai-nasuwanno" in {n["id"] for n in view["nodes"]}


def test_the_setting_caps_what_is_asked() -> None:
    assert Settings().viz_max_nodes == 2000
    small = TestClient(create_app(Settings(data_files=[HOSTILE], viz_max_nodes=2)))
    view = small.get("/api/viz/network?max_nodes=1000").json()
    assert view["max_nodes"] == 2 and len(view["nodes"]) == 2 and view["omitted_nodes"] == 1


# -- the pages -------------------------------------------------------------------------------


def test_same_request_same_bytes(client: TestClient) -> None:
    for url in ("/viz/network", "/api/viz/forum", "/viz/ego/agency/codi?depth=2"):
        assert client.get(url).content == client.get(url).content


def test_served_pages_load_only_from_the_app(client: TestClient) -> None:
    for url in [*VIEW_URLS.values(), "/viz"]:
        page = client.get(url)
        links = re.findall(r'(?:src|href|action|formaction)="([^"]*)"', page.text)
        assert links
        for link in links:
            assert link.startswith(("/", "?", "#", "data:")), (url, link)
        assert "cdn" not in page.text.lower().replace("cdn_resources", "")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "connect-src 'none'" in policy
    scripts = re.findall(r'<script src="([^"]+)"', client.get("/viz/forum").text)
    assert scripts == ["/viz/assets/vis-network.min.js", "/viz/assets/network.js"]
    for name in ASSETS:
        asset = client.get(f"/viz/assets/{name}")
        assert asset.status_code == 200 and asset.content
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "text/css")
    error_of(client.get("/viz/assets/..%2Fsettings.py"), 404)
    error_of(client.get("/viz/assets/other.js"), 404)


def test_download_html_is_standalone(client: TestClient) -> None:
    response = client.get("/viz/ego/agency/codi?download=html&lang=en")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="phakhi-ego-agency-codi.html"'
    )
    html = response.text
    assert "<script src=" not in html and 'rel="stylesheet"' not in html
    assert "vis-network" in html and "new vis.Network" in html
    data = embedded(html)
    assert data["config"]["linkBase"] == "http://testserver"
    assert data["config"]["served"] is False
    assert len(data["nodes"]) == len(client.get("/api/viz/ego/agency/codi").json()["nodes"])


def test_standalone_policy_allows_exactly_its_scripts(engine: Any) -> None:
    network = Network.build(engine)
    html = standalone(build_view(network, read_sources(engine), ViewSpec(view="forum")))
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None
    allowed = unescape(policy.group(1))
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(inline) == 2
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert "connect-src 'none'" in allowed
    assert not re.search(r"""(?:src|href)=["']https?:""", html)


def test_index_page_lists_the_views(client: TestClient) -> None:
    page = client.get("/viz?lang=en")
    assert page.status_code == 200
    html = page.text
    for name in ("network", "province-mechanism-agency", "forum"):
        assert f'href="/viz/{name}?lang=en"' in html
        assert f'formaction="/viz/{name}"' in html
    assert 'action="/viz/ego"' in html and 'value="agency/codi"' in html
    assert "Who brings what where" in html


def test_the_json_api_lists_the_views(client: TestClient) -> None:
    views = client.get("/api/viz").json()
    assert [v["view"] for v in views] == list(VIEWS)
    for view in views:
        if view["view"] != "ego":
            assert client.get(view["data"]).json()["view"] == view["view"]
            assert client.get(view["page"]).status_code == 200
    ego = next(v for v in views if v["view"] == "ego")
    url = ego["data"].format(kind="agency", id="codi", depth=2)
    assert client.get(url).json()["depth"] == 2


def test_openapi_documents_the_views(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/viz",
        "/api/viz",
        "/viz/network",
        "/viz/province-mechanism-agency",
        "/viz/forum",
        "/viz/ego/{entity_kind}/{entity_id}",
        "/api/viz/network",
        "/api/viz/forum",
        "/api/viz/province-mechanism-agency",
        "/api/viz/ego/{entity_kind}/{entity_id}",
        "/viz/assets/{name}",
    ):
        assert path in paths, path
    parameters = {p["name"] for p in paths["/api/viz/network"]["get"]["parameters"]}
    assert {"kind", "province", "mechanism_type", "theme", "source", "size", "max_nodes"} <= (
        parameters
    )
    schema = paths["/api/viz/network"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"]["$ref"].endswith("/View")


# -- escaping --------------------------------------------------------------------------------


def test_script_json_cannot_close_its_script() -> None:
    data = {"label": "</script><script>alert(1)</script><!-- & \u2028"}
    text = script_json(data)
    assert not set("<>&") & set(text) and "\u2028" not in text
    assert json.loads(text) == data


def test_hostile_labels_are_escaped_everywhere(hostile: TestClient) -> None:
    for url in (
        "/viz/network",
        "/viz/ego/agency/hostile?depth=2",
        "/viz/province-mechanism-agency",
        "/viz/network?download=html",
        "/viz?lang=en",
        "/viz/network?max_nodes=1",
    ):
        html = hostile.get(url).text
        for raw in RAW_HOSTILE:
            assert raw not in html, (url, raw)
    ego = hostile.get("/viz/ego/agency/hostile?lang=en").text
    title = "<title>Ego network: &lt;img src=x onerror=alert(1)&gt; (depth 1) · Phakhi</title>"
    assert title in ego
    data = embedded(ego)
    labels = {n["label_en"] for n in data["nodes"]}
    assert "<img src=x onerror=alert(1)>" in labels  # the text itself arrives, to show as text
    assert "Unit </script><script>alert(2)</script>" in labels
    quotes = [q for e in data["edges"] for v in e["evidence"] for q in v["quotes"]]
    assert quotes == ["<svg onload=alert(4)> ข้อความ </script>"]
    titles = [s["title"] for s in data["sources"].values()]
    assert titles == ['<b onmouseover=alert(3)>แหล่ง</b> & "quotes" <!--']


def test_hostile_json_is_plain_data(hostile: TestClient) -> None:
    view = hostile.get("/api/viz/network").json()
    assert "<img src=x onerror=alert(1)>" in {n["label_th"] for n in view["nodes"]}


# -- pyvis, files and the command ------------------------------------------------------------


def test_pyvis_builds_the_nodes_and_writes_nothing(
    engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    network = Network.build(engine)
    view = build_view(network, read_sources(engine), ViewSpec())
    net = to_pyvis(view, "en")
    assert len(net.nodes) == len(view.nodes) and len(net.edges) == len(view.edges)
    assert net.options["layout"]["randomSeed"] == SEED
    codi = next(n for n in net.nodes if n["id"] == CODI)
    assert codi["label"] == codi["label_en"] and codi["shape"] == "square"
    standalone(view, "th")
    assert list(tmp_path.iterdir()) == []  # no lib/ folder, nothing at all


def test_every_kind_of_the_seed_has_a_style(app: FastAPI) -> None:
    kinds = {attrs["kind"] for _, attrs in network_of(app).graph.nodes(data=True)}
    assert kinds <= set(KIND_STYLES)
    shapes = {(s.colour, s.shape) for s in KIND_STYLES.values()}
    assert len(shapes) == len(KIND_STYLES)  # no two kinds look the same


def _cli(*args: str) -> int:
    parser = argparse.ArgumentParser(prog="phakhi")
    add_command(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args(["viz", *args])
    code: int = parsed.run(parsed)
    return code


def test_cli_writes_standalone_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole, ego, forum = tmp_path / "net.html", tmp_path / "ego.html", tmp_path / "forum.json"
    assert _cli("-o", str(whole)) == 0
    assert _cli("--ego", "agency/codi", "--depth", "2", "--lang", "en", "-o", str(ego)) == 0
    assert _cli("--view", "forum", "--kind", "person", "--kind", "event", "-o", str(forum)) == 0
    assert "wrote" in capsys.readouterr().out
    for path in (whole, ego):
        html = path.read_text(encoding="utf-8")
        assert "<script src=" not in html and "new vis.Network" in html
        assert embedded(html)["config"]["linkBase"] is None
    assert embedded(ego.read_text(encoding="utf-8"))["config"]["centre"] == CODI
    data = json.loads(forum.read_text(encoding="utf-8"))
    assert {n["kind"] for n in data["nodes"]} <= {"person", "event"}
    hostile = tmp_path / "hostile.html"
    assert _cli("--data", str(HOSTILE), "--link-base", "http://x", "-o", str(hostile)) == 0
    text = hostile.read_text(encoding="utf-8")
    assert not any(raw in text for raw in RAW_HOSTILE)
    assert embedded(text)["config"]["linkBase"] == "http://x"


def test_cli_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli("-o", str(tmp_path / "net.svg")) == 2
    assert _cli("--view", "ego", "-o", str(tmp_path / "a.html")) == 2
    assert _cli("--ego", "agency/no-such-agency", "-o", str(tmp_path / "b.html")) == 2
    assert _cli("--province", "TH-99", "-o", str(tmp_path / "c.html")) == 2
    assert "no province 'TH-99'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
