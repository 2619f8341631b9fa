"""The map of Thailand: boundaries, questions on the seed, stable and safe SVG, the HTTP views."""

import argparse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from phakhi.api.routes import map as map_routes
from phakhi.graph.store import OxigraphStore
from phakhi.viz import geo
from phakhi.viz.map import add_command, count_bins, render, render_mini, wrap
from phakhi.viz.questions import (
    Category,
    MapData,
    QuestionError,
    Text,
    ask,
    choices,
    for_entity,
    from_query_result,
    iri,
)

SVG = "{http://www.w3.org/2000/svg}"
YEAR_2 = {"TH-60", "TH-37", "TH-76", "TH-23", "TH-80"}  # the seed's year-2 study provinces


def provinces_of(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {p.attrib["data-iso"]: p for p in root.iter(f"{SVG}path") if "data-iso" in p.attrib}


def highlighted(svg: str) -> set[str]:
    return {
        iso
        for iso, path in provinces_of(svg).items()
        if "highlighted" in path.attrib["class"].split()
    }


@pytest.fixture(scope="module")
def map_client(app: FastAPI) -> TestClient:
    if not any(getattr(route, "path", None) == "/map" for route in app.routes):
        app.include_router(map_routes.router)
    return TestClient(app)


# -- boundaries ----------------------------------------------------------------------------


def test_geojson_has_the_77_provinces_of_the_reference(engine: OxigraphStore) -> None:
    from phakhi.viz.questions import province_names

    isos = [province.iso for province in geo.load()]
    assert len(isos) == 77 and isos == sorted(isos)
    assert set(isos) == set(province_names(engine))
    assert geo.iso_of("TH60") == "TH-60"


def test_paths_are_fixed_decimals_and_inside_the_box() -> None:
    for d in geo.paths(360.0, 662.0).values():
        numbers = d.replace("M", " ").replace("L", " ").replace("Z", " ").replace(",", " ").split()
        assert numbers and all(float(n) >= 0 for n in numbers)
        assert all(len(n.partition(".")[2]) == 1 for n in numbers), d[:80]
        assert max(float(n) for n in numbers) <= 662.0


# -- questions on the seed -----------------------------------------------------------------


def test_year_2_study_areas_are_exactly_the_five_provinces(engine: OxigraphStore) -> None:
    data = ask(engine, "study-areas", {"phase": "2"})
    assert set(data.highlighted()) == YEAR_2
    assert highlighted(render(data, "th")) == YEAR_2
    assert {key for keys in data.values.values() for key in keys} == {"2"}


def test_study_areas_of_the_research_project(engine: OxigraphStore) -> None:
    projects = [ident for ident, _ in choices(engine, "project")]
    assert projects, "the seed has a research project"
    found: set[str] = set()
    for project in projects:
        data = ask(engine, "study-areas", {"project": project, "phase": "2"})
        found |= set(data.highlighted())
        assert data.subtitle is not None
    assert found == YEAR_2


def test_filters_and_other_questions_answer(engine: OxigraphStore) -> None:
    assert set(ask(engine, "study-areas", {"phase": "2", "tier": "primary"}).highlighted()) == (
        YEAR_2
    )
    counts = ask(engine, "sources", {}).counts
    assert set(counts) >= YEAR_2 and all(count >= 1 for count in counts.values())
    primary = ask(engine, "sources", {"tier": "primary"}).counts
    assert set(primary) <= set(counts)
    mechanisms = ask(engine, "mechanism-type", {})
    assert mechanisms.scale == "categorical"
    assert {c.key for c in mechanisms.categories} <= {"in-use", "planned"}
    for iso in mechanisms.highlighted():
        assert iso.startswith("TH-")


@pytest.mark.parametrize(
    ("question", "params", "parameter"),
    [
        ("nope", {}, "question"),
        ("agency", {}, "agency"),
        ("agency", {"agency": "no-such-agency"}, "agency"),
        ("agency", {"agency": "codi> } ; DROP ALL ; #"}, "agency"),
        ("study-areas", {"project": "x\u003e"}, "project"),
        ("study-areas", {"phase": "2 OR 1"}, "phase"),
        ("study-areas", {"colour": "red"}, "colour"),
        ("sources", {"tier": "gold"}, "tier"),
    ],
)
def test_bad_questions_and_parameters_are_refused(
    engine: OxigraphStore, question: str, params: dict[str, str], parameter: str
) -> None:
    with pytest.raises(QuestionError) as caught:
        ask(engine, question, params)
    assert caught.value.parameter == parameter


def test_iris_are_built_only_from_ids() -> None:
    assert iri("province", "TH-60") == "<https://w3id.org/phakhi/id/province/TH-60>"
    for bad in ("a b", "a>", "A", "", "a\nb", "é"):
        with pytest.raises(QuestionError):
            iri("agency", bad)


def test_maps_in_context(engine: OxigraphStore) -> None:
    province = for_entity(engine, "province", "TH-60")
    assert province is not None and province.highlighted() == ["TH-60"]
    mini = render_mini(province, "en", size=160)
    assert 'id="mini-TH-60"' in mini and geo.CREDIT in mini
    assert highlighted(mini) == {"TH-60"}
    assert for_entity(engine, "theme", "poverty") is None
    rows = [{"p": "https://w3id.org/phakhi/id/province/TH-60"}, {"p": "TH-37"}, {"p": "TH-37"}]
    query_map = from_query_result(engine, ["label", "p"], [{"label": "x", **r} for r in rows])
    assert query_map is not None and query_map.counts == {"TH-37": 2, "TH-60": 1}
    assert from_query_result(engine, ["label"], [{"label": "TH-xx"}]) is None


# -- the SVG -------------------------------------------------------------------------------


def test_same_data_gives_byte_identical_svg(engine: OxigraphStore) -> None:
    first = render(ask(engine, "study-areas", {"phase": "2"}), "th")
    geo.paths.cache_clear()
    geo.load.cache_clear()
    second = render(ask(engine, "study-areas", {"phase": "2"}), "th")
    assert first == second
    assert render(ask(engine, "sources", {}), "en") == render(ask(engine, "sources", {}), "en")


def test_every_province_is_a_linked_path_with_both_names(engine: OxigraphStore) -> None:
    svg = render(ask(engine, "study-areas", {"phase": "2"}), "th")
    root = ET.fromstring(svg)
    paths = provinces_of(svg)
    assert len(paths) == 77
    links = {a.attrib["href"] for a in root.iter(f"{SVG}a")}
    assert links == {f"/id/province/{iso}" for iso in paths}
    title = paths["TH-60"].find(f"{SVG}title")
    assert title is not None and title.text is not None
    assert "นครสวรรค์" in title.text and "Nakhon Sawan" in title.text
    assert paths["TH-60"].attrib["id"] == "TH-60"
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Royal Thai Survey Department" in texts and "mapthai" in texts
    no_links = render(ask(engine, "study-areas", {"phase": "2"}), "th", link_base=None)
    assert "<a " not in no_links and highlighted(no_links) == YEAR_2


def test_hostile_labels_are_escaped() -> None:
    evil = '<script>alert(1)</script>" onmouseover="x" & \'q\' \x01]]>'
    data = MapData(
        question="study-areas",
        title=Text(evil, evil),
        subtitle=Text(evil, evil),
        scale="categorical",
        categories=(Category("2", Text(evil, evil)),),
        values={"TH-60": ("2",)},
        names={"TH-60": Text(evil, evil)},
    )
    for svg in (render(data, "th"), render(data, "en", link_base='"><b>'), render_mini(data)):
        root = ET.fromstring(svg)  # well-formed: nothing broke out of its element
        assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
        assert "<script>" not in svg and 'onmouseover="x"' not in svg
        assert all("onmouseover" not in key for el in root.iter() for key in el.attrib)
        titles = [t.text or "" for t in root.iter(f"{SVG}title")]
        assert any("<script>alert(1)</script>" in t for t in titles)  # shown as text


def test_count_bins_and_wrapping() -> None:
    assert count_bins(0) == []
    assert count_bins(3) == [(1, 1), (2, 2), (3, 3)]
    assert count_bins(12) == [(1, 3), (4, 6), (7, 9), (10, 12)]
    lines = wrap("พื้นที่ดำเนินการปีที่ 2 ของโครงการวิจัยนวัตกรรมทางสังคมเพื่อสร้างชุมชนเข้มแข็ง", 30)
    assert len(lines) > 1 and "".join(lines).replace(" ", "") == (
        "พื้นที่ดำเนินการปีที่2ของโครงการวิจัยนวัตกรรมทางสังคมเพื่อสร้างชุมชนเข้มแข็ง"
    )


# -- HTTP ----------------------------------------------------------------------------------


def test_map_page_and_svg(map_client: TestClient) -> None:
    page = map_client.get("/map", params={"question": "study-areas", "phase": "2"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text and "<script" not in page.text
    assert "http://" not in page.text.replace("http://www.w3.org/2000/svg", "")
    svg = map_client.get("/map.svg", params={"question": "study-areas", "phase": "2"})
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert highlighted(svg.text) == YEAR_2
    again = map_client.get("/map.svg", params={"question": "study-areas", "phase": "2"})
    assert again.content == svg.content
    for lang in ("th", "en"):
        assert map_client.get("/map", params={"question": "sources", "lang": lang}).is_success


def test_map_png(map_client: TestClient) -> None:
    pytest.importorskip("resvg_py")
    png = map_client.get("/map.png", params={"question": "study-areas", "phase": "2"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    "query",
    [
        {"question": "nope"},
        {"question": "agency"},
        {"question": "agency", "agency": "Bad Id"},
        {"question": "study-areas", "colour": "red"},
        {"question": "study-areas", "lang": "fr"},
    ],
)
@pytest.mark.parametrize("path", ["/map", "/map.svg", "/map.png"])
def test_bad_requests_are_400_in_the_one_shape(
    map_client: TestClient, path: str, query: dict[str, str]
) -> None:
    response = map_client.get(path, params=query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid_parameters"
    assert isinstance(error["message"], str) and isinstance(error["detail"], dict)


# -- the command line ----------------------------------------------------------------------


def run_map(*argv: str) -> int:
    root = argparse.ArgumentParser(prog="phakhi")
    add_command(root.add_subparsers(dest="command", required=True))
    args = root.parse_args(["map", *argv])
    code: int = args.run(args)
    return code


def test_cli_writes_a_standalone_svg_html_and_png(tmp_path: Path) -> None:
    svg_file = tmp_path / "areas.svg"
    assert run_map("--question", "study-areas", "--param", "phase=2", "-o", str(svg_file)) == 0
    svg = svg_file.read_text(encoding="utf-8")
    assert highlighted(svg) == YEAR_2 and "<a " not in svg and geo.CREDIT in svg
    html_file = tmp_path / "areas.html"
    assert (
        run_map(
            "--question",
            "study-areas",
            "--lang",
            "en",
            "--link-base",
            "http://127.0.0.1:8000",
            "-o",
            str(html_file),
        )
        == 0
    )
    html = html_file.read_text(encoding="utf-8")
    assert 'href="http://127.0.0.1:8000/id/province/TH-60"' in html
    pytest.importorskip("resvg_py")
    png_file = tmp_path / "areas.png"
    assert run_map("--question", "sources", "-o", str(png_file)) == 0
    assert png_file.read_bytes().startswith(b"\x89PNG")


def test_cli_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_map("--question", "agency", "-o", str(tmp_path / "a.svg")) == 2
    assert "needs agency=" in capsys.readouterr().err
    assert run_map("--question", "sources", "-o", str(tmp_path / "a.pdf")) == 2
    assert run_map("--question", "sources", "--param", "tier", "-o", str(tmp_path / "a.svg")) == 1
    assert not (tmp_path / "a.svg").exists()
