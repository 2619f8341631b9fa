"""Time and versions in headless Chromium: an entity page re-rendered as of a day from its
form, and the query page's share box citing the dataset version."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import chromium, open_tab
from server import serve

from phakhi.api.app import create_app
from phakhi.api.settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Settings(query_workers=1))


@pytest.fixture(scope="module")
def server(app: Any) -> Iterator[str]:
    with serve(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_the_entity_page_as_of_a_day(server: str, browser: Any) -> None:
    with open_tab(browser) as tab:
        page = tab.page
        page.goto(server + "/id/event/nida-forum-2024-06-11-forum?lang=en")
        assert page.locator("section.involvements").count() == 1
        assert page.locator("#timeline tr.timeline-item").count() > 0
        page.fill("#as-of", "2024-06-10")
        with page.expect_navigation():
            page.click("#as-of-form button[type=submit]")
        assert parse_qs(urlsplit(page.url).query)["as_of"] == ["2024-06-10"]
        assert "2024-06-10" in page.inner_text("#as-of-notice")
        assert page.locator("section.involvements").count() == 0
        with page.expect_navigation():
            page.click("#as-of-clear")
        assert page.locator("section.involvements").count() == 1
        tab.assert_clean()


def test_the_share_box_cites_the_version(server: str, browser: Any, app: Any) -> None:
    version = app.state.dataset_version
    with open_tab(browser) as tab:
        page = tab.page
        page.goto(server + "/?lang=en")
        shared = page.input_value("#share-link")
        assert parse_qs(urlsplit(shared).query)["v"] == [version]
        page.goto(server + "/?lang=en&v=0123456789ab")
        assert "0123456789ab" in page.inner_text("#version-notice")
        assert page.inner_text("#dataset-version") == version
        tab.assert_clean()
