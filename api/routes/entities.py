"""GET /api/entities/{kind}/{id}: one entity; GET /api/agencies, /api/people, …: lists."""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request

from phakhi.api.deps import AsOf, EngineDep, LangDep, Pagination, PaginationDep, VersionDep
from phakhi.api.errors import NotFound
from phakhi.api.schemas import Entity, EntitySummary, Page, Timeline, TimelineItem
from phakhi.graph.compiler import CLASSES
from phakhi.graph.entities import Description, Summary, describe, list_of_type
from phakhi.graph.labels import entity_iri
from phakhi.graph.namespaces import ORG, PHK
from phakhi.graph.store import Engine
from phakhi.graph.timeline import describe_as_of, read_periods, timeline

router = APIRouter(prefix="/api", tags=["entities"])

# the kinds of graph.model.Kind, and the IRIs that are not curated entities but still have pages
DescribableKind = Literal[
    "agency", "unit", "person", "province", "place", "event", "project", "programme", "phase",
    "objective", "grant", "mechanism", "commitment", "direction", "statistic",
    "mechanism-type", "theme", "role", "capacity", "status",
    "source", "membership", "participation",
]  # fmt: skip
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"

# path → (kind, class of its members, plural noun for the docs)
LISTS: dict[str, tuple[str, str, str]] = {
    "agencies": ("agency", str(CLASSES["agency"][0]), "agencies"),
    "units": ("unit", str(CLASSES["unit"][0]), "organisational units"),
    "people": ("person", str(CLASSES["person"][0]), "people"),
    "provinces": ("province", str(CLASSES["province"][0]), "provinces"),
    "places": ("place", str(CLASSES["place"][0]), "places"),
    "events": ("event", str(CLASSES["event"][0]), "events (forums)"),
    "projects": ("project", str(CLASSES["project"][0]), "research projects"),
    "programmes": ("programme", str(CLASSES["programme"][0]), "programmes"),
    "phases": ("phase", str(CLASSES["phase"][0]), "project phases"),
    "objectives": ("objective", str(CLASSES["objective"][0]), "project objectives"),
    "grants": ("grant", str(CLASSES["grant"][0]), "grants"),
    "mechanisms": ("mechanism", str(CLASSES["mechanism"][0]), "civic mechanisms"),
    "commitments": ("commitment", str(CLASSES["commitment"][0]), "commitments"),
    "directions": ("direction", str(CLASSES["direction"][0]), "shared directions"),
    "statistics": ("statistic", str(CLASSES["statistic"][0]), "statistics"),
    "mechanism-types": ("mechanism-type", str(CLASSES["mechanism-type"][0]), "mechanism types"),
    "themes": ("theme", str(CLASSES["theme"][0]), "themes"),
    "roles": ("role", str(CLASSES["role"][0]), "roles"),
    "capacities": ("capacity", str(CLASSES["capacity"][0]), "participation capacities"),
    "statuses": ("status", str(CLASSES["status"][0]), "mechanism statuses"),
    "sources": ("source", str(PHK.SourceDocument), "source documents"),
    "memberships": ("membership", str(ORG.Membership), "memberships"),
    "participations": ("participation", str(PHK.Participation), "participations"),
}
# the lists of dated things: they take ?as_of= (graph/timeline.py)
DATED_LISTS = ("events", "mechanisms", "commitments", "directions", "memberships", "participations")


def load_entity(engine: Engine, kind: str, ident: str, lang: str) -> Description:
    """The description of kind/id, or NotFound (also for the HTML pages)."""
    try:
        iri = entity_iri(kind, ident)
    except ValueError as error:
        raise NotFound(str(error), detail={"kind": kind, "id": ident}) from error
    found = describe(engine, iri, lang)
    if found is None:
        raise NotFound(f"no {kind} with id {ident!r}", detail={"kind": kind, "id": ident})
    return found


