"""The map views: /map (HTML page with the map inline), /map.svg and /map.png.

Query parameters: `question` (study-areas, mechanism-type, agency, person, sources), `lang`
(th, en), and the question's own parameters and filters, `as_of` among them (see
phakhi.viz.questions); `v`, the dataset version a link was made for, is read by the version
middleware (api/versioning.py). An unknown question or a bad parameter is a 400 in the one
error shape.
"""

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from phakhi.api import rendering
from phakhi.api.deps import EngineDep
from phakhi.api.errors import BadRequest, PhakhiError
from phakhi.api.versioning import VERSION_PARAM, current_version
from phakhi.graph.store import Engine
from phakhi.viz import geo
from phakhi.viz.map import render, to_png
from phakhi.viz.questions import (
    FILTERS,
    QUESTIONS,
    MapData,
    QuestionError,
    ask,
    choices,
    phase_numbers,
)

router = APIRouter(tags=["map"])

_RESERVED = {"question", "lang", "links", VERSION_PARAM}

QuestionName = Annotated[str, Query(description="The question: " + ", ".join(QUESTIONS))]
LangParam = Annotated[Literal["th", "en"], Query(description="Language of names and labels.")]
Links = Literal["absolute", "relative", "none"]


class InvalidMapRequest(BadRequest):
    code = "invalid_parameters"


class PngUnavailable(PhakhiError):
    status, code = 501, "not_implemented"


def _params(request: Request) -> dict[str, str]:
    """The question's parameters: every query parameter but question, lang and links."""
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in _RESERVED:
            continue
        if key in params:
            raise InvalidMapRequest(
                f"the parameter {key!r} is given twice", detail={"parameter": key}
            )
        params[key] = value
    return params


def answer(engine: Engine, question: str, params: dict[str, str]) -> MapData:
    """ask(), with a QuestionError turned into the API's 400."""
    try:
        return ask(engine, question, params)
    except QuestionError as error:
        detail: dict[str, object] = {"parameter": error.parameter}
        if error.allowed:
            detail["allowed"] = error.allowed
        raise InvalidMapRequest(error.message, detail=detail) from error


def _link_base(request: Request, links: Links) -> str | None:
    if links == "none":
        return None
    root = str(request.scope.get("root_path", "")).rstrip("/")
    if links == "relative":
        return root
    return str(request.base_url).rstrip("/")


@router.get("/map.svg")
def map_svg(
    request: Request,
    engine: EngineDep,
    question: QuestionName = "study-areas",
    lang: LangParam = "th",
    links: Links = "absolute",
) -> Response:
    """The map as a standalone SVG (links back to this server unless links=none)."""
    data = answer(engine, question, _params(request))
    svg = render(data, lang, link_base=_link_base(request, links))
    return Response(svg, media_type="image/svg+xml")


@router.get("/map.png")
def map_png(
    request: Request,
    engine: EngineDep,
    question: QuestionName = "study-areas",
    lang: LangParam = "th",
) -> Response:
    """The map as PNG (rendered by resvg, twice the SVG's size)."""
    data = answer(engine, question, _params(request))
    try:
        png = to_png(render(data, lang, link_base=None))
    except RuntimeError as error:
        raise PngUnavailable(str(error)) from error
    return Response(png, media_type="image/png")


def _default_params(engine: Engine) -> dict[str, dict[str, str]]:
    """For each question, parameters that make a valid first map (required ids filled in)."""
    defaults: dict[str, dict[str, str]] = {}
    for name, question in QUESTIONS.items():
        params = {}
        for param in question.params:
            if param.required and param.entity:
                found = choices(engine, param.entity)
                if found:
                    params[param.name] = found[0][0]
        defaults[name] = params
    return defaults


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    engine: EngineDep,
    question: QuestionName = "study-areas",
    lang: LangParam = "th",
) -> HTMLResponse:
    """The map page: the map inline, a form to choose the question, th/en switch, downloads."""
    params = _params(request)
    data = answer(engine, question, params)
    root = str(request.scope.get("root_path", "")).rstrip("/")
    svg = render(data, lang, link_base=root)
    current = QUESTIONS[question]
    fields = []
    for param in (*current.params, *FILTERS):
        if param.kind == "choice":
            options = [(value, label.get(lang)) for value, label in param.choices]
        elif param.kind == "date":
            options = []
        else:
            options = [
                (ident, f"{label.get(lang)} ({ident})")
                for ident, label in choices(engine, param.entity or "")
            ]
            if param.kind == "id-or-number":
                options = [(n, n) for n in phase_numbers(engine)] + options
        fields.append(
            {
                "name": param.name,
                "kind": param.kind,
                "label": param.label.get(lang),
                "required": param.required or param.kind == "choice",
                "value": params.get(param.name, ""),
                "options": options,
            }
        )
    query = {"question": question, **params}
    version = current_version(request.app)
    cited = {**query, "lang": lang, **({VERSION_PARAM: version} if version else {})}
    tabs = [
        {
            "name": name,
            "title": q.title.get(lang),
            "current": name == question,
            "href": "?" + urlencode({"question": name, **defaults, "lang": lang}),
        }
        for (name, q), defaults in zip(
            QUESTIONS.items(), _default_params(engine).values(), strict=True
        )
    ]
    return rendering.render(
        "map.html",
        rendering.Site.of(request, lang),
        question=question,
        data=data,
        svg=Markup(svg),
        fields=fields,
        tabs=tabs,
        highlighted=data.highlighted(),
        credit=geo.CREDIT,
        licence=geo.LICENCE,
        root=root,
        svg_href=f"{root}/map.svg?" + urlencode(cited),
        png_href=f"{root}/map.png?" + urlencode(cited),
        text=_UI[lang],
    )


_UI = {
    "th": {
        "heading": "แผนที่ประเทศไทย",
        "question": "คำถาม",
        "show": "แสดงแผนที่",
        "any": "ทั้งหมด",
        "download": "ดาวน์โหลด",
        "provinces": "จังหวัดที่ไฮไลต์",
        "none": "ไม่มี",
        "hint": "ชี้ที่จังหวัดเพื่อดูชื่อ คลิกเพื่อเปิดหน้าของจังหวัด",
    },
    "en": {
        "heading": "Map of Thailand",
        "question": "Question",
        "show": "Show map",
        "any": "All",
        "download": "Download",
        "provinces": "Highlighted provinces",
        "none": "none",
        "hint": "Point at a province for its names; click to open its page.",
    },
}
