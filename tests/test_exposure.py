"""Exposure: where the server listens, who may call it from a browser, the headers every page
carries, and that nothing in the data can inject markup or script into a page.

The XSS part serves the seed graph with hostile labels, alternative names, descriptions, quotes,
source titles and `javascript:` / `data:` IRIs written into it, and reads every page and view:
the hostile text must be there, escaped, and never as markup; no link may run script.
"""

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from netguard import netguard as netguard  # the fixture
from test_hostile_input import assert_error_shape

from phakhi.api import cli
from phakhi.api.settings import Settings
from phakhi.graph.loader import open_seed
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE

pytestmark = pytest.mark.usefixtures("netguard")

ID = "https://w3id.org/phakhi/id/"
HOSTILE = {
    "label_th": "<img src=x onerror=alert(1)>",
    "label_en": '"><script>alert(2)</script>',
    "alt": "</script><script>alert(3)</script>",
    "comment": "'><svg onload=alert(4)>",
    "quote": "</textarea><script>alert(5)</script>",
    "province": "<img src=y onerror=alert(6)>",
    "theme": "</style><script>alert(7)</script>",
    "source": "--><script>alert(8)</script><!--",
}
HOSTILE_IRIS = [
    "javascript:alert(9)",
    "data:text/html;base64," + base64.b64encode(b"<script>alert(10)</script>").decode(),
    "vbscript:msgbox(11)",
]
RAW_MARKERS = [
    "<img src=x",
    "<img src=y",
    "<script>alert",
    "<svg onload",
    "</textarea><script",
    "</style><script",
]


def hostile_updates() -> list[str]:
    """SPARQL updates that put the hostile strings where pages show data."""
    lit = ox.Literal
    codi, province, theme = f"<{ID}agency/codi>", f"<{ID}province/TH-46>", f"<{ID}theme/poverty>"
    source = f"<{ID}source/nida-forum-2024-06-11>"
    rdfs, skos = "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2004/02/skos/core#"

    def replace(subject: str, predicate: str, value: ox.Literal, lang: str | None = None) -> str:
        only = f'FILTER(lang(?old) = "{lang}")' if lang else ""
        return (
            f"DELETE {{ GRAPH ?g {{ {subject} <{predicate}> ?old }} }} "
            f"INSERT {{ GRAPH ?g {{ {subject} <{predicate}> {value} }} }} "
            f"WHERE {{ GRAPH ?g {{ {subject} <{predicate}> ?old {only} }} }}"
        )

    links = " ".join(f"{codi} <{rdfs}seeAlso> <{iri}> ." for iri in HOSTILE_IRIS)
    return [
        replace(codi, rdfs + "label", lit(HOSTILE["label_th"], language="th"), "th"),
        replace(codi, rdfs + "label", lit(HOSTILE["label_en"], language="en"), "en"),
        replace(codi, skos + "altLabel", lit(HOSTILE["alt"], language="th"), "th"),
        replace(codi, rdfs + "comment", lit(HOSTILE["comment"], language="en"), "en"),
        replace(codi, rdfs + "comment", lit(HOSTILE["comment"], language="th"), "th"),
        replace(province, rdfs + "label", lit(HOSTILE["province"], language="th"), "th"),
        replace(province, rdfs + "label", lit(HOSTILE["province"], language="en"), "en"),
        replace(theme, rdfs + "label", lit(HOSTILE["theme"], language="th"), "th"),
        replace(theme, rdfs + "label", lit(HOSTILE["theme"], language="en"), "en"),
        replace(theme, skos + "prefLabel", lit(HOSTILE["theme"], language="th"), "th"),
        replace(theme, skos + "prefLabel", lit(HOSTILE["theme"], language="en"), "en"),
        replace(source, "http://purl.org/dc/terms/title", lit(HOSTILE["source"])),
        "DELETE { GRAPH ?g { ?e <https://w3id.org/phakhi/ontology#quote> ?q } } "
        f"INSERT {{ GRAPH ?g {{ ?e <https://w3id.org/phakhi/ontology#quote> "
        f"{lit(HOSTILE['quote'], language='th')} }} }} "
        "WHERE { GRAPH ?g { ?e <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> "
        f"{codi} ; <https://w3id.org/phakhi/ontology#quote> ?q }} }}",
        f"INSERT DATA {{ GRAPH <{ID}graph/hostile> {{ {links} }} }}",
    ]


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    engine = open_seed(DATA_DIR, ONTOLOGY_FILE)
    for update in hostile_updates():
        engine.store.update(update)
    path = tmp_path_factory.mktemp("hostile") / "hostile.nq"
    engine.store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.fixture(scope="module")
