"""XSS in a real browser: hostile labels in the data and hostile values in a SELECT result, on
the entity page and on the query page (which renders results client-side, api/static/js/query.js).
No dialog may open, no script may run, the CSP must block nothing (nothing tried to run), and the
hostile text must be on the page as text.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browser import chromium, open_tab
from server import serve
from test_exposure import HOSTILE, HOSTILE_IRIS, hostile_updates

from phakhi.api.app import create_app
from phakhi.api.settings import Settings
from phakhi.graph.loader import open_seed
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE

pytestmark = pytest.mark.browser

RESULT_QUERY = (
    "SELECT ?value WHERE { VALUES ?value { "
    + " ".join(f"'{text}'" for text in (HOSTILE["label_th"], HOSTILE["label_en"]))
    + " "
    + " ".join(f"<{iri}>" for iri in HOSTILE_IRIS)
    + " } }"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import pyoxigraph as ox

    engine = open_seed(DATA_DIR, ONTOLOGY_FILE)
    for update in hostile_updates():
        engine.store.update(update)
    path = tmp_path_factory.mktemp("hostile-browser") / "hostile.nq"
    engine.store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    with serve(create_app(Settings(data_files=[path], query_workers=1))) as base_url:
        yield base_url


def watch_dialogs(page: Any) -> list[str]:
    """The messages of alert/confirm/prompt dialogs the page opens (each dismissed)."""
    opened: list[str] = []

    def on_dialog(dialog: Any) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_hostile_result_on_the_query_page(server: str, browser: Any, output_dir: Path) -> None:
    with open_tab(browser) as tab:
        page = tab.page
        dialogs = watch_dialogs(page)
        page.goto(server + "/?query=" + quote(RESULT_QUERY))  # runs it at once
        page.wait_for_selector("#results tbody tr")
        shown = page.inner_text("#results")
        assert HOSTILE["label_th"] in shown and HOSTILE["label_en"] in shown
        assert page.locator("#results img, #results script, #results svg").count() == 0
        hrefs = page.eval_on_selector_all("#results a", "as => as.map(a => a.href)")
        assert hrefs and not any(h.lower().startswith(("javascript:", "data:", "vbscript:"))
                                 for h in hrefs)  # fmt: skip
        for link in page.locator("#results a").all():
            link.click()  # a click on what the data calls a link runs nothing either
        page.screenshot(path=str(output_dir / "hostile-query-page.png"), full_page=True)
        assert dialogs == []
        tab.assert_clean()


def test_hostile_labels_on_the_entity_page(server: str, browser: Any) -> None:
    with open_tab(browser) as tab:
        page = tab.page
        dialogs = watch_dialogs(page)
        page.goto(server + "/id/agency/codi")
        assert page.inner_text("#entity-label") == HOSTILE["label_th"]
        assert page.locator("main img[src='x'], main script").count() == 0
        assert dialogs == []
        tab.assert_clean()
