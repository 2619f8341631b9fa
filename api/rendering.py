"""The HTML side of the service: one Jinja2 environment (autoescape always on), the links and
words every page shares (header navigation, language switch), the static files, and HTML error
pages for browsers (JSON clients keep the one JSON error shape of api/errors.py).

Templates get a `Site` as `site`: `site.href(iri)` is where an IRI is shown here (the server's
own `/id/…` page for IRIs under `settings.base_iri`), `site.url(path, **params)` a link on this
server (under its root path), `site.text.<key>` a word of the interface in the page's language.
`site.version` is the dataset version the page is made from (every page shows it; `site.cite`
makes a link that carries it as `v=`) and `site.version_notice` the notice a page shows when
its link was made for another version (api/versioning.py).
"""

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException

from phakhi.api.errors import PhakhiError
from phakhi.api.negotiation import Format, parse_accept, quality
from phakhi.api.versioning import VERSION_PARAM, asked_version, current_version, mismatch
from phakhi.graph.labels import Lang, choose_lang
from phakhi.graph.namespaces import BASE

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PATH = "/static"

HTML = Format(
    "text/html", ("html",), "http://www.w3.org/ns/formats/HTML", ("application/xhtml+xml",)
)
_JSON = Format("application/json", ("json",), "", ())

# Characters kept as they are when an IRI's tail becomes a URL path ("%" keeps escapes as-is).
PATH_SAFE = "/-._~!$&'()*+,;=:@%"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,  # every page, whatever its file name: labels and quotes are data
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
)


# -- words of the interface ---------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "th": {
        "site": "ภาคี",
        "tagline": "กราฟความรู้ภาคีพลเมืองไทย",
        "nav_query": "ค้นด้วย SPARQL",
        "nav_map": "แผนที่",
        "nav_network": "เครือข่าย",
        "nav_docs": "เอกสาร API",
        "nav_ontology": "ออนโทโลยี",
        "nav_guide": "คู่มือผู้ดูแลข้อมูล",
        "language": "ภาษา",
        "query_heading": "ถามกราฟด้วย SPARQL",
        "examples": "คำถามตัวอย่าง",
        "choose_example": "— เลือกคำถาม —",
        "run": "ค้นหา",
        "running": "กำลังค้นหา…",
        "results": "ผลลัพธ์",
        "rows": "แถว",
        "triples": "ทริเปิล",
        "no_rows": "ไม่พบผลลัพธ์",
        "download": "ดาวน์โหลด",
        "share": "ลิงก์สำหรับแบ่งปัน",
        "copy": "คัดลอก",
        "copied": "คัดลอกแล้ว",
        "error": "ข้อผิดพลาด",
        "yes": "ใช่",
        "no": "ไม่ใช่",
        "answer": "คำตอบ",
        "format": "รูปแบบ",
        "noscript": "ไม่มี JavaScript: ผลลัพธ์จะถูกส่งมาเป็นไฟล์ในรูปแบบที่เลือก",
        "editor_hint": "Ctrl+Enter เพื่อค้นหา",
        "map_of_result": "จังหวัดในผลลัพธ์",
        "types": "ประเภท",
        "alt_labels": "ชื่ออื่น",
        "labels": "ชื่อ",
        "statements": "ข้อความเกี่ยวกับสิ่งนี้",
        "incoming": "สิ่งที่อ้างถึงสิ่งนี้",
        "predicate": "ความสัมพันธ์",
        "value": "ค่า",
        "subject": "สิ่งที่อ้างถึง",
        "evidence": "แหล่งที่มาและข้อความอ้างอิง",
        "source": "แหล่งที่มา",
        "line": "บรรทัด",
        "inferred": "อนุมาน",
        "inferred_title": "ผู้ดูแลข้อมูลอนุมานเอง แหล่งที่มาไม่ได้กล่าวไว้ตรง ๆ",
        "no_evidence": "ข้อมูลอ้างอิง (ไม่มีข้อความอ้างอิง)",
        "involvements": "บทบาทและความเกี่ยวข้อง",
        "relations": "ความสัมพันธ์ในเครือข่าย",
        "network": "เครือข่ายรอบสิ่งนี้",
        "open_network": "เปิดมุมมองเครือข่าย",
        "map": "แผนที่",
        "open_sparql": "เปิดใน SPARQL",
        "iri": "IRI",
        "description": "คำอธิบาย",
        "not_found": "ไม่พบหน้านี้",
        "back_home": "กลับไปหน้าค้นหา",
        "date": "วันที่",
        "api_docs": "เอกสาร API",
        "guide_heading": "คู่มือผู้ดูแลข้อมูล",
        "dataset_version": "ข้อมูลรุ่น",
        "version_notice": "ลิงก์นี้สร้างขึ้นสำหรับข้อมูลรุ่น {asked} แต่ขณะนี้คุณกำลังดูข้อมูลรุ่น {current}",
        "timeline": "ลำดับเวลา",
        "what": "เรื่อง",
        "until": "ถึง",
        "as_of": "ณ วันที่",
        "show_as_of": "แสดงตามวันที่",
        "show_all": "แสดงทั้งหมด",
        "as_of_notice": "แสดงเฉพาะสิ่งที่เป็นอยู่ ณ วันที่ {day} (ตามวันที่ของแหล่งข้อมูล)",
        "cite": "ลิงก์สำหรับอ้างอิง",
    },
    "en": {
        "site": "Phakhi",
        "tagline": "A knowledge graph of Thai civic actors",
        "nav_query": "Query",
        "nav_map": "Map",
        "nav_network": "Network",
        "nav_docs": "API docs",
        "nav_ontology": "Ontology",
        "nav_guide": "Curator's guide",
        "language": "Language",
        "query_heading": "Ask the graph in SPARQL",
        "examples": "Example questions",
        "choose_example": "— choose a question —",
        "run": "Run",
        "running": "Running…",
        "results": "Results",
        "rows": "rows",
        "triples": "triples",
        "no_rows": "No results",
        "download": "Download",
        "share": "Shareable link",
        "copy": "Copy",
        "copied": "Copied",
        "error": "Error",
        "yes": "yes",
        "no": "no",
        "answer": "Answer",
        "format": "Format",
        "noscript": "Without JavaScript the result is sent as a file in the chosen format.",
        "editor_hint": "Ctrl+Enter runs the query",
        "map_of_result": "Provinces in the result",
        "types": "Types",
        "alt_labels": "Other names",
        "labels": "Labels",
        "statements": "Statements",
        "incoming": "Referred to by",
        "predicate": "Property",
        "value": "Value",
        "subject": "Referred to by",
        "evidence": "Source and quote",
        "source": "Source",
        "line": "line",
        "inferred": "inferred",
        "inferred_title": "The curator's inference: the source does not say this in so many words",
        "no_evidence": "Reference data (no quote)",
        "involvements": "Roles and involvements",
        "relations": "Relations in the network",
        "network": "Network around it",
        "open_network": "Open the network view",
        "map": "Map",
        "open_sparql": "Open in SPARQL",
        "iri": "IRI",
        "description": "Description",
        "not_found": "Not found",
        "back_home": "Back to the query page",
        "date": "Date",
        "api_docs": "API documentation",
        "guide_heading": "Curator's guide",
        "dataset_version": "Dataset version",
        "version_notice": "This link was made for dataset version {asked}; "
        "you are seeing version {current}.",
        "timeline": "Timeline",
        "what": "What",
        "until": "until",
        "as_of": "As of",
        "show_as_of": "Show as of this day",
        "show_all": "Show everything",
        "as_of_notice": "Showing only what held on {day} (by the dates of the sources).",
        "cite": "Link to cite",
    },
}