def exposed_app(hostile_file: Path) -> FastAPI:
    from phakhi.api.app import create_app

    return create_app(Settings(data_files=[hostile_file], query_workers=1))


@pytest.fixture(scope="module")
def exposed(exposed_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(exposed_app, raise_server_exceptions=False) as client:
        yield client


# -- where it listens ---------------------------------------------------------------------------


def test_default_host_is_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHAKHI_HOST", raising=False)
    assert Settings().host == "127.0.0.1"
    assert Settings.model_fields["host"].default == "127.0.0.1"


@pytest.mark.parametrize(
    ("argv", "host"),
    [(["serve"], "127.0.0.1"), (["serve", "--host", "0.0.0.0"], "0.0.0.0")],
    ids=["default", "told-otherwise"],
)
def test_serve_binds_loopback_unless_told(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], host: str
) -> None:
    import uvicorn

    from phakhi.api import app as app_module

    monkeypatch.delenv("PHAKHI_HOST", raising=False)
    bound: list[dict[str, Any]] = []
    monkeypatch.setattr(app_module, "create_app", lambda settings: FastAPI())
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: bound.append(kwargs))
    assert cli.main(argv) == 0
    assert bound == [{"host": host, "port": 8000}]
    assert cli.parser().parse_args(["serve"]).host is None  # the default comes from Settings


# -- CORS ---------------------------------------------------------------------------------------

ORIGIN = {"Origin": "https://elsewhere.example"}
SAMPLES = {
    "kind": "agency",
    "id": "codi",
    "ident": "codi",
    "entity_kind": "agency",
    "entity_id": "codi",
    "ext": "ttl",
    "source_id:path": "nida-forum-2024-06-11",
    "name": "network.js",
    "path:path": "agency/codi",
}


def routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(path with sample parameters, method) of every route, in included routers too."""

    def walk(found: list[Any]) -> Iterator[tuple[str, str]]:
        for route in found:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
                continue
            path = getattr(route, "path", "")
            for method in sorted(getattr(route, "methods", None) or []):
                yield re.sub(r"{([^}]+)}", lambda m: SAMPLES[m.group(1)], path), method

    yield from walk(list(app.routes))


def test_cors_open_for_read_only_queries(exposed: TestClient) -> None:
    preflight = exposed.options(
        "/sparql",
        headers=ORIGIN
        | {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code < 300
    assert preflight.headers["access-control-allow-origin"] in ("*", ORIGIN["Origin"])
    assert "POST" in preflight.headers["access-control-allow-methods"]
    query = "ASK { ?s ?p ?o }"
    for response in (
        exposed.get("/sparql", params={"query": query}, headers=ORIGIN),
        exposed.post("/sparql", data={"query": query}, headers=ORIGIN),
    ):
        assert response.status_code == 200
        assert "access-control-allow-origin" in response.headers


def test_cors_never_for_writes(exposed: TestClient, exposed_app: FastAPI) -> None:
    """No route but the read-only /sparql answers another origin; a write to /sparql (an
    update, anything with credentials) and its preflight get no CORS headers either."""
    checked = []
    for path, method in routes(exposed_app):
        if path == "/sparql" or path.startswith("/static"):
            continue
        if method not in ("GET", "HEAD"):
            response = exposed.request(method, path, headers=ORIGIN, content=b"{}")
            assert "access-control-allow-origin" not in response.headers, (method, path)
            checked.append((method, path))
        preflight = exposed.options(path, headers=ORIGIN | {"Access-Control-Request-Method": "PUT"})
        assert "access-control-allow-origin" not in preflight.headers, path
    assert ("POST", "/labels") in checked and ("PUT", "/store") in checked
    update = exposed.post(
        "/sparql",
        content=b"CLEAR ALL",
        headers=ORIGIN | {"Content-Type": "application/sparql-update", "Authorization": "Bearer x"},
    )
    assert update.status_code in (401, 403)
    assert "access-control-allow-origin" not in update.headers
    for asked in (
        {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
        {"Access-Control-Request-Method": "PUT"},
        {"Access-Control-Request-Method": "DELETE"},
    ):
        preflight = exposed.options("/sparql", headers=ORIGIN | asked)
        assert "access-control-allow-origin" not in preflight.headers, asked


# -- security headers on every page ---------------------------------------------------------------

PAGES = [
    "/",
    "/?lang=en",
    "/?query=" + quote(HOSTILE["quote"]),
    "/map",
    "/map?lang=en",
    "/viz",
    "/viz/network",
    "/viz/ego/agency/codi",
    "/ontology",
    "/guide",
    "/docs",
    "/id/agency/codi",
    "/id/agency/codi?lang=en",
    "/id/province/TH-46",
    "/id/theme/poverty",
    "/id/source/nida-forum-2024-06-11",
]
ERROR_PAGES = [
    "/id/%3Cscript%3Ealert(1)%3C/script%3E",
    "/no/such/page%3Cimg%20src=x%20onerror=alert(1)%3E",
    "/sparql?query=%3Cscript%3Ealert(1)%3C/script%3E",
    "/sparql?query=SELECT%20*%20%7B%7D&format=%3Cimg%20src=x%20onerror=alert(1)%3E",
    "/api/search?q=",
    "/map?question=%3Cscript%3Ealert(1)%3C/script%3E",
    "/viz?province=%3Cscript%3E",
]
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def policy(response: httpx.Response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def assert_secure_headers(response: httpx.Response) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", response.url
    csp = policy(response)
    assert csp.get("frame-ancestors") in (["'self'"], ["'none'"]), response.url
    scripts = csp.get("script-src", csp.get("default-src", []))
    assert scripts and "'unsafe-inline'" not in scripts and "*" not in scripts, response.url
    assert not any(s.startswith(("http:", "https:", "data:")) for s in scripts), response.url
    assert csp.get("object-src", csp.get("default-src")) in (["'none'"], ["'self'"])
    frame = response.headers.get("x-frame-options", "").upper()
    assert frame in ("SAMEORIGIN", "DENY") or "frame-ancestors" in csp


class Markup(HTMLParser):
    """What a page asks the browser to run: scripts, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.handlers: list[str] = []
        self.script_urls: list[str] = []
        self.inline: list[tuple[dict[str, str | None], str]] = []
        self.external: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and value:
                url = re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower()
                if url.startswith(("javascript:", "vbscript:", "data:text")):
                    self.script_urls.append(f"<{tag} {name}={value!r}>")
                if tag in ("script", "link", "img", "iframe") and url.startswith(("http", "//")):
                    self.external.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script, self._text = found, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            if not self._script.get("src"):
                self.inline.append((self._script, "".join(self._text)))
            self._script = None


