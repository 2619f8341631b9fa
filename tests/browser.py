"""Headless Chromium for tests of pages: the system's chromium driven by Playwright, offline.

    from browser import chromium, open_tab          # in a test module (tests/ is on sys.path)

    @pytest.fixture(scope="module")
    def browser() -> Iterator[Any]:
        with chromium() as launched:
            yield launched

    def test_page(browser, server):
        with open_tab(browser) as tab:
            tab.page.goto(server + "/")
            ...
            tab.assert_clean()   # nothing left the machine, no CSP violation, no JS error

- `chromium()` skips the test when chromium or Playwright is missing, with the reason, except
  on CI (env CI set), where that fails the test: CI must run the browser tests.
- `open_tab()` routes every request through a guard: loopback, file:, data: and about: go on;
  anything else is aborted and recorded in `tab.escaped`. It records console errors, page
  errors and Content-Security-Policy violations (from the `securitypolicyviolation` event,
  registered before any page script runs) too.
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"file", "data", "about", "blob"}

_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} on CI: .ci/run must install it (apt-get install chromium)")
    pytest.skip(reason)


def chromium_path() -> str:
    """The system chromium, or skip (fail on CI)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        _missing("chromium is not installed (apt-get install chromium fonts-thai-tlwg)")
        raise AssertionError("unreachable")  # pragma: no cover
    return path


@contextmanager
def chromium(**options: Any) -> Iterator[Any]:
    """A launched headless Chromium (playwright.sync_api.Browser), closed at the end."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, **options
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A page and what it did that a test may check."""

    page: Any
    escaped: list[str] = field(default_factory=list)  # requests not to this machine (aborted)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__cspViolations || []")
        blocked = [m for m in self.console_errors if "Content Security Policy" in m]
        return found + blocked

    def assert_clean(self) -> None:
        """No request left the machine, no CSP violation, no uncaught error on the page."""
        assert self.escaped == [], f"requests to elsewhere: {self.escaped}"
        assert self.csp_violations() == [], f"CSP violations: {self.csp_violations()}"
        assert self.page_errors == [], f"errors on the page: {self.page_errors}"


@contextmanager
def open_tab(
    browser: Any, *, viewport: tuple[int, int] = (1200, 900), locale: str = "th-TH"
) -> Iterator[Tab]:
    """A new context and page whose every request off this machine is aborted and recorded."""
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, locale=locale
    )
    context.add_init_script(_WATCH_CSP)
    page = context.new_page()
    tab = Tab(page)

    def guard(route: Any) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname in LOOPBACK:
            route.continue_()
        else:
            tab.escaped.append(route.request.url)
            route.abort()

    def on_console(message: Any) -> None:
        if message.type == "error":
            tab.console_errors.append(message.text)

    context.route("**/*", guard)
    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
