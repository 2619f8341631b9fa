"""Every IRI under `<base_iri>id/` dereferences at `/id/…` (Linked Data, by content negotiation).

- Browsers (Accept: text/html) get the entity page: labels, types, every statement with its
  source, quote (as published), line and an "inferred" badge, incoming statements, relations
  from the network projection, its timeline (dated items with source and quote), a small map
  and network view, "open in SPARQL", downloads. `?as_of=YYYY-MM-DD` shows it as the graph
  stood on that day (graph/timeline.py); its links carry the dataset version (v=).
- RDF clients get the entity's description: its triples as subject, the labels of the things
  it links to, and its evidence nodes (with their sources' titles), in Turtle (also for `*/*`),
  JSON-LD, N-Triples or RDF/XML; the suffixes .ttl, .jsonld, .nt, .rdf and .html choose too.
- An IRI the graph says nothing about is a 404 (an HTML page for browsers, else the JSON shape);
  no acceptable format is a 406.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from phakhi.api.deps import AsOf, EngineDep, NetworkDep, SettingsDep
from phakhi.api.errors import NotAcceptable, NotFound
from phakhi.api.negotiation import GRAPH_FORMATS, JSONLD, NTRIPLES, RDFXML, TURTLE, Format
from phakhi.api.negotiation import negotiate as choose_format
from phakhi.api.rendering import HTML, PATH_SAFE, Site, render
from phakhi.api.results import PREFIXES
from phakhi.graph.entities import Description, Ref, Statement, Value, describe, exists
from phakhi.graph.labels import LABEL_PREDICATES, Lang, choose_lang, collation_key, sparql_iri
from phakhi.graph.namespaces import DCTERMS, PHK, PROV, RDF, RDFS, SKOS
from phakhi.graph.network import Network
from phakhi.graph.store import Engine
from phakhi.graph.timeline import describe_as_of, network_as_of, timeline_of
from phakhi.viz.map import render_mini
from phakhi.viz.questions import QuestionError, for_entity

router = APIRouter(tags=["linked data"])

# Server preference: Turtle first, so `*/*` (curl, most RDF tools) gets data; browsers ask for
# text/html by name and get the page.
OFFERED: tuple[Format, ...] = (TURTLE, HTML, JSONLD, NTRIPLES, RDFXML)
SUFFIXES: dict[str, Format] = {
    ".ttl": TURTLE,
    ".jsonld": JSONLD,
    ".nt": NTRIPLES,
    ".rdf": RDFXML,
    ".html": HTML,
}
DOWNLOADS: tuple[tuple[str, str], ...] = (
    (".ttl", "Turtle"),
    (".jsonld", "JSON-LD"),
    (".nt", "N-Triples"),
    (".rdf", "RDF/XML"),
)
MINI_MAP_SIZE = 200
# Shown in the page's header (labels, other names), so left out of its statements table.
HEADER_PREDICATES = frozenset({*LABEL_PREDICATES, str(SKOS.altLabel)})


# -- finding the IRI ------------------------------------------------------------------------


def candidates(base_iri: str, path: str) -> list[str]:
    """The IRIs `/id/<path>` may stand for: as given, and with its non-ASCII %-escaped."""
    found = []
    for tail in dict.fromkeys((path, quote(path, safe=PATH_SAFE))):
        iri = f"{base_iri}id/{tail}"
        try:
            sparql_iri(iri)
        except ValueError:
            continue
        found.append(iri)
    return found


def resolve(engine: Engine, base_iri: str, path: str) -> tuple[str, Format | None] | None:
    """(IRI, format forced by a suffix or None) of an IRI the graph describes; else None."""
    for iri in candidates(base_iri, path):
        if exists(engine, iri):
            return iri, None
    for suffix, fmt in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            for iri in candidates(base_iri, path[: -len(suffix)]):
                if exists(engine, iri):
                    return iri, fmt
    return None


# -- the RDF description --------------------------------------------------------------------

_DESCRIPTION = f"""\
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX prov: <{PROV}>
PREFIX phk: <{PHK._NS}>
CONSTRUCT {{
  ?this ?p ?o .
  ?linked ?labelling ?label .
  ?evidence ?ep ?eo .
}} WHERE {{
  {{ ?this ?p ?o }}
  UNION {{
    ?this ?p1 ?linked . FILTER(isIRI(?linked))
    VALUES ?labelling {{ rdfs:label skos:prefLabel }}
    ?linked ?labelling ?label .
  }}
  UNION {{ ?evidence rdf:subject ?this ; a phk:Evidence ; ?ep ?eo . }}
  UNION {{
    ?ev rdf:subject ?this ; a phk:Evidence ; prov:wasDerivedFrom ?linked .
    ?linked dcterms:title ?label . BIND(dcterms:title AS ?labelling)
  }}
}}"""


def description_query(iri: str) -> str:
    return _DESCRIPTION.replace("?this", sparql_iri(iri))


def rdf_description(engine: Engine, iri: str, fmt: Format) -> bytes:
    """The entity's description serialised natively by pyoxigraph."""
    result = engine.query(description_query(iri))
    assert isinstance(result, ox.QueryTriples)
    rdf_format = ox.RdfFormat.from_media_type(fmt.media_type)
    assert rdf_format is not None
    return ox.serialize(result, format=rdf_format, prefixes=PREFIXES) or b""


