"""The ontology reference in a real browser: headless Chromium (Debian's) against uvicorn on
127.0.0.1. Nothing may leave the machine, and the page must break no Content-Security-Policy rule.
Screenshots go to tests/output/ (ontology.png, ontology-en-promotes.png).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, open_tab
from server import serve

from phakhi.api.app import create_app
from phakhi.api.settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(create_app(Settings(query_workers=1))) as url:
        yield url


def test_the_reference_opens_in_a_browser(base_url: str, browser: Any, output_dir: Path) -> None:
    with open_tab(browser, locale="th-TH") as tab:
        page = tab.page
        response = page.goto(f"{base_url}/ontology")
        assert response is not None and response.status == 200
        assert "text/html" in response.headers["content-type"]
        assert page.locator("h1#top").text_content() == "คู่มืออ้างอิงออนโทโลยีภาคี"
        agency = page.locator("section#Agency")
        assert "หน่วยงาน" in (agency.locator("h3").text_content() or "")
        assert "phks:LabelledEntityShape" in (agency.text_content() or "")
        page.screenshot(path=str(output_dir / "ontology.png"))
        tab.assert_clean()


def test_a_term_iri_lands_on_its_section(base_url: str, browser: Any, output_dir: Path) -> None:
    with open_tab(browser, locale="en-GB") as tab:
        page = tab.page
        page.goto(f"{base_url}/ontology#promotes")  # as https://w3id.org/phakhi/ontology#promotes
        promotes = page.locator("section#promotes")
        assert promotes.is_visible()
        assert promotes.bounding_box() is not None
        example = promotes.locator("td.example")
        assert "Community Organizations Development Institute" in (example.text_content() or "")
        assert example.locator("blockquote").count() == 1
        page.screenshot(path=str(output_dir / "ontology-en-promotes.png"))

        page.locator("a[hreflang='th']").first.click()
        page.wait_for_load_state()
        assert page.locator("h1#top").text_content() == "คู่มืออ้างอิงออนโทโลยีภาคี"
        tab.assert_clean()
