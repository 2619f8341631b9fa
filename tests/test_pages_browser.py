"""The query page and entity pages in headless Chromium (the system's), against the real app
under uvicorn on 127.0.0.1: a competency question is run by clicking, the table shows Thai
labels, a result link opens the entity page with its quotes. Nothing may leave the machine and
the Content-Security-Policy must not block anything. Screenshots go to tests/output/.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import chromium, open_tab
from server import serve

from phakhi.api.app import create_app
from phakhi.api.settings import Settings

pytestmark = pytest.mark.browser

YEAR_2_TH = ["ตราด", "อำนาจเจริญ", "นครสวรรค์", "เพชรบุรี", "นครศรีธรรมราช"]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(create_app(Settings(query_workers=1))) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _column(page: Any, index: int) -> list[str]:
    cells: list[str] = page.eval_on_selector_all(
        f"#results tbody tr td:nth-child({index + 1})",
        "cells => cells.map(c => (c.querySelector('a, .literal, .bnode') || c).innerText)",
    )
    return [cell.strip() for cell in cells]


def test_run_a_competency_question_and_follow_a_result(
    server: str, browser: Any, output_dir: Path
) -> None:
    with open_tab(browser) as tab:
        page = tab.page
        page.goto(server + "/")
        assert page.locator(".yasqe .CodeMirror").count() == 1  # YASQE started
        page.select_option("#example", "02-study-provinces")
        page.click("#run")
        page.wait_for_selector("#results tbody tr")
        # the ?province column shows Thai labels, linked to the entity pages
        assert _column(page, 1) == YEAR_2_TH
        link = page.locator("#results a", has_text="นครสวรรค์").first
        assert link.get_attribute("href") == "/id/province/TH-60"
        # downloads in every result format, the small map, the shareable link
        formats = page.eval_on_selector_all("#downloads a", "as => as.map(a => a.dataset.format)")
        assert formats == ["json", "xml", "csv", "tsv"]
        for href in page.eval_on_selector_all("#downloads a", "as => as.map(a => a.href)"):
            assert page.request.get(href).status == 200, href
        page.wait_for_selector("#result-map svg path.province.highlighted")
        assert page.locator("#result-map path.highlighted").count() == 5
        shared = page.input_value("#share-link")
        assert "phk:studyArea" in parse_qs(urlsplit(shared).query)["query"][0]
        assert urlsplit(page.url).query == urlsplit(shared).query  # the URL was updated on run
        page.screenshot(path=str(output_dir / "query-page.png"), full_page=True)

        with page.expect_navigation():
            link.click()
        assert urlsplit(page.url).path == "/id/province/TH-60"
        assert page.inner_text("h1") == "นครสวรรค์"
        quotes = page.locator("blockquote.quote").all_inner_texts()
        assert "เรียกร้องการกระจายอำนาจสู่ชุมชน" in quotes
        assert "1.จังหวัดนครสวรรค์ :" in quotes
        assert page.locator("figure.mini-map svg path.highlighted").count() == 1
        page.screenshot(path=str(output_dir / "entity-page.png"), full_page=True)
        tab.assert_clean()


def test_a_shared_link_restores_and_runs_the_query(server: str, browser: Any) -> None:
    with open_tab(browser) as tab:
        page = tab.page
        page.goto(server + "/id/person/wichai-nasuwanno?lang=en")
        assert page.inner_text("h1") == "Wichai Nasuwanno"
        with page.expect_navigation():
            page.click("#open-sparql")
        page.wait_for_selector("#results tbody tr")
        assert "wichai-nasuwanno" in page.input_value("#query")
        values = _column(page, 2)
        assert "Wichai Nasuwanno" in values and "วิชัย นะสุวรรณโน" in values
        assert "type" in _column(page, 1)  # labels in the page's language
        page.reload()
        page.wait_for_selector("#results tbody tr")
        assert _column(page, 2) == values
        tab.assert_clean()


def test_construct_results_and_errors(server: str, browser: Any) -> None:
    query = (
        "CONSTRUCT { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
        "<https://w3id.org/phakhi/id/province/TH-60> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l . "
        "BIND(<https://w3id.org/phakhi/id/province/TH-60> AS ?p) }"
    )
    with open_tab(browser) as tab:
        page = tab.page
        page.goto(server + "/?" + "query=" + query.replace(" ", "+").replace("#", "%23"))
        page.wait_for_selector("#results tbody tr")
        assert _column(page, 1) == ["นครสวรรค์", "นครสวรรค์"]
        assert sorted(_column(page, 3)) == ["Nakhon Sawan", "นครสวรรค์"]
        formats = page.eval_on_selector_all("#downloads a", "as => as.map(a => a.dataset.format)")
        assert formats == ["turtle", "ntriples", "jsonld", "rdfxml"]
        page.goto(server + "/?query=SELECT+WHERE+%7B")
        page.wait_for_selector("#status.error")
        assert "malformed query" in page.inner_text("#status")
        assert tab.escaped == [] and tab.csp_violations() == [] and tab.page_errors == []


def test_other_pages_keep_to_the_policy(server: str, browser: Any, output_dir: Path) -> None:
    with open_tab(browser) as tab:
        page = tab.page
        page.goto(server + "/id/mechanism/amnat-charoen-shared-working-space?lang=en")
        badge = page.locator(".badge-inferred").first
        assert badge.is_visible() and badge.inner_text() == "inferred"
        page.goto(server + "/docs")
        page.wait_for_selector("#swagger-ui .opblock", timeout=20_000)
        assert page.locator(".opblock-summary-path", has_text="/sparql").count() >= 1
        page.goto(server + "/map?question=study-areas&phase=2")
        assert page.locator("svg path.province").count() == 77
        page.goto(server + "/guide?lang=en")
        assert "Curator's guide" in page.inner_text("pre.guide")
        page.goto(server + "/guide")
        assert "คู่มือผู้ดูแลข้อมูล" in page.inner_text("pre.guide")
        page.goto(server + "/no/such/page")
        assert page.inner_text("h1") == "ไม่พบหน้านี้"
        tab.page_errors.clear()  # a 404 page logs its own failed load, not an error of ours
        tab.console_errors[:] = [m for m in tab.console_errors if "404" not in m]
        tab.assert_clean()


def test_thai_text_uses_the_served_font(server: str, browser: Any) -> None:
    with open_tab(browser) as tab:
        page = tab.page
        page.goto(server + "/id/province/TH-60")
        page.evaluate("document.fonts.ready")
        loaded = page.evaluate(
            "() => document.fonts.check('16px \"Phakhi Sans\"', 'นครสวรรค์')"
            " && [...document.fonts].some(f => f.family.includes('Phakhi Sans')"
            " && f.status === 'loaded')"
        )
        assert loaded
        tab.assert_clean()
