"""The network views in a real browser: headless Chromium (Debian's) against uvicorn on 127.0.0.1,
and files written by `phakhi viz` opened from disk with no server.

No request may leave the machine: every request goes through a handler that aborts and records
anything not on loopback (or a local file); each test fails if one was recorded. Dialogs
(alert, confirm) and script errors are recorded too. Screenshots go to tests/output/.
"""

import argparse
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from browser import LOOPBACK, chromium, chromium_path
from server import serve

from phakhi.api.app import create_app
from phakhi.api.settings import Settings
from phakhi.viz.network_view import add_command

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).parent / "data" / "viz-hostile.ttl"
ID = "https://w3id.org/phakhi/id/"
CODI = ID + "agency/codi"
LOCAL_SCHEMES = ("file", "data", "about", "blob")
VIEWS = {
    "network": "/viz/network",
    "ego": "/viz/ego/agency/codi?depth=2",
    "province-mechanism-agency": "/viz/province-mechanism-agency",
    "forum": "/viz/forum",
}
HOSTILE_TEXT = "<img src=x onerror=alert(1)>"
HOSTILE_QUOTE = "<svg onload=alert(4)> ข้อความ </script>"

# the DOM position of a node (for the mouse), and what the canvas shows there
NODE_POINT = """(id) => {
  const at = network.canvasToDOM(network.getPositions([id])[id]);
  const box = document.querySelector('#phk-network canvas').getBoundingClientRect();
  return {x: box.left + at.x, y: box.top + at.y, under: network.getNodeAt(at) ?? null};
}"""
DRAWN = """() => ({
  nodes: network.body.data.nodes.length,
  edges: network.body.data.edges.length,
  placed: Object.keys(network.getPositions()).length,
  connected: network.body.edgeIndices.length,
})"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The real app over the seed, under uvicorn on 127.0.0.1."""
    with serve(create_app(Settings())) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[str]:
    """The app over tests/data/viz-hostile.ttl (labels, titles and quotes that are markup)."""
    with serve(create_app(Settings(data_files=[HOSTILE]))) as base_url:
        yield base_url


