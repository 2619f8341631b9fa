"""The map in a real browser: headless Chromium (Debian's) against uvicorn on 127.0.0.1.

No request may leave the machine: every request is routed through a handler that aborts and
records anything not on loopback (or a local file). Screenshots go to tests/output/.
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from browser import LOOPBACK, chromium
from fastapi import FastAPI

from phakhi.api.app import create_app
from phakhi.api.routes import map as map_routes
from phakhi.api.settings import Settings
from phakhi.viz.map import add_command

pytestmark = pytest.mark.browser

YEAR_2 = {"TH-60", "TH-37", "TH-76", "TH-23", "TH-80"}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The real app (with the map routes) under uvicorn on 127.0.0.1, a free port."""
    app: FastAPI = create_app(Settings())
    if not any(getattr(route, "path", None) == "/map" for route in app.routes):
        app.include_router(map_routes.router)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    port = instance.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page whose every non-loopback request is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    escaped: list[str] = []

    def guard(route: Any) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("file", "data", "about") or url.hostname in LOOPBACK:
            route.continue_()
        else:
            escaped.append(route.request.url)
            route.abort()

    tab.route("**/*", guard)
    yield tab, escaped
    context.close()


def _highlighted(tab: Any) -> set[str]:
    isos: list[str] = tab.eval_on_selector_all(
        "svg path.province.highlighted", "paths => paths.map(p => p.dataset.iso)"
    )
    assert len(isos) == len(set(isos))
    return set(isos)


def test_map_of_year_2_study_areas(
    server: str, page: tuple[Any, list[str]], output_dir: Path
) -> None:
    tab, escaped = page
    response = tab.goto(f"{server}/map?question=study-areas&phase=2&lang=th")
    assert response is not None and response.status == 200
    assert _highlighted(tab) == YEAR_2
    assert tab.locator("svg path.province").count() == 77
    title = tab.locator('path[data-iso="TH-60"] > title').text_content()
    assert title is not None and "นครสวรรค์" in title and "Nakhon Sawan" in title
    assert "Royal Thai Survey Department" in (
        tab.locator("svg text.credit").first.text_content() or ""
    )
    tab.screenshot(path=str(output_dir / "map-study-areas-year-2.png"), full_page=True)

    with tab.expect_navigation():
        tab.locator('path[data-iso="TH-60"]').click()
    assert urlsplit(tab.url).path == "/id/province/TH-60"  # the page itself may not exist yet
    assert escaped == []


def test_map_in_english_and_other_questions(server: str, page: tuple[Any, list[str]]) -> None:
    tab, escaped = page
    tab.goto(f"{server}/map?question=sources&lang=en")
    assert _highlighted(tab) >= YEAR_2
    tab.goto(f"{server}/map?question=agency&agency=codi&lang=en")
    assert tab.locator("svg path.province").count() == 77
    tab.locator("a[data-question='study-areas']").click()
    tab.wait_for_load_state()
    assert "question=study-areas" in tab.url
    assert escaped == []


def test_cli_svg_renders_with_no_server(
    tmp_path: Path, page: tuple[Any, list[str]], output_dir: Path
) -> None:
    import argparse

    root = argparse.ArgumentParser(prog="phakhi")
    add_command(root.add_subparsers(dest="command", required=True))
    target = tmp_path / "areas.svg"
    args = root.parse_args(["map", "--question", "study-areas", "-o", str(target)])
    assert args.run(args) == 0
    tab, escaped = page
    tab.goto(target.as_uri())
    assert _highlighted(tab) == YEAR_2
    box = tab.locator("svg").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 600
    tab.screenshot(path=str(output_dir / "map-cli-areas.png"))
    assert escaped == []
