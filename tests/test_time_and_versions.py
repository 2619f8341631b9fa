"""Time and citable versions: ?as_of= shows the graph as it stood on a day (the forum of
2024-06-11 and what was said there are hidden the day before), entities have a timeline, and
every answer names the dataset version it is made from, with a notice for links made for
another one."""

import argparse
import json
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_api_entities import assert_error, get

from phakhi.api.app import create_app
from phakhi.api.settings import Settings
from phakhi.api.versioning import MISMATCH_HEADER, VERSION_HEADER
from phakhi.graph.dataset import build_dataset, to_nquads
from phakhi.graph.labels import ID_BASE
from phakhi.graph.network import Network, exportable
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE
from phakhi.graph.store import OxigraphStore
from phakhi.graph.timeline import as_of_view, holds, network_as_of, timeline
from phakhi.viz.network_view import add_command

BEFORE, ON = "2024-06-10", "2024-06-11"
FORUM = "/api/entities/event/nida-forum-2024-06-11-forum"
WICHAI = f"{ID_BASE}person/wichai-nasuwanno"
FORUM_IRI = f"{ID_BASE}event/nida-forum-2024-06-11-forum"
CODI = f"{ID_BASE}agency/codi"
MEMBERSHIP_QUOTE = "นายวิชัย นะสุวรรณโน รองผู้อำนวยการสถาบันพัฒนาองค์กรชุมชน"
HTML = {"Accept": "text/html"}


def network_of(app: FastAPI) -> Network:
    network: Network = app.state.network
    return network


# -- the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "day", "expected"),
    [
        ("2024-06-11", None, "2024-06-10", False),
        ("2024-06-11", None, "2024-06-11", True),
        ("2024-06-11", None, "2030-01-01", True),
        ("2024-06-11", "2024-06-30", "2024-06-30", True),
        ("2024-06-11", "2024-06-30", "2024-07-01", False),
        (None, None, "1900-01-01", True),
        (None, "2024-06-30", "2024-07-01", False),
        ("2024-06-11+07:00", None, "2024-06-11", True),
    ],
)
def test_holds(start: str | None, end: str | None, day: str, expected: bool) -> None:
    assert holds(start, end, day) is expected


def test_the_projection_as_of_a_day(app: FastAPI) -> None:
    graph = network_of(app).graph
    before, on = as_of_view(graph, BEFORE), as_of_view(graph, ON)
    assert (on.number_of_nodes(), on.number_of_edges()) == (
        graph.number_of_nodes(),
        graph.number_of_edges(),
    )
    assert before.graph["as_of"] == BEFORE
    assert FORUM_IRI in graph and FORUM_IRI not in before  # events show from their date
    assert WICHAI in before and CODI in before  # undated entities always show
    relations = {attrs["relation"] for _, _, attrs in before.edges(data=True)}
    assert not relations & {"member_of", "participated_in", "represented", "committed_at"}
    assert before.number_of_edges() > 0  # reference data and undated sources stay
    for _, _, attrs in before.edges(data=True):
        assert all(not e["source_date"] or e["source_date"] <= BEFORE for e in attrs["evidence"])
    # the periods used for this are not exported
    assert "periods" in graph.graph and "periods" not in exportable(graph).graph


def test_network_as_of_is_kept(app: FastAPI) -> None:
    network = network_of(app)
    assert network_as_of(network, None) is network
    assert network_as_of(network, BEFORE) is network_as_of(network, BEFORE)


# -- the JSON API ----------------------------------------------------------------------------


def participations(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in body["involvements"] if i["type"] == "participation"]


def test_as_of_hides_the_forums_participations(client: TestClient) -> None:
    everything = get(client, FORUM)
    before = get(client, f"{FORUM}?as_of={BEFORE}")
    on = get(client, f"{FORUM}?as_of={ON}")
    assert participations(everything) and everything["as_of"] is None
    assert participations(before) == [] and before["involvements"] == []
    assert before["as_of"] == BEFORE
    assert participations(on) == participations(everything)
    assert on["statements"] == everything["statements"]
    # labels, types and the event's own date stay; its relations to others go
    predicates = {s["predicate"]["iri"] for s in before["statements"]}
    assert "https://schema.org/startDate" in predicates
    assert "https://schema.org/location" not in predicates
    assert before["label"] == everything["label"]