# -- what the page shows besides the description ----------------------------------------------


@dataclass(frozen=True)
class RelationGroup:
    """Edges of the network projection with one label and direction, and the nodes they reach."""

    label: str
    direction: str  # "out" (this → others) or "in" (others → this)
    others: tuple[Ref, ...]


def relations(network: Network, iri: str, lang: Lang) -> list[RelationGroup]:
    """The entity's edges in the network, grouped by relation label and direction."""
    if iri not in network:
        return []
    graph = network.graph
    grouped: dict[tuple[str, str], dict[str, Ref]] = defaultdict(dict)

    def node_ref(node: str) -> Ref:
        attrs = graph.nodes[node]
        label = attrs.get(f"label_{lang}") or attrs.get("label") or node
        return Ref(node, str(label), attrs.get("kind"), attrs.get("id"))

    edges: list[tuple[str, str, dict[str, Any]]] = [
        ("out", target, data) for _, target, data in graph.out_edges(iri, data=True)
    ] + [("in", source, data) for source, _, data in graph.in_edges(iri, data=True)]
    for direction, other, data in edges:
        label = str(data.get(f"label_{lang}") or data.get("label") or data.get("relation", ""))
        grouped[(direction, label)][other] = node_ref(other)
    groups = [
        RelationGroup(
            label,
            direction,
            tuple(sorted(refs.values(), key=lambda r: (collation_key(r.label), r.iri))),
        )
        for (direction, label), refs in grouped.items()
    ]
    groups.sort(key=lambda g: (g.direction != "out", collation_key(g.label)))
    return groups


def mini_map(
    engine: Engine,
    kind: str | None,
    ident: str | None,
    lang: Lang,
    root: str,
    as_of: str | None = None,
) -> str:
    """The small map of the entity (SVG) or "" when it has none or no province is on it."""
    if not kind or not ident:
        return ""
    try:
        data = for_entity(engine, kind, ident, as_of)
    except QuestionError:
        return ""
    if data is None or not data.highlighted():
        return ""
    return render_mini(data, lang, size=MINI_MAP_SIZE, link_base=root)


def route_paths(routes: Iterable[Any]) -> Iterator[str]:
    """The paths of routes, also inside included routers (FastAPI may keep those nested)."""
    for route in routes:
        path = getattr(route, "path", None)
        if isinstance(path, str):
            yield path
        inner = getattr(route, "original_router", None) or route
        nested = getattr(inner, "routes", None)
        if nested is not None and nested is not routes:
            yield from route_paths(nested)


def has_route(request: Request, prefix: str) -> bool:
    return any(path.startswith(prefix) for path in route_paths(request.app.routes))


def statements_query(iri: str) -> str:
    """The SPARQL that "open in SPARQL" puts in the editor: the entity's statements."""
    return (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"# {iri}\n"
        "SELECT ?property ?value WHERE {\n"
        f"  {sparql_iri(iri)} ?property ?value .\n"
        "}\n"
        "ORDER BY ?property ?value\n"
    )


