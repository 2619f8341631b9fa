"""The ontology at its own IRI (https://w3id.org/phakhi/ontology): /ontology answers with the
HTML reference (Thai or English), Turtle or JSON-LD by content negotiation (Accept; a browser's
`*/*` gets the page); /ontology.html, /ontology.ttl and /ontology.jsonld name one format each.
/shapes does the same for the SHACL shapes, whose HTML is the reference's shapes section.
"""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from phakhi.api.deps import EngineDep
from phakhi.api.errors import NotAcceptable
from phakhi.api.negotiation import JSONLD, TURTLE, negotiate
from phakhi.api.rendering import HTML, Site, environment
from phakhi.graph import reference
from phakhi.graph.labels import Lang, choose_lang
from phakhi.graph.paths import ONTOLOGY_FILE, SHAPES_FILE
from phakhi.graph.store import Engine

router = APIRouter(tags=["ontology"])

OFFERED = (HTML, TURTLE, JSONLD)  # server preference: */* gets the page
LangQuery = Annotated[
    Lang | None, Query(description="Language of the page: th or en (default: Accept-Language).")
]
AcceptHeader = Annotated[str | None, Header(description="text/html, text/turtle or JSON-LD.")]
AcceptLanguage = Annotated[str | None, Header(description="Used when ?lang= is not given.")]

# The site's base page around the reference (its header, navigation and stylesheet).
_PAGE = environment.from_string(
    """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block head %}<link rel="alternate" type="text/turtle" href="{{ site.url('/ontology.ttl') }}">
<link rel="alternate" type="application/ld+json" href="{{ site.url('/ontology.jsonld') }}">
<style>{{ style }}</style>{% endblock %}
{% block main %}{{ body }}{% endblock %}"""
)


def reference_body(request: Request, engine: Engine, site: Site) -> Markup:
    """The reference in site.lang, made once per language and root path (the data of a running
    app does not change)."""
    cache: dict[tuple[str, str], Markup] | None = getattr(
        request.app.state, "ontology_reference", None
    )
    if cache is None:
        cache = request.app.state.ontology_reference = {}
    key = (site.lang, site.root)
    if key not in cache:
        built = reference.build_reference(engine, site.lang, href=site.href)
        downloads = {"turtle": site.url("/ontology.ttl"), "jsonld": site.url("/ontology.jsonld")}
        cache[key] = reference.render_body(built, site.lang, downloads=downloads)
    return cache[key]


def _page(
    request: Request, engine: Engine, lang: Lang | None, accept_language: str | None
) -> Response:
    site = Site.of(request, choose_lang(lang, accept_language))
    html = _PAGE.render(
        site=site,
        lang=site.lang,
        title=reference.TEXT[site.lang]["title"],
        style=Markup(reference.STYLE),
        body=reference_body(request, engine, site),
    )
    headers = {"Content-Language": site.lang, "Vary": "Accept, Accept-Language"}
    return HTMLResponse(html, headers=headers)


def _rdf(data: bytes, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={"Vary": "Accept"})


def _not_acceptable(accept: str | None) -> NotAcceptable:
    return NotAcceptable(
        "this is served as text/html, text/turtle or application/ld+json",
        detail={"accept": accept, "offered": [f.media_type for f in OFFERED]},
    )


@router.head("/ontology", include_in_schema=False)  # HEAD: same answer, no body
@router.get(
    "/ontology",
    summary="The ontology: reference page, Turtle or JSON-LD",
    description=(
        "Content negotiation at the ontology IRI: text/html (also for */*) gives the reference "
        "in Thai or English (?lang=, else Accept-Language, else Thai); text/turtle gives "
        "ontology/phakhi.ttl as written; application/ld+json gives the same triples as JSON-LD "
        "with an inline @context. 406 when none of these is acceptable."
    ),
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "text/turtle": {}, "application/ld+json": {}}},
        406: {"description": "None of text/html, text/turtle, application/ld+json accepted."},
    },
)
def ontology(
    request: Request,
    engine: EngineDep,
    lang: LangQuery = None,
    accept: AcceptHeader = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    chosen = negotiate(accept, OFFERED)
    if chosen is TURTLE:
        return _rdf(reference.turtle(ONTOLOGY_FILE), TURTLE.content_type)
    if chosen is JSONLD:
        return _rdf(reference.jsonld(ONTOLOGY_FILE), JSONLD.content_type)
    if chosen is HTML:
        return _page(request, engine, lang, accept_language)
    raise _not_acceptable(accept)


@router.head("/ontology.html", include_in_schema=False)  # HEAD: same answer, no body
@router.get(
    "/ontology.html",
    response_class=HTMLResponse,
    summary="The ontology reference (HTML, Thai or English)",
)
def ontology_html(
    request: Request,
    engine: EngineDep,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    return _page(request, engine, lang, accept_language)


@router.head("/ontology.ttl", include_in_schema=False)  # HEAD: same answer, no body
@router.get(
    "/ontology.ttl",
    response_class=Response,
    summary="The ontology in Turtle",
    responses={200: {"content": {"text/turtle": {}}}},
)
def ontology_ttl() -> Response:
    return _rdf(reference.turtle(ONTOLOGY_FILE), TURTLE.content_type)


@router.head("/ontology.jsonld", include_in_schema=False)  # HEAD: same answer, no body
@router.get(
    "/ontology.jsonld",
    response_class=Response,
    summary="The ontology in JSON-LD",
    responses={200: {"content": {"application/ld+json": {}}}},
)
def ontology_jsonld() -> Response:
    return _rdf(reference.jsonld(ONTOLOGY_FILE), JSONLD.content_type)


@router.head("/shapes", include_in_schema=False)  # HEAD: same answer, no body
@router.get(
    "/shapes",
    response_class=Response,
    summary="The SHACL shapes: Turtle or JSON-LD (HTML: the reference's shapes section)",
    responses={
        200: {"content": {"text/turtle": {}, "application/ld+json": {}}},
        303: {"description": "Browsers go to /ontology#section-shapes."},
    },
)
def shapes(request: Request, accept: AcceptHeader = None) -> Response:
    chosen = negotiate(accept, OFFERED)
    if chosen is TURTLE:
        return _rdf(reference.turtle(SHAPES_FILE), TURTLE.content_type)
    if chosen is JSONLD:
        return _rdf(reference.jsonld(SHAPES_FILE), JSONLD.content_type)
    if chosen is HTML:
        site = Site.of(request, choose_lang(None, request.headers.get("accept-language")))
        return RedirectResponse(site.url("/ontology") + "#section-shapes", status_code=303)
    raise _not_acceptable(accept)


@router.head("/shapes.ttl", include_in_schema=False)  # HEAD: same answer, no body
@router.get(
    "/shapes.ttl",
    response_class=Response,
    summary="The SHACL shapes in Turtle",
    responses={200: {"content": {"text/turtle": {}}}},
)
def shapes_ttl() -> Response:
    return _rdf(reference.turtle(SHAPES_FILE), TURTLE.content_type)