def test_as_of_on_a_persons_neighbours(client: TestClient) -> None:
    url = "/api/entities/person/wichai-nasuwanno/neighbours"
    before = get(client, f"{url}?as_of={BEFORE}")
    on = get(client, f"{url}?as_of={ON}")
    assert before["center"]["iri"] == WICHAI
    assert not [e for e in before["edges"] if e["relation"] == "participated_in"]
    took_part = [e for e in on["edges"] if e["relation"] == "participated_in"]
    assert took_part and all(e["target"] == FORUM_IRI for e in took_part)
    assert FORUM_IRI not in {n["iri"] for n in before["nodes"]}
    assert on == get(client, url)


def test_as_of_on_the_forum_view(client: TestClient) -> None:
    everything = get(client, "/api/viz/forum")
    before = get(client, f"/api/viz/forum?as_of={BEFORE}")
    on = get(client, f"/api/viz/forum?as_of={ON}")
    assert len(everything["nodes"]) > 10 and len(everything["edges"]) > 10
    assert (len(before["nodes"]), len(before["edges"])) == (0, 0)
    assert (len(on["nodes"]), len(on["edges"])) == (
        len(everything["nodes"]),
        len(everything["edges"]),
    )
    assert (before["as_of"], before["filters"]["as_of"]) == (BEFORE, BEFORE)
    assert "as_of" in {n["code"] for n in before["notices"]}


def test_as_of_on_lists_paths_and_metrics(client: TestClient) -> None:
    assert get(client, f"/api/participations?as_of={BEFORE}")["total"] == 0
    total = get(client, "/api/participations")["total"]
    assert total > 0 and get(client, f"/api/participations?as_of={ON}")["total"] == total
    assert get(client, f"/api/memberships?as_of={BEFORE}")["total"] == 0
    assert get(client, f"/api/events?as_of={BEFORE}")["total"] < get(client, "/api/events")["total"]
    assert get(client, f"/api/agencies?as_of={BEFORE}")["total"] > 0  # ignored: undated
    path = f"/api/paths?from=person/wichai-nasuwanno&to=agency/codi&as_of={BEFORE}"
    assert_error(client.get(path), 404, "no_path")
    assert get(client, path.replace(BEFORE, ON))["length"] == 1
    metrics = get(client, f"/api/metrics?as_of={BEFORE}&limit=500")
    assert FORUM_IRI not in {m["node"]["iri"] for m in metrics["items"]}
    assert_error(client.get(f"{FORUM}/neighbours?as_of={BEFORE}"), 404, "not_in_network")


def test_timeline(client: TestClient) -> None:
    body = get(client, "/api/entities/person/wichai-nasuwanno/timeline?lang=en")
    assert body["iri"] == WICHAI and body["total"] == len(body["items"]) >= 2
    kinds = {item["kind"]: item for item in body["items"]}
    assert {"membership", "participation"} <= set(kinds)
    membership = kinds["membership"]
    assert membership["date"] == ON and membership["quote"] == MEMBERSHIP_QUOTE
    assert membership["source"]["id"] == "nida-forum-2024-06-11"
    participation = kinds["participation"]
    assert participation["date"] == ON and participation["quote"]
    assert "Forum" in participation["label"]
    dates = [item["date"] for item in body["items"]]
    assert dates == sorted(dates)
    forum = get(client, f"{FORUM}/timeline")
    itself = [i for i in forum["items"] if i["node"]["iri"] == FORUM_IRI]
    assert [(i["kind"], i["date"]) for i in itself] == [("event", ON)]
    assert_error(client.get("/api/entities/person/no-such-person/timeline"), 404)


def test_timeline_function(engine: OxigraphStore) -> None:
    items = timeline(engine, WICHAI, "th") or []
    assert {(i.date, i.kind) for i in items} >= {(ON, "membership"), (ON, "participation")}
    assert timeline(engine, f"{ID_BASE}person/nobody", "th") is None


@pytest.mark.parametrize(
    "url",
    [
        f"{FORUM}?as_of=2024-13-01",
        f"{FORUM}?as_of=11-06-2024",
        "/api/entities/person/wichai-nasuwanno/neighbours?as_of=yesterday",
        "/api/participations?as_of=2024-6-11",
        "/api/metrics?as_of=2024-02-30",
        "/api/paths?from=agency/codi&to=person/wichai-nasuwanno&as_of=1718000000",
        "/api/viz/forum?as_of=2024-06-11T00:00",
    ],
)
def test_a_bad_as_of_is_a_400(client: TestClient, url: str) -> None:
    error = assert_error(client.get(url), 400, "invalid_parameters")
    assert "as_of" in error["message"]