@router.get(
    "/entities/{kind}/{id}",
    response_model=Entity,
    summary="One entity, with every statement and its evidence",
    description=(
        "Labels in every language, alternative names, description, types, every statement "
        "about the entity (outgoing and incoming; each entity-to-entity statement with its "
        "evidence: source, quotes, line, inferred) and a readable summary of the "
        "memberships, participations, commitments and mechanisms it takes part in. "
        "`as_of` shows it as the graph stood on that day. 404 when there is no such entity."
    ),
    responses={404: {"description": "No such entity (the error shape of api/errors.py)."}},
)
def entity(
    engine: EngineDep,
    lang: LangDep,
    version: VersionDep,
    kind: Annotated[DescribableKind, Path(description="The entity's kind: agency, person, …")],
    id: Annotated[str, Path(pattern=ID_PATTERN, description="The entity's id, e.g. codi.")],
    as_of: AsOf = None,
) -> Entity:
    found = load_entity(engine, kind, id, lang)
    if as_of is not None:
        found = describe_as_of(engine, found, as_of)
    return Entity.of(found).model_copy(update={"dataset_version": version or None})


@router.get(
    "/entities/{kind}/{id}/timeline",
    response_model=Timeline,
    summary="An entity's timeline",
    description=(
        "The dated things the entity takes part in, in date order: the entity itself when it "
        "is dated (an event, a mechanism, a commitment), its memberships, participations, "
        "commitments and mechanisms, and the dated entities it is related to; each with its "
        "date (start, else the date the source attests it), end, a readable label, and the "
        "source and quote stating it. 404 when there is no such entity."
    ),
    responses={404: {"description": "No such entity (the error shape of api/errors.py)."}},
)
def entity_timeline(
    engine: EngineDep,
    lang: LangDep,
    version: VersionDep,
    kind: Annotated[DescribableKind, Path(description="The entity's kind: agency, person, …")],
    id: Annotated[str, Path(pattern=ID_PATTERN, description="The entity's id, e.g. codi.")],
) -> Timeline:
    try:
        iri = entity_iri(kind, id)
    except ValueError as error:
        raise NotFound(str(error), detail={"kind": kind, "id": id}) from error
    items = timeline(engine, iri, lang)
    if items is None:
        raise NotFound(f"no {kind} with id {id!r}", detail={"kind": kind, "id": id})
    return Timeline(
        iri=iri,
        lang=lang,
        total=len(items),
        items=[TimelineItem.of(item) for item in items],
        dataset_version=version or None,
    )


def held(engine: Engine, items: list[Summary], as_of: date | None) -> list[Summary]:
    """The items that hold on as_of (all of them when it is None); undated ones always do."""
    if as_of is None:
        return items
    periods = read_periods(engine, [s.ref.iri for s in items])
    return [s for s in items if (p := periods.get(s.ref.iri)) is None or p.holds(as_of)]


def _lister(cls: str, dated: bool = False) -> Callable[..., Page[EntitySummary]]:
    def endpoint(
        request: Request, engine: EngineDep, lang: LangDep, page: PaginationDep
    ) -> Page[EntitySummary]:
        return listed(request, engine, lang, page, None)

    def dated_endpoint(
        request: Request,
        engine: EngineDep,
        lang: LangDep,
        page: PaginationDep,
        as_of: AsOf = None,
    ) -> Page[EntitySummary]:
        return listed(request, engine, lang, page, as_of)

    def listed(
        request: Request, engine: Engine, lang: str, page: Pagination, as_of: date | None
    ) -> Page[EntitySummary]:
        items = held(engine, list_of_type(engine, cls, lang), as_of)
        return Page[EntitySummary](
            lang=lang,
            total=len(items),
            limit=page.limit,
            offset=page.offset,
            next=page.next_link(request, len(items)),
            items=[EntitySummary.of_summary(s) for s in page.window(items)],
        )

    return dated_endpoint if dated else endpoint


for _path, (_kind, _cls, _noun) in LISTS.items():
    router.add_api_route(
        f"/{_path}",
        _lister(_cls, dated=_path in DATED_LISTS),
        methods=["GET"],
        response_model=Page[EntitySummary],
        summary=f"List {_noun}",
        description=(
            f"Every {_kind} ({_cls}), sorted by label in the chosen language (Thai "
            "dictionary order), then IRI; paginated with limit and offset, `next` links "
            "to the following page."
            + (" `as_of` keeps those that held on that day." if _path in DATED_LISTS else "")
        ),
        name=f"list_{_path.replace('-', '_')}",
    )