class Words:
    """The interface's words in one language; a missing word is an error, not a blank."""

    def __init__(self, lang: Lang) -> None:
        self._words = TEXT[lang]

    def __getattr__(self, key: str) -> str:
        try:
            return self._words[key]
        except KeyError as error:
            raise AttributeError(key) from error


@dataclass(frozen=True)
class NavItem:
    key: str
    path: str
    localised: bool  # the page takes ?lang=


NAV: tuple[NavItem, ...] = (
    NavItem("nav_query", "/", True),
    NavItem("nav_map", "/map", True),
    NavItem("nav_network", "/viz", True),
    NavItem("nav_docs", "/docs", False),
    NavItem("nav_ontology", "/ontology", True),
    NavItem("nav_guide", "/guide", True),
)


# -- links ------------------------------------------------------------------------------------


def root_path(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def site_path(iri: str, base_iri: str) -> str | None:
    """The path (without root) at which this server shows iri; None for IRIs of elsewhere.

    `<base>id/<kind>/<id>` → `/id/<kind>/<id>`; `<base>ontology#Term` → `/ontology#Term`.
    """
    for base in dict.fromkeys((base_iri, BASE)):
        if iri.startswith(base + "id/"):
            return "/id/" + quote(iri[len(base) + 3 :], safe=PATH_SAFE)
        if iri.startswith(base + "ontology"):
            tail = iri[len(base) + len("ontology") :]
            if not tail or tail[0] in "#/":
                return "/ontology" + quote(tail, safe=PATH_SAFE + "#")
    return None


# Schemes a link to elsewhere may have. The data is not trusted to say where a click goes: a
# javascript:, data: or vbscript: IRI in it must never become a link that runs code.
LINK_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "urn", "doi", "tag"})


def linkable(iri: str) -> bool:
    scheme, colon, _ = iri.partition(":")
    return bool(colon) and scheme.lower() in LINK_SCHEMES