def test_as_of_on_the_map(client: TestClient) -> None:
    def highlighted(query: str) -> str:
        page = client.get(f"/map?question=agency&agency=codi{query}", headers=HTML)
        assert page.status_code == 200, page.text
        return page.text.split('id="highlighted">', 1)[1].split("</span>", 1)[0]

    assert "TH-60" in highlighted("") and "TH-60" in highlighted(f"&as_of={ON}")
    assert "<code>" not in highlighted(f"&as_of={BEFORE}")
    assert 'type="date"' in client.get("/map", headers=HTML).text
    assert_error(client.get("/map.svg?question=sources&as_of=June"), 400, "invalid_parameters")


# -- pages -----------------------------------------------------------------------------------


def test_entity_page_has_a_timeline_and_an_as_of_form(client: TestClient) -> None:
    page = client.get("/id/person/wichai-nasuwanno?lang=en", headers=HTML)
    assert page.status_code == 200
    text = unescape(page.text)
    timeline_html = text.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    for kind in ("membership", "participation"):
        assert f'data-kind="{kind}"' in timeline_html
    assert MEMBERSHIP_QUOTE in timeline_html and f'datetime="{ON}"' in timeline_html
    assert 'name="as_of"' in text and 'id="as-of-notice"' not in text
    before = unescape(client.get(f"/id/event/nida-forum-2024-06-11-forum?as_of={BEFORE}&lang=en",
                                 headers=HTML).text)  # fmt: skip
    assert 'id="as-of-notice"' in before and f'value="{BEFORE}"' in before
    assert 'class="involvements"' not in before
    on = client.get(f"/id/event/nida-forum-2024-06-11-forum?as_of={ON}", headers=HTML).text
    assert 'class="involvements"' in on
    assert client.get("/id/person/wichai-nasuwanno?as_of=", headers=HTML).status_code == 200
    assert client.get("/id/person/wichai-nasuwanno?as_of=x", headers=HTML).status_code == 400


# -- versions --------------------------------------------------------------------------------


def test_every_answer_names_the_version(app: FastAPI, client: TestClient) -> None:
    version = app.state.dataset_version
    assert isinstance(version, str) and len(version) >= 12
    for url in ("/api/agencies", FORUM, "/api/viz/forum", "/id/agency/codi", "/sparql", "/"):
        response = client.get(url, headers={"Accept": "text/html"} if url == "/" else {})
        assert response.headers[VERSION_HEADER] == version, url
        assert MISMATCH_HEADER.lower() not in response.headers, url
    assert get(client, FORUM)["dataset_version"] == version
    assert get(client, "/api/viz/forum")["dataset_version"] == version
    page = client.get("/", headers=HTML).text
    assert f'<code id="dataset-version">{version}</code>' in page
    data = json.loads(page.split('id="page-data">', 1)[1].split("</script>", 1)[0])
    assert data["version"] == version  # the share box's link carries it (query.js)


def test_a_link_for_another_version(app: FastAPI, client: TestClient) -> None:
    version = app.state.dataset_version
    response = client.get(f"{FORUM}?v=0123456789ab")
    assert response.status_code == 200
    assert response.headers[MISMATCH_HEADER] == "0123456789ab"
    assert response.headers[VERSION_HEADER] == version
    same = client.get(f"{FORUM}?v={version}")
    assert same.status_code == 200 and MISMATCH_HEADER.lower() not in same.headers
    page = client.get("/id/person/wichai-nasuwanno?lang=en&v=0123456789ab", headers=HTML)
    assert page.status_code == 200 and page.headers[MISMATCH_HEADER] == "0123456789ab"
    notice = page.text.split('id="version-notice"', 1)[1].split("</p>", 1)[0]
    assert "0123456789ab" in notice and version in notice
    th = client.get("/id/person/wichai-nasuwanno?v=0123456789ab", headers=HTML).text
    assert 'id="version-notice"' in th
    quiet = client.get(f"/id/person/wichai-nasuwanno?v={version}", headers=HTML).text
    assert 'id="version-notice"' not in quiet
    view = client.get("/viz/forum?v=0123456789ab&lang=en", headers=HTML).text
    assert "This link was made for dataset version 0123456789ab" in view
    tricky = client.get(f"{FORUM}?v=%0d%0aSet-Cookie:%20x")
    assert tricky.status_code == 200 and tricky.headers[MISMATCH_HEADER] == "Set-Cookiex"
    assert client.get("/map?v=0123456789ab", headers=HTML).status_code == 200


