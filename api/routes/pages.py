"""The site's own pages: the query page at /, the API docs (Swagger UI served from /static, no
CDN), the curator's guide, and two small helpers the query page calls:

- POST /labels: the label (in th or en) and the link of each IRI of a result table;
- POST /query-map: the small map of a SELECT result that has a province column (SVG), or 204.

The query page runs queries against /sparql itself (from the browser); the competency
questions (ontology/competency/*.rq, titles from their "# th:" / "# en:" lines) are its
examples. `/?query=…` restores (and runs) a query, `/?example=<name>` loads an example; the
share box's link carries the dataset version (`v=`), and a link made for another version says
so on the page (api/versioning.py).
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from phakhi.api.deps import EngineDep
from phakhi.api.errors import NotFound
from phakhi.api.rendering import Site, render, root_path
from phakhi.graph.labels import Lang, choose_lang, label_for, labels_of
from phakhi.graph.paths import COMPETENCY_DIR, COOKBOOK_DIR, ROOT
from phakhi.viz.map import render_mini
from phakhi.viz.questions import from_query_result

router = APIRouter(tags=["pages"])

DOCS_DIR = ROOT / "docs"
# The curator's guide in each language, then the source format reference as a fallback.
GUIDES: dict[str, tuple[str, ...]] = {
    "th": ("curators-guide.md", "source-format.md"),
    "en": ("curators-guide.en.md", "source-format.md"),
}
MAX_LABELS = 5000
MAX_MAP_ROWS = 10_000
_HEADER = re.compile(r"^#\s*(th|en)\s*:\s*(.+?)\s*$")

DEFAULT_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX phk: <https://w3id.org/phakhi/ontology#>
SELECT ?province ?name WHERE {
  ?province a phk:Province ; rdfs:label ?name .
  FILTER(lang(?name) = "th")
}
ORDER BY ?name
LIMIT 20
"""

# the interface's words query.js needs
SCRIPT_WORDS = (
    *("run", "running", "rows", "triples", "no_rows", "download", "error"),
    *("yes", "no", "answer", "copied", "map_of_result", "inferred"),
)

LangParam = Annotated[
    Lang | None, Query(description="th or en (default: Accept-Language, then th).")
]


@dataclass(frozen=True)
class Example:
    """A named example query: a competency question or a cookbook recipe."""

    name: str
    titles: dict[str, str]
    query: str

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("en") or self.name


def load_examples(folders: tuple[Path, ...] = (COMPETENCY_DIR, COOKBOOK_DIR)) -> list[Example]:
    """The competency questions, then the cookbook's recipes, in file order; titles from their
    first "# th:"/"# en:" lines."""
    found = []
    for path in [p for folder in folders for p in sorted(folder.glob("*.rq"))]:
        text = path.read_text(encoding="utf-8")
        titles: dict[str, str] = {}
        for line in text.splitlines()[:5]:
            match = _HEADER.match(line)
            if match:
                titles.setdefault(match.group(1), match.group(2))
        found.append(Example(path.stem, titles, text))
    return found


def page_lang(request: Request, lang: Lang | None) -> Lang:
    return choose_lang(lang, request.headers.get("accept-language"))


# -- the query page ---------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def query_page(
    request: Request,
    lang: LangParam = None,
    query: Annotated[str | None, Query(max_length=100_000)] = None,
    example: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    chosen = page_lang(request, lang)
    site = Site.of(request, chosen)
    examples = load_examples()
    current = next((e for e in examples if e.name == example), None)
    text = query if query is not None else (current.query if current else DEFAULT_QUERY)
    data = {
        "lang": chosen,
        "root": site.root,
        "endpoint": site.url("/sparql"),
        "labels": site.url("/labels"),
        "map": site.url("/query-map"),
        "autorun": query is not None,
        "version": site.version,  # the share box's link cites it (v=)
        "examples": [
            {"name": e.name, "title": e.title(chosen), "query": e.query} for e in examples
        ],
        "text": {key: getattr(site.text, key) for key in SCRIPT_WORDS},
    }
    return render(
        "query.html",
        site,
        query=text,
        examples=examples,
        current=current.name if current else "",
        page_data=data,
    )


# -- helpers of the query page ----------------------------------------------------------------


class LabelRequest(BaseModel):
    iris: list[str] = Field(max_length=MAX_LABELS, description="IRIs to label.")
    lang: Lang = "th"


class Labelled(BaseModel):
    label: str
    href: str


class LabelAnswer(BaseModel):
    lang: Lang
    labels: dict[str, Labelled]


@router.post("/labels", response_model=LabelAnswer, include_in_schema=False)
def labels(request: Request, engine: EngineDep, body: LabelRequest) -> LabelAnswer:
    """Label and link of each IRI (its local name when the graph has no label)."""
    site = Site.of(request, body.lang)
    found = labels_of(engine, body.iris)
    return LabelAnswer(
        lang=body.lang,
        labels={
            iri: Labelled(label=label_for(found, iri, body.lang), href=site.href(iri))
            for iri in found
        },
    )


class MapRequest(BaseModel):
    variables: list[str] = Field(max_length=200)
    rows: list[dict[str, str]] = Field(max_length=MAX_MAP_ROWS)
    lang: Lang = "th"


@router.post("/query-map", include_in_schema=False)
def query_map(request: Request, engine: EngineDep, body: MapRequest) -> Response:
    """The small map of a SELECT result with a province column (SVG); 204 when it has none."""
    data = from_query_result(engine, body.variables, body.rows)
    if data is None or not data.highlighted():
        return Response(status_code=204)
    svg = render_mini(data, body.lang, size=240, link_base=root_path(request), id_prefix="qm-")
    return Response(svg, media_type="image/svg+xml")


# -- API docs and the curator's guide ----------------------------------------------------------


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, lang: LangParam = None) -> HTMLResponse:
    """Swagger UI, from the files under /static (FastAPI's default loads it from a CDN)."""
    site = Site.of(request, page_lang(request, lang))
    openapi = request.app.openapi_url or "/openapi.json"
    return render("docs.html", site, openapi_url=site.root + openapi)


@router.get("/guide", response_class=HTMLResponse, include_in_schema=False)
def guide(request: Request, lang: LangParam = None) -> HTMLResponse:
    """The curator's guide (docs/curators-guide*.md) in the page's language, as written."""
    site = Site.of(request, page_lang(request, lang))
    found = next((DOCS_DIR / n for n in GUIDES[site.lang] if (DOCS_DIR / n).is_file()), None)
    if found is None:
        raise NotFound("the curator's guide is not installed with this copy of Phakhi")
    text = found.read_text(encoding="utf-8")
    return render("guide.html", site, guide=text, guide_name=found.name)