def assert_page_is_inert(response: httpx.Response) -> None:
    """The page satisfies its own CSP and runs nothing from the data: no event handler, no
    script URL, no resource from elsewhere, inline scripts only as data or by hash."""
    text = response.text
    for marker in RAW_MARKERS:
        assert marker not in text, (response.url, marker)
    parser = Markup()
    parser.feed(text)
    assert parser.handlers == [], response.url
    assert parser.script_urls == [], response.url
    assert parser.external == [], response.url
    allowed = set(policy(response).get("script-src", []))
    for attrs, code in parser.inline:
        if attrs.get("type") == "application/json":
            assert "</" not in code, response.url
            continue
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, (response.url, code[:200])


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_security_headers_and_run_nothing_from_the_data(
    exposed: TestClient, path: str
) -> None:
    response = exposed.get(path, headers=BROWSER)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert_secure_headers(response)
    assert_page_is_inert(response)


@pytest.mark.parametrize("path", ERROR_PAGES)
def test_error_pages_too(exposed: TestClient, path: str) -> None:
    response = exposed.get(path, headers=BROWSER)
    assert 400 <= response.status_code < 500, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert_secure_headers(response)
    assert_page_is_inert(response)
    json_response = exposed.get(path, headers={"Accept": "application/json"})
    assert_error_shape(json_response)
    assert json_response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/map.svg", "/map.svg?lang=en", "/map.svg?question=agency&agency=codi"]
)
def test_svg_is_inert(exposed: TestClient, path: str) -> None:
    response = exposed.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert_secure_headers(response)
    assert "<script" not in response.text
    assert_page_is_inert(response)


def test_every_response_has_nosniff(exposed: TestClient) -> None:
    for path in ("/api/entities/agency/codi", "/static/js/query.js", "/sparql", "/openapi.json"):
        assert exposed.get(path).headers["x-content-type-options"] == "nosniff", path


# -- the hostile data is shown, escaped -----------------------------------------------------------


def test_hostile_text_is_on_the_pages_escaped(exposed: TestClient) -> None:
    """Not vacuous: the pages do show the hostile strings, as text."""
    expected = {
        "/id/agency/codi": ["label_th", "alt", "comment", "quote", "theme", "source"],
        "/id/agency/codi?lang=en": ["label_en", "comment"],
        "/id/province/TH-46": ["province"],
        "/id/theme/poverty": ["theme"],
        "/id/source/nida-forum-2024-06-11": ["source"],
    }
    for path, keys in expected.items():
        shown = html.unescape(exposed.get(path, headers=BROWSER).text)
        for key in keys:
            assert HOSTILE[key] in shown, (path, key)
    query = exposed.get(PAGES[2], headers=BROWSER).text
    assert html.escape(HOSTILE["quote"], quote=False) in query  # in the textarea, as text


def test_script_iris_are_no_links(exposed: TestClient) -> None:
    page = exposed.get("/id/agency/codi", headers=BROWSER).text
    for iri in HOSTILE_IRIS:
        assert iri in html.unescape(page)  # shown (as a title and a label) ...
        assert f'href="{html.escape(iri)}"' not in page  # ... but no link
    labels = exposed.post("/labels", json={"iris": HOSTILE_IRIS, "lang": "th"})
    assert labels.status_code == 200
    for found in labels.json()["labels"].values():
        assert found["href"] == "#"


def test_views_carry_the_data_as_json(exposed: TestClient) -> None:
    for path in ("/viz/ego/agency/codi", "/viz/network"):
        page = exposed.get(path, headers=BROWSER).text
        blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S)
        data = [json.dumps(json.loads(block), ensure_ascii=False) for block in blocks]
        assert any(HOSTILE["label_th"] in text for text in data), path


def test_query_page_script_never_parses_results_as_html() -> None:
    """The query page shows results client-side (api/static/js/query.js): every value goes in
    with textContent or a DOM property; links only to this site or the web."""
    from phakhi.api.rendering import STATIC_DIR

    for script in ("js/query.js", "js/docs.js"):
        source = (STATIC_DIR / script).read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (script, sink)
    query_js = (STATIC_DIR / "js/query.js").read_text(encoding="utf-8")
    assert "link.href = safeHref(" in query_js
    assert re.search(r"\.href = (?!safeHref\(|data\.endpoint)", query_js) is None