def test_shared_links_carry_the_version(app: FastAPI, client: TestClient) -> None:
    version = app.state.dataset_version
    entity = unescape(client.get("/id/person/wichai-nasuwanno?lang=en", headers=HTML).text)
    cite = entity.split('id="cite-link" href="', 1)[1].split('"', 1)[0]
    assert cite == f"/id/person/wichai-nasuwanno?lang=en&v={version}"
    sparql = entity.split('id="open-sparql" href="', 1)[1].split('"', 1)[0]
    assert sparql.endswith(f"&v={version}")
    view = unescape(client.get(f"/viz/forum?as_of={ON}&v=old", headers=HTML).text)
    for name in ("phk-html", "phk-json"):
        link = view.split(f'id="{name}" href="', 1)[1].split('"', 1)[0]
        assert f"v={version}" in link and "v=old" not in link and f"as_of={ON}" in link
    assert f'<code id="phk-dataset-version">{version}</code>' in view
    page = unescape(client.get("/map?question=sources", headers=HTML).text)
    assert f"/map.svg?question=sources&lang=th&v={version}" in page


def test_the_version_is_a_content_hash(app: FastAPI, tmp_path: Path) -> None:
    """Stable across builds of the same data, different when the data changes."""
    assert to_nquads(build_dataset(DATA_DIR, ONTOLOGY_FILE)) == to_nquads(
        build_dataset(DATA_DIR, ONTOLOGY_FILE)
    )
    again = create_app(Settings())
    assert again.state.dataset_version == app.state.dataset_version
    header = TestClient(again).get("/api/agencies").headers[VERSION_HEADER]
    assert header == app.state.dataset_version
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    agencies = copy / "reference" / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8")
    assert "Community Organizations Development Institute" in text
    agencies.write_text(
        text.replace("Community Organizations Development Institute", "Community Org. Inst.", 1),
        encoding="utf-8",
    )
    changed = create_app(Settings(data_dir=copy))
    assert changed.state.dataset_version != app.state.dataset_version
    client = TestClient(changed)
    response = client.get(f"/api/agencies?v={app.state.dataset_version}")
    assert response.headers[VERSION_HEADER] == changed.state.dataset_version
    assert response.headers[MISMATCH_HEADER] == app.state.dataset_version


# -- the commands ----------------------------------------------------------------------------


def test_phakhi_viz_as_of(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="phakhi")
    add_command(parser.add_subparsers(dest="command", required=True))
    before, on = tmp_path / "before.json", tmp_path / "on.json"
    for day, path in ((BEFORE, before), (ON, on)):
        args = parser.parse_args(["viz", "--view", "forum", "--as-of", day, "-o", str(path)])
        assert args.run(args) == 0
    one, two = (json.loads(p.read_text(encoding="utf-8")) for p in (before, on))
    assert (one["as_of"], len(one["edges"]), two["as_of"]) == (BEFORE, 0, ON)
    assert len(two["edges"]) > 10 and one["dataset_version"] == two["dataset_version"]
    with pytest.raises(SystemExit):
        parser.parse_args(["viz", "--as-of", "2024-13-01", "-o", str(tmp_path / "x.json")])
    capsys.readouterr()


def test_phakhi_map_as_of(tmp_path: Path) -> None:
    from phakhi.api.cli import main

    before, on = tmp_path / "before.svg", tmp_path / "on.svg"
    common = ["map", "--question", "agency", "--param", "agency=codi"]
    assert main([*common, "--as-of", BEFORE, "-o", str(before)]) == 0
    assert main([*common, "--as-of", ON, "-o", str(on)]) == 0
    assert 'class="province highlighted"' not in before.read_text(encoding="utf-8")
    assert 'class="province highlighted"' in on.read_text(encoding="utf-8")
    assert main([*common, "--as-of", "soon", "-o", str(tmp_path / "bad.svg")]) == 2