@dataclass(frozen=True)
class Site:
    """What a page needs to link within the site, in its language."""

    root: str
    base_iri: str
    lang: Lang
    path: str
    params: tuple[tuple[str, str], ...]
    version: str = ""  # the dataset version the page is made from
    asked_version: str | None = None  # the v= of the link that was followed

    @classmethod
    def of(cls, request: Request, lang: Lang) -> "Site":
        settings = request.app.state.settings
        return cls(
            root_path(request),
            str(settings.base_iri),
            lang,
            request.url.path,
            tuple(request.query_params.multi_items()),
            current_version(request.app),
            asked_version(request.url.query),
        )

    @property
    def version_notice(self) -> str | None:
        """What the page says when its link was made for another dataset version."""
        if not mismatch(self.asked_version, self.version):
            return None
        return self.text.version_notice.format(asked=self.asked_version, current=self.version)

    def cite(self, path: str, **params: str | None) -> str:
        """A link on this server that carries the dataset version (v=), to cite."""
        return self.url(path, **params, **{VERSION_PARAM: self.version or None})

    @property
    def text(self) -> Words:
        return Words(self.lang)

    def url(self, path: str, **params: str | None) -> str:
        """root + path, with the params that are not None."""
        kept = {k: v for k, v in params.items() if v is not None}
        return self.root + path + ("?" + urlencode(kept) if kept else "")

    def static(self, path: str) -> str:
        return f"{self.root}{STATIC_PATH}/{path}"

    def href(self, iri: str) -> str:
        """Where a link to iri goes: this server's page for its own IRIs, else the IRI (or "#"
        for an IRI of a scheme that is no place to go, e.g. javascript:)."""
        local = site_path(iri, self.base_iri)
        if local is None:
            return iri if linkable(iri) else "#"
        path, hash_, fragment = local.partition("#")
        lang = f"?lang={self.lang}" if self.lang != "th" else ""
        return f"{self.root}{path}{lang}{hash_}{fragment}"

    def is_local(self, iri: str) -> bool:
        return site_path(iri, self.base_iri) is not None

    def switch(self, lang: Lang) -> str:
        """This page in another language."""
        params = [(k, v) for k, v in self.params if k != "lang"] + [("lang", lang)]
        return self.root + self.path + "?" + urlencode(params)

    def nav(self) -> list[dict[str, Any]]:
        words = self.text
        items = []
        for item in NAV:
            href = self.url(item.path, lang=self.lang if item.localised else None)
            current = item.path == self.path
            items.append({"label": getattr(words, item.key), "href": href, "current": current})
        return items


def render(template: str, site: Site, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page of the site: template rendered with `site`, in site.lang."""
    html = environment.get_template(template).render(site=site, lang=site.lang, **context)
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={"Content-Language": site.lang, "Vary": "Accept, Accept-Language"},
    )


# -- browsers get HTML errors --------------------------------------------------------------


def wants_html(request: Request) -> bool:
    """Whether the client prefers HTML to JSON (a browser navigating, not fetch() or curl)."""
    accept = request.headers.get("accept")
    if not accept:
        return False
    ranges = parse_accept(accept)
    return quality(HTML, ranges) > quality(_JSON, ranges)


def request_lang(request: Request) -> Lang:
    requested = request.query_params.get("lang")
    return choose_lang(requested, request.headers.get("accept-language"))


Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    site = Site.of(request, request_lang(request))
    return render("error.html", site, status, status=status, code=code, message=message)


def _html_first(
    fallback: Handler, describe: Callable[[Exception], tuple[int, str, str]]
) -> Handler:
    async def handle(request: Request, error: Exception) -> Response:
        if not wants_html(request):
            answer = fallback(request, error)
            return await answer if inspect.isawaitable(answer) else answer
        status, code, message = describe(error)
        response = error_page(request, status, code, message)
        headers: Mapping[str, str] = getattr(error, "headers", None) or {}
        for name, value in headers.items():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    return handle


def _describe_phakhi(error: Exception) -> tuple[int, str, str]:
    assert isinstance(error, PhakhiError)
    return error.status, error.code, error.message


def _describe_http(error: Exception) -> tuple[int, str, str]:
    assert isinstance(error, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    return error.status_code, code, str(error.detail)


def _describe_validation(error: Exception) -> tuple[int, str, str]:
    assert isinstance(error, RequestValidationError)
    message = "; ".join(
        f"{'.'.join(str(step) for step in item['loc'])}: {item['msg']}" for item in error.errors()
    )
    return 400, "invalid_parameters", message


def install(app: FastAPI) -> None:
    """Serve /static; answer browsers' errors with an HTML page (after error_handlers.install)."""
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
    for kind, describe in (
        (PhakhiError, _describe_phakhi),
        (HTTPException, _describe_http),
        (RequestValidationError, _describe_validation),
    ):
        fallback = app.exception_handlers.get(kind)
        if fallback is not None:
            app.add_exception_handler(kind, _html_first(fallback, describe))