def entity_page(
    request: Request,
    engine: Engine,
    network: Network,
    found: Description,
    path: str,
    lang: Lang,
    as_of: date | None = None,
) -> Response:
    site = Site.of(request, lang)
    kind, _, ident = path.partition("/")
    if "/" in ident:
        ident = ""
    day = as_of.isoformat() if as_of else None
    items = timeline_of(engine, found)
    if as_of is not None:
        found = describe_as_of(engine, found, as_of)
        network = network_as_of(network, as_of)
    outgoing = [s for s in found.statements if s.direction == "out" and not _in_header(s)]
    incoming = [s for s in found.statements if s.direction == "in"]
    in_network = found.iri in network and has_route(request, "/viz/ego/")
    ego = f"/viz/ego/{kind}/{ident}" if in_network and kind and ident else None
    svg = mini_map(engine, kind, ident, lang, site.root, day)
    response = render(
        "entity.html",
        site,
        entity=found,
        outgoing=outgoing,
        incoming=incoming,
        relations=relations(network, found.iri, lang),
        timeline=items,
        as_of=day,
        mini_map=Markup(svg) if svg else None,
        ego_embed=site.url(ego, lang=lang, as_of=day) if ego else None,
        network_link=site.cite(ego or "/viz", lang=lang, as_of=day),
        sparql_link=site.cite("/", query=statements_query(found.iri), lang=lang),
        downloads=[(site.url(f"/id/{path}{suffix}"), name) for suffix, name in DOWNLOADS],
        cite_link=site.cite(f"/id/{path}", lang=lang, as_of=day),
        all_link=site.url(f"/id/{path}", lang=lang),
    )
    response.headers["Link"] = _alternates(site, path)
    return response


def _in_header(statement: Statement) -> bool:
    return statement.predicate.iri in HEADER_PREDICATES and isinstance(statement.object, Value)


def _alternates(site: Site, path: str) -> str:
    return ", ".join(
        f'<{site.url(f"/id/{path}{suffix}")}>; rel="alternate"; type="{fmt.media_type}"'
        for suffix, fmt in SUFFIXES.items()
        if fmt is not HTML
    )


# -- the route ---------------------------------------------------------------------------------


@router.head("/id/{path:path}", include_in_schema=False)  # HEAD: same answer, no body
@router.get(
    "/id/{path:path}",
    summary="Dereference a Phakhi IRI (HTML page or RDF, by content negotiation)",
    description=(
        "`/id/<kind>/<id>` stands for `<base_iri>id/<kind>/<id>`. Accept: text/html gives the "
        "entity page; text/turtle (also the default for `*/*`), application/ld+json, "
        "application/n-triples or application/rdf+xml give the entity's description: its "
        "triples, the labels of what it links to and its evidence nodes. Suffixes .ttl, "
        ".jsonld, .nt, .rdf, .html choose the format in the URL. 404 when the graph says "
        "nothing about the IRI; 406 when no offered format is acceptable."
    ),
    responses={
        200: {
            "description": "The page or the description.",
            "content": {fmt.media_type: {} for fmt in OFFERED},
        },
        404: {"description": "The graph says nothing about this IRI."},
        406: {"description": "None of text/html and the RDF formats is acceptable."},
    },
)
def resource(
    request: Request,
    engine: EngineDep,
    network: NetworkDep,
    settings: SettingsDep,
    path: str,
    lang: Annotated[Lang | None, Query(description="Language of the page: th or en.")] = None,
    as_of: AsOf = None,
) -> Response:
    found = resolve(engine, settings.base_iri, path)
    if found is None:
        raise NotFound(f"the graph says nothing about /id/{path}", detail={"path": f"/id/{path}"})
    iri, forced = found
    fmt = forced or choose_format(request.headers.get("accept"), OFFERED)
    if fmt is None:
        offered = [f.media_type for f in OFFERED]
        raise NotAcceptable(
            f"none of the formats of this resource is acceptable; offered: {', '.join(offered)}",
            detail={"offered": offered},
        )
    if forced is not None:
        path = path[: -len(next(s for s, f in SUFFIXES.items() if f is forced))]
    if fmt is HTML:
        chosen = choose_lang(lang, request.headers.get("accept-language"))
        description = describe(engine, iri, chosen)
        if description is None:  # pragma: no cover - resolve() found triples a moment ago
            raise NotFound(f"the graph says nothing about /id/{path}")
        return entity_page(request, engine, network, description, path, chosen, as_of)
    assert fmt in GRAPH_FORMATS
    site = Site.of(request, "th")
    return Response(
        rdf_description(engine, iri, fmt),
        headers={
            "Content-Type": fmt.content_type,
            "Vary": "Accept",
            "Link": _alternates(site, path),
        },
    )