@dataclass
class Tab:
    page: Any
    escaped: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is None or response.status == 200, url
        self.page.wait_for_selector("body[data-ready=true]", timeout=60_000)

    def drawn(self) -> dict[str, int]:
        counts: dict[str, int] = self.page.evaluate(DRAWN)
        return counts

    def point(self, iri: str) -> dict[str, Any]:
        found: dict[str, Any] = self.page.evaluate(NODE_POINT, iri)
        return found

    def clean(self) -> None:
        assert self.escaped == [], f"requests left 127.0.0.1: {self.escaped}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.errors == [], f"script errors: {self.errors}"


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    """A page whose every non-loopback request is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    state = Tab(page)

    def guard(route: Any) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname in LOOPBACK:
            route.continue_()
        else:
            state.escaped.append(route.request.url)
            route.abort()

    def on_dialog(dialog: Any) -> None:
        state.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.route("**/*", guard)
    page.on("dialog", on_dialog)

    def ours() -> bool:  # errors on other pages (an entity page we navigate to) are not ours
        url = urlsplit(page.url)
        return url.scheme == "file" or url.path.startswith("/viz")

    def on_console(message: Any) -> None:
        if message.type == "error" and ours():
            state.errors.append(message.text)

    page.on("pageerror", lambda error: state.errors.append(str(error)) if ours() else None)
    page.on("console", on_console)
    yield state
    context.close()


def expected(base_url: str, path: str) -> dict[str, Any]:
    api_path = path.replace("/viz/", "/api/viz/", 1)
    response = httpx.get(base_url + api_path, timeout=30)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


# -- each view, served -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_each_view_draws_what_the_server_sent(
    server: str, tab: Tab, output_dir: Path, name: str
) -> None:
    sent = expected(server, VIEWS[name])
    tab.open(server + VIEWS[name])
    drawn = tab.drawn()
    assert drawn["nodes"] == drawn["placed"] == len(sent["nodes"]) > 0
    assert drawn["edges"] == drawn["connected"] == len(sent["edges"]) > 0
    assert tab.page.evaluate("window.phakhi.frozen") is True
    assert tab.page.locator(".phk-legend li").count() == len(sent["legend"])
    tab.page.screenshot(path=str(output_dir / f"viz-{name}.png"))
    tab.clean()


def test_clicking_a_node_opens_its_entity_page(server: str, tab: Tab) -> None:
    tab.open(server + "/viz/ego/agency/codi?depth=1")
    point = tab.point(CODI)
    assert point["under"] == CODI
    with tab.page.expect_navigation(url="**/id/agency/codi"):
        tab.page.mouse.click(point["x"], point["y"])
    assert urlsplit(tab.page.url).path == "/id/agency/codi"

    tab.open(server + "/viz/province-mechanism-agency")
    province = ID + "province/TH-60"
    point = tab.point(province)
    assert point["under"] == province
    with tab.page.expect_navigation(url="**/id/province/TH-60"):
        tab.page.mouse.click(point["x"], point["y"])
    assert tab.page.url == server + "/id/province/TH-60"
    tab.clean()


def test_the_ego_view_in_an_entity_page_opens_entities_in_the_page(server: str, tab: Tab) -> None:
    """Entity pages embed /viz/ego/... in a frame: a click there opens the entity in the page."""
    page = tab.page
    page.goto(server + "/id/agency/codi?lang=en")
    frames = page.locator("iframe[src*='/viz/ego/agency/codi']")
    if frames.count() == 0:
        pytest.skip("the entity page does not embed the ego view")
    frames.first.scroll_into_view_if_needed()
    inside = page.frame_locator("iframe[src*='/viz/ego/agency/codi']")
    inside.locator("body[data-ready=true]").wait_for(timeout=60_000)
    frame = next(f for f in page.frames if "/viz/ego/agency/codi" in f.url)
    person = ID + "person/wichai-nasuwanno"
    point = frame.evaluate(
        """(id) => { const at = network.canvasToDOM(network.getPositions([id])[id]);
                     return {x: at.x, y: at.y, under: network.getNodeAt(at) ?? null}; }""",
        person,
    )
    assert point["under"] == person
    with page.expect_navigation(url="**/id/person/wichai-nasuwanno"):
        inside.locator("#phk-network canvas").click(position={"x": point["x"], "y": point["y"]})
    assert urlsplit(page.url).path == "/id/person/wichai-nasuwanno"
    assert tab.escaped == [] and tab.dialogs == []


def test_same_data_same_picture(server: str, browser: Any) -> None:
    layouts = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1000, "height": 700})
        page = context.new_page()
        page.goto(server + "/viz/network")
        page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        layouts.append(page.evaluate("network.getPositions()"))
        context.close()
    assert layouts[0] == layouts[1]
    assert len(layouts[0]) > 100


def test_language_search_freeze_and_png(server: str, tab: Tab, output_dir: Path) -> None:
    page = tab.page
    tab.open(server + "/viz/ego/agency/codi?depth=2&lang=th")
    sent = expected(server, "/viz/ego/agency/codi?depth=2")
    codi = next(n for n in sent["nodes"] if n["id"] == CODI)
    assert page.evaluate("(id) => network.body.data.nodes.get(id).label", CODI) == codi["label_th"]

    page.click("[data-set-lang=en]")
    assert page.evaluate("(id) => network.body.data.nodes.get(id).label", CODI) == codi["label_en"]
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#phk-title").inner_text() == sent["title_en"]
    assert "lang=en" in page.url
    assert "lang=en" in (page.locator("#phk-html").get_attribute("href") or "")
    assert (
        page.locator(".phk-legend li").first.inner_text().startswith(sent["legend"][0]["label_en"])
    )

    page.fill("#phk-search", "wichai")
    page.press("#phk-search", "Enter")
    assert page.evaluate("network.getSelectedNodes()") == [ID + "person/wichai-nasuwanno"]

    assert page.evaluate("network.physics.physicsEnabled") is False
    page.click("#phk-freeze")
    assert page.evaluate("[window.phakhi.frozen, network.physics.physicsEnabled]") == [False, True]
    page.click("#phk-freeze")
    assert page.evaluate("[window.phakhi.frozen, network.physics.physicsEnabled]") == [True, False]

    with page.expect_download() as download:
        page.click("#phk-png")
    png = output_dir / "viz-ego-codi-download.png"
    download.value.save_as(png)
    assert download.value.suggested_filename == "phakhi-ego-agency-codi.png"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 10_000
    tab.clean()


def test_the_cap_is_said_and_offers_ways_to_narrow(server: str, tab: Tab) -> None:
    tab.open(server + "/viz/network?max_nodes=10&lang=en")
    assert tab.drawn()["nodes"] == 10
    notice = tab.page.locator(".phk-notice", has_text="omitted")
    assert notice.is_visible()
    assert "Narrow the view" in notice.inner_text()
    assert tab.page.locator("#phk-filter-form select[name=province]").is_visible()
    tab.page.select_option("#phk-filter-form select[name=province]", "TH-60")
    tab.page.fill("#phk-filter-form input[name=max_nodes]", "2000")
    with tab.page.expect_navigation():
        tab.page.click("#phk-filter-form button[type=submit]")
    tab.page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    assert "province=TH-60" in tab.page.url
    assert tab.page.locator(".phk-notice", has_text="omitted").count() == 0
    tab.clean()


def test_the_index_page_leads_to_every_view(server: str, tab: Tab) -> None:
    tab.page.goto(server + "/viz?lang=en")
    tab.page.click("li[data-view=forum] a")
    tab.page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    assert urlsplit(tab.page.url).path == "/viz/forum"
    tab.page.goto(server + "/viz?lang=en")
    tab.page.fill(".phk-ego-form input[name=entity]", "agency/codi")
    tab.page.click(".phk-ego-form button")
    tab.page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    assert urlsplit(tab.page.url).path == "/viz/ego/agency/codi"
    tab.clean()


# -- escaping, in the browser ----------------------------------------------------------------


def _hover_text(tab: Tab, iri: str) -> str:
    point = tab.point(iri)
    assert point["under"] == iri
    tab.page.mouse.move(point["x"] - 2, point["y"] - 2)
    tab.page.mouse.move(point["x"], point["y"])
    tip = tab.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    text: str = tip.inner_text()
    return text


def test_hostile_labels_show_as_text(hostile_server: str, tab: Tab, output_dir: Path) -> None:
    page = tab.page
    for path in ("/viz/network?lang=en", "/viz/ego/agency/hostile?lang=en"):
        tab.open(hostile_server + path)
        assert page.evaluate("document.querySelectorAll('img, svg image').length") == 0
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 1
        hover = _hover_text(tab, ID + "agency/hostile")
        assert HOSTILE_TEXT in hover
        assert page.locator("div.vis-tooltip img, div.vis-tooltip svg").count() == 0
        edge = page.evaluate(
            """() => { const e = network.body.data.edges.get().find(e => e.relation === 'promotes');
                       return {text: e.title.textContent, markup: e.title.querySelectorAll('*')
                         .length - e.title.querySelectorAll('div, blockquote').length}; }"""
        )
        assert HOSTILE_QUOTE in edge["text"]
        assert '<b onmouseover=alert(3)>แหล่ง</b> & "quotes" <!--' in edge["text"]
        assert edge["markup"] == 0
    assert HOSTILE_TEXT in page.title()
    assert HOSTILE_TEXT in page.locator("#phk-title").inner_text()
    page.fill("#phk-search", "script")
    page.press("#phk-search", "Enter")
    assert page.evaluate("network.getSelectedNodes()") == [ID + "unit/script-breaker"]
    page.screenshot(path=str(output_dir / "viz-hostile.png"))
    page.wait_for_timeout(300)
    tab.clean()


# -- files, opened from disk with no server --------------------------------------------------


def _cli(*args: str) -> None:
    parser = argparse.ArgumentParser(prog="phakhi")
    add_command(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args(["viz", *args])
    assert parsed.run(parsed) == 0


def test_cli_files_work_from_disk(server: str, tab: Tab, tmp_path: Path, output_dir: Path) -> None:
    whole, ego = tmp_path / "network.html", tmp_path / "ego.html"
    _cli("-o", str(whole))
    _cli("--ego", "agency/codi", "--depth", "2", "--lang", "en", "-o", str(ego))
    cases = [(whole, "/viz/network"), (ego, "/viz/ego/agency/codi?depth=2")]
    for path, served in cases:
        sent = expected(server, served)
        tab.open(path.as_uri())
        drawn = tab.drawn()
        assert drawn["nodes"] == drawn["placed"] == len(sent["nodes"])
        assert drawn["edges"] == drawn["connected"] == len(sent["edges"])
        tab.page.screenshot(path=str(output_dir / f"viz-file-{path.stem}.png"))
    # no link base: a click selects, and stays in the file
    point = tab.point(CODI)
    tab.page.mouse.click(point["x"], point["y"])
    tab.page.wait_for_timeout(300)
    assert tab.page.url == ego.as_uri()
    assert tab.page.evaluate("network.getSelectedNodes()") == [CODI]
    tab.clean()


def test_downloaded_html_works_from_disk(server: str, tab: Tab, tmp_path: Path) -> None:
    path = tmp_path / "forum.html"
    path.write_bytes(httpx.get(server + "/viz/forum?download=html", timeout=30).content)
    sent = expected(server, "/viz/forum")
    tab.open(path.as_uri())
    assert tab.drawn()["nodes"] == len(sent["nodes"])
    person = next(n["id"] for n in sent["nodes"] if n["kind"] == "person")
    point = tab.point(person)
    assert point["under"] == person
    with tab.page.expect_navigation(url=f"{server}/id/person/**"):
        tab.page.mouse.click(point["x"], point["y"])
    tab.clean()


def test_the_bench_runs() -> None:
    """bench/viz_large.py on a tiny graph: it builds, opens and measures (no timing asserted).
    In a process of its own: this module's browser already runs Playwright's event loop."""
    chromium_path()
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "viz_large.py"), "--nodes", "60", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "60 nodes" in result.stdout and "interactive in headless Chromium" in result.stdout
