"""Interactive network views (vis-network, built with pyvis): pages under /viz, their data as
JSON under /api/viz, and the scripts they need under /viz/assets (from the pyvis wheel: no CDN).

Every view takes the same filters (see phakhi.viz.network_view): kind (repeatable), province,
mechanism_type, theme, source, tier, inferred, reach, isolated, as_of (the network as it stood
on a day); and size (degree, betweenness, none), max_nodes (capped by the viz_max_nodes
setting), lang. `?download=html` sends the page as a standalone file. A bad parameter is a 400,
an unknown entity a 404, in the one error shape. Views carry the dataset version they are made
from; a page's download and JSON links carry it as v=, and a page opened from a link made for
another version says so (api/versioning.py).
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from phakhi.api.deps import AsOf, LangDep, NetworkDep, SettingsDep, VersionDep
from phakhi.api.errors import BadRequest, NotFound
from phakhi.api.versioning import VERSION_PARAM, asked_version, mismatch
from phakhi.graph.labels import collation_key
from phakhi.graph.network import Network
from phakhi.viz.network_page import (
    ASSETS,
    FormField,
    PageOptions,
    ServerLinks,
    asset_text,
    render_page,
)
from phakhi.viz.network_view import (
    KIND_STYLES,
    VIEW_INFO,
    VIEWS,
    Filters,
    Lang,
    NodeKind,
    SizeMeasure,
    SourceInfo,
    Text,
    View,
    ViewError,
    ViewName,
    ViewSpec,
    build_view,
    notice,
    read_sources,
)

router = APIRouter(tags=["viz"])

ID = r"^([a-z0-9]+(-[a-z0-9]+)*)?$"  # empty: not set (as a form sends it)
ISO = r"^(TH-[0-9]{2})?$"
ENTITY_ID = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
HTML_ONLY = {"download", VERSION_PARAM}


class InvalidViewRequest(BadRequest):
    code = "invalid_parameters"


class NotInNetwork(NotFound):
    code = "not_in_network"


def get_sources(request: Request) -> dict[str, SourceInfo]:
    """The source documents (id, title, tier), read once per app."""
    found: dict[str, SourceInfo] | None = getattr(request.app.state, "viz_sources", None)
    if found is None:
        found = read_sources(request.app.state.engine)
        request.app.state.viz_sources = found
    return found


SourcesDep = Annotated[dict[str, SourceInfo], Depends(get_sources)]


@dataclass(frozen=True)
class ViewParams:
    filters: Filters
    size: SizeMeasure
    max_nodes: int


def view_params(
    settings: SettingsDep,
    kind: Annotated[
        list[NodeKind] | None,
        Query(description="Only nodes of these kinds (repeatable): agency, person, province, …"),
    ] = None,
    province: Annotated[
        str | None,
        Query(pattern=ISO, description="What lies within `reach` hops of this province (TH-60)."),
    ] = None,
    mechanism_type: Annotated[
        str | None,
        Query(pattern=ID, description="What lies within `reach` hops of this mechanism type."),
    ] = None,
    theme: Annotated[
        str | None, Query(pattern=ID, description="What lies within `reach` hops of this theme.")
    ] = None,
    source: Annotated[
        str | None, Query(pattern=ID, description="Only edges stated by this source (its id).")
    ] = None,
    tier: Annotated[
        Literal["any", "primary"], Query(description="primary: only edges from primary sources.")
    ] = "any",
    inferred: Annotated[
        Literal["yes", "no"], Query(description="no: leave out the curator's inferences.")
    ] = "yes",
    reach: Annotated[
        int, Query(ge=1, le=3, description="Hops around province, mechanism_type and theme.")
    ] = 2,
    isolated: Annotated[
        Literal["hide", "show"], Query(description="Show nodes left without any edge.")
    ] = "hide",
    size: Annotated[
        SizeMeasure, Query(description="Node size: degree, betweenness (centrality) or none.")
    ] = "degree",
    max_nodes: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9]{0,9}$",
            description="Most nodes to send (the most central are kept); at most the server's "
            "viz_max_nodes setting.",
        ),
    ] = None,
    as_of: AsOf = None,
) -> ViewParams:
    cap = settings.viz_max_nodes
    asked = int(max_nodes) if max_nodes else cap
    if asked < 1:
        raise InvalidViewRequest("max_nodes must be at least 1", detail={"parameter": "max_nodes"})
    filters = Filters(
        kinds=tuple(sorted(set(kind or []))),
        province=province or None,
        mechanism_type=mechanism_type or None,
        theme=theme or None,
        source=source or None,
        tier=tier,
        inferred=inferred,
        reach=reach,
        isolated=isolated == "show",
        as_of=as_of.isoformat() if as_of else None,
    )
    return ViewParams(filters, size, min(asked, cap))


ParamsDep = Annotated[ViewParams, Depends(view_params)]
Download = Annotated[
    Literal["html"] | None, Query(description="html: the page as a standalone file to save.")
]
Depth = Annotated[int, Query(ge=1, le=3, description="Hops from the entity (1-3).")]
KindPath = Annotated[NodeKind, Path(description="The entity's kind.")]
IdPath = Annotated[str, Path(pattern=ENTITY_ID, description="The entity's id.")]


def make_view(
    network: Network,
    sources: dict[str, SourceInfo],
    view: ViewName,
    params: ViewParams,
    *,
    centre: str | None = None,
    depth: int = 1,
    version: str = "",
) -> View:
    """build_view(), its ViewError turned into the API's 400 (or 404 for a missing entity);
    the view names the dataset version it is made from."""
    spec = ViewSpec(view, params.filters, centre, depth, params.size, params.max_nodes)
    try:
        built = build_view(network, sources, spec)
        return built.model_copy(update={"dataset_version": version or None})
    except ViewError as error:
        detail: dict[str, Any] = {"parameter": error.parameter}
        if error.allowed:
            detail["allowed"] = error.allowed
        if error.missing:
            raise NotInNetwork(error.message, detail=detail) from error
        raise InvalidViewRequest(error.message, detail=detail) from error


# -- pages -----------------------------------------------------------------------------------


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _query(request: Request, drop: set[str] = HTML_ONLY, **extra: str) -> str:
    pairs = [
        (k, v) for k, v in request.query_params.multi_items() if k not in drop and k not in extra
    ]
    pairs += list(extra.items())
    return urlencode(pairs)


def _options(network: Network, kind: str, lang: Lang) -> tuple[tuple[str, Text], ...]:
    nodes = network.graph.nodes
    found = [
        (attrs["id"], Text(attrs["label_th"], attrs["label_en"]))
        for _, attrs in nodes(data=True)
        if attrs["kind"] == kind
    ]
    return tuple(sorted(found, key=lambda o: (collation_key(o[1].get(lang)), o[0])))


def _fields(
    network: Network,
    sources: dict[str, SourceInfo],
    params: ViewParams,
    lang: Lang,
    depth: int | None,
) -> tuple[FormField, ...]:
    f = params.filters
    present = {attrs["kind"] for _, attrs in network.graph.nodes(data=True)}
    kinds = tuple((k, s.label) for k, s in KIND_STYLES.items() if k in present)
    source_options = tuple(
        sorted(((s.id, Text(s.title, s.title)) for s in sources.values()), key=lambda o: o[0])
    )

    def one(value: object) -> tuple[str, ...]:
        return (str(value),) if value is not None else ()

    def choice(*pairs: tuple[str, str, str]) -> tuple[tuple[str, Text], ...]:
        return tuple((value, Text(th, en)) for value, th, en in pairs)

    fields = [
        FormField("kind", Text("ประเภท", "Kinds"), "checkboxes", kinds, f.kinds),
        FormField(
            "province",
            Text("จังหวัด", "Province"),
            "select",
            _options(network, "province", lang),
            one(f.province),
        ),
        FormField(
            "mechanism_type",
            Text("ประเภทกลไก", "Mechanism type"),
            "select",
            _options(network, "mechanism-type", lang),
            one(f.mechanism_type),
        ),
        FormField(
            "theme",
            Text("ประเด็น", "Theme"),
            "select",
            _options(network, "theme", lang),
            one(f.theme),
        ),
        FormField(
            "reach",
            Text("ระยะรอบจังหวัด/กลไก/ประเด็น", "Steps around province/type/theme"),
            "select",
            choice(("1", "1", "1"), ("2", "2", "2"), ("3", "3", "3")),
            (str(f.reach),),
            None,
        ),
        FormField("source", Text("แหล่งข้อมูล", "Source"), "select", source_options, one(f.source)),
        FormField(
            "tier",
            Text("ระดับแหล่งข้อมูล", "Source tier"),
            "select",
            choice(("any", "ทุกระดับ", "Any"), ("primary", "เฉพาะแหล่งข้อมูลหลัก", "Primary only")),
            (f.tier,),
            None,
        ),
        FormField(
            "inferred",
            Text("ข้อสรุปของผู้จัดทำข้อมูล", "Curator's inferences"),
            "select",
            choice(("yes", "รวม", "Include"), ("no", "ไม่รวม", "Leave out")),
            (f.inferred,),
            None,
        ),
        FormField(
            "isolated",
            Text("หน่วยที่ไม่มีความสัมพันธ์", "Nodes without edges"),
            "select",
            choice(("hide", "ซ่อน", "Hide"), ("show", "แสดง", "Show")),
            ("show" if f.isolated else "hide",),
            None,
        ),
        FormField(
            "size",
            Text("ขนาดของหน่วย", "Node size"),
            "select",
            choice(
                ("degree", "จำนวนความเชื่อมโยง", "Degree"),
                ("betweenness", "ค่าความเป็นตัวกลาง", "Betweenness"),
                ("none", "เท่ากัน", "Same size"),
            ),
            (params.size,),
            None,
        ),
        FormField(
            "max_nodes",
            Text("จำนวนหน่วยสูงสุด", "Most nodes"),
            "number",
            value=(str(params.max_nodes),),
        ),
        FormField("as_of", Text("ณ วันที่", "As of"), "date", value=one(f.as_of)),
    ]
    if depth is not None:
        fields.insert(
            0,
            FormField(
                "depth",
                Text("ระยะ (ขั้น)", "Depth (steps)"),
                "select",
                choice(("1", "1", "1"), ("2", "2", "2"), ("3", "3", "3")),
                (str(depth),),
                None,
            ),
        )
    return tuple(fields)


def _filename(view: View) -> str:
    name = f"phakhi-{view.view}"
    if view.centre is not None:
        name += "-" + view.centre.rstrip("/").rsplit("/", 2)[-2] + "-"
        name += view.centre.rsplit("/", 1)[-1]
    return name


def _page(
    request: Request,
    view: View,
    lang: Lang,
    download: Literal["html"] | None,
    fields: tuple[FormField, ...],
    json_path: str,
) -> Response:
    root = _root(request)
    filename = _filename(view)
    version = view.dataset_version or ""
    asked = asked_version(request.url.query)
    if mismatch(asked, version):
        view = view.model_copy(
            update={
                "notices": [
                    notice(
                        "version_mismatch",
                        f"ลิงก์นี้สร้างขึ้นสำหรับข้อมูลรุ่น {asked} แต่ขณะนี้คุณกำลังดูข้อมูลรุ่น {version}",
                        f"This link was made for dataset version {asked}; "
                        f"you are seeing version {version}.",
                    ),
                    *view.notices,
                ]
            }
        )
    if download == "html":
        base = str(request.base_url).rstrip("/")
        options = PageOptions(lang=lang, link_base=base, assets="inline", filename=filename)
        rendered = render_page(view, options)
        return HTMLResponse(
            rendered.html,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}.html"',
                "Content-Security-Policy": rendered.csp,
                "X-Content-Type-Options": "nosniff",
            },
        )
    query = _query(request, v=version)  # links to share cite the version (VERSION_PARAM)
    server = ServerLinks(
        index=f"{root}/viz?" + urlencode({"lang": lang}),
        html_download=f"{request.url.path}?" + _query(request, download="html", v=version),
        json=f"{root}{json_path}" + (f"?{query}" if query else ""),
        form_action=request.url.path,
        fields=fields,
    )
    options = PageOptions(
        lang=lang, link_base=root, assets=f"{root}/viz/assets", server=server, filename=filename
    )
    rendered = render_page(view, options)
    return HTMLResponse(
        rendered.html,
        headers={"Content-Security-Policy": rendered.csp, "X-Content-Type-Options": "nosniff"},
    )


_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "The interactive view (HTML)."},
    400: {"description": "A bad parameter (the one error shape)."},
}
_DESCRIPTIONS = {name: info.description.en for name, info in VIEW_INFO.items()}
_FILTERS_DOC = (
    " Filters: kind (repeatable), province, mechanism_type, theme (with reach), source, tier, "
    "inferred, isolated, as_of (the network as it stood on that day); size picks the "
    "centrality that sizes the nodes; max_nodes caps the nodes sent (the most central are "
    "kept, and the page says how many were left out). "
    "?download=html gives a standalone file (scripts inline, works offline)."
)


def _whole_view(name: ViewName) -> Any:
    def page(
        request: Request,
        network: NetworkDep,
        sources: SourcesDep,
        params: ParamsDep,
        lang: LangDep,
        version: VersionDep,
        download: Download = None,
    ) -> Response:
        view = make_view(network, sources, name, params, version=version)
        fields = _fields(network, sources, params, lang, None)
        return _page(request, view, lang, download, fields, f"/api/viz/{name}")

    def data(
        network: NetworkDep,
        sources: SourcesDep,
        params: ParamsDep,
        lang: LangDep,
        version: VersionDep,
    ) -> View:
        return make_view(network, sources, name, params, version=version)

    title = VIEW_INFO[name].title.en
    router.add_api_route(
        f"/viz/{name}",
        page,
        methods=["GET"],
        response_class=HTMLResponse,
        summary=f"View: {title}",
        description=_DESCRIPTIONS[name] + _FILTERS_DOC,
        responses=_PAGE_RESPONSES,
        name=f"viz_{name}",
    )
    router.add_api_route(
        f"/api/viz/{name}",
        data,
        methods=["GET"],
        response_model=View,
        summary=f"View data: {title}",
        description="The nodes and edges the page draws, styled, with evidence. "
        + _DESCRIPTIONS[name]
        + _FILTERS_DOC,
        responses={400: {"description": "A bad parameter."}},
        name=f"viz_{name}_data",
    )
    return page


@router.get(
    "/viz/ego",
    summary="Open an entity's ego network",
    description="Redirects ?entity=kind/id (and the other parameters) to /viz/ego/{kind}/{id}.",
    status_code=303,
    responses={303: {"description": "To the ego view."}, 400: {"description": "Not kind/id."}},
)
def ego_redirect(
    request: Request,
    entity: Annotated[str, Query(max_length=200, description="kind/id, e.g. agency/codi.")],
) -> RedirectResponse:
    kind, _, ident = entity.strip().strip("/").partition("/")
    if kind not in KIND_STYLES or not ident or "/" in ident:
        raise InvalidViewRequest(
            f"entity: expected kind/id (e.g. agency/codi), not {entity!r}",
            detail={"parameter": "entity"},
        )
    query = _query(request, drop={"entity", "download"})
    target = f"{_root(request)}/viz/ego/{kind}/{ident}" + (f"?{query}" if query else "")
    return RedirectResponse(target, status_code=303)


@router.get(
    "/viz/ego/{entity_kind}/{entity_id}",
    response_class=HTMLResponse,
    summary="View: an entity's ego network",
    description=_DESCRIPTIONS["ego"] + " 404 when the entity is not in the network." + _FILTERS_DOC,
    responses={**_PAGE_RESPONSES, 404: {"description": "Not in the network."}},
)
def ego_page(
    request: Request,
    network: NetworkDep,
    sources: SourcesDep,
    params: ParamsDep,
    lang: LangDep,
    version: VersionDep,
    entity_kind: KindPath,
    entity_id: IdPath,
    depth: Depth = 1,
    download: Download = None,
) -> Response:
    view = make_view(
        network,
        sources,
        "ego",
        params,
        centre=f"{entity_kind}/{entity_id}",
        depth=depth,
        version=version,
    )
    fields = _fields(network, sources, params, lang, depth)
    return _page(request, view, lang, download, fields, f"/api/viz/ego/{entity_kind}/{entity_id}")


@router.get(
    "/api/viz/ego/{entity_kind}/{entity_id}",
    response_model=View,
    summary="View data: an entity's ego network",
    description=_DESCRIPTIONS["ego"] + " 404 when the entity is not in the network." + _FILTERS_DOC,
    responses={400: {"description": "A bad parameter."}, 404: {"description": "Not found."}},
)
def ego_data(
    network: NetworkDep,
    sources: SourcesDep,
    params: ParamsDep,
    lang: LangDep,
    version: VersionDep,
    entity_kind: KindPath,
    entity_id: IdPath,
    depth: Depth = 1,
) -> View:
    return make_view(
        network,
        sources,
        "ego",
        params,
        centre=f"{entity_kind}/{entity_id}",
        depth=depth,
        version=version,
    )


for _name in VIEWS:
    if _name != "ego":
        _whole_view(_name)


@router.get(
    "/viz",
    response_class=HTMLResponse,
    summary="The network views",
    description="A page listing the views, with a form to open an entity's ego network and "
    "one to filter any view.",
)
def index(
    request: Request,
    network: NetworkDep,
    sources: SourcesDep,
    params: ParamsDep,
    lang: LangDep,
) -> HTMLResponse:
    from phakhi.viz.network_page import index_page

    root = _root(request)
    entities = sorted(
        (
            (f"{attrs['kind']}/{attrs['id']}", Text(attrs["label_th"], attrs["label_en"]))
            for _, attrs in network.graph.nodes(data=True)
        ),
        key=lambda e: (collation_key(e[1].get(lang)), e[0]),
    )
    views = [
        (name, f"{root}/viz/{name}?" + urlencode({"lang": lang}), VIEW_INFO[name])
        for name in VIEWS
        if name != "ego"
    ]
    rendered = index_page(
        lang=lang,
        root=root,
        views=views,
        ego=VIEW_INFO["ego"],
        entities=entities,
        fields=_fields(network, sources, params, lang, None),
    )
    return HTMLResponse(
        rendered.html,
        headers={"Content-Security-Policy": rendered.csp, "X-Content-Type-Options": "nosniff"},
    )


class ViewLink(BaseModel):
    """A network view: what it shows, and where its page and data are."""

    view: ViewName
    title_th: str
    title_en: str
    description_th: str
    description_en: str
    page: str = Field(description="The interactive page (for the ego view: a URL template).")
    data: str = Field(description="Its nodes and edges as JSON (ego: a URL template).")


@router.get(
    "/api/viz",
    response_model=list[ViewLink],
    summary="The network views",
    description="Every view, with its page and its JSON; each takes the filters kind, province, "
    "mechanism_type, theme, reach, source, tier, inferred, isolated, as_of, size and max_nodes.",
)
def views(request: Request) -> list[ViewLink]:
    root = _root(request)
    links = []
    for name in VIEWS:
        info = VIEW_INFO[name]
        path = "/ego/{kind}/{id}?depth={depth}" if name == "ego" else f"/{name}"
        links.append(
            ViewLink(
                view=name,
                title_th=info.title.th,
                title_en=info.title.en,
                description_th=info.description.th,
                description_en=info.description.en,
                page=f"{root}/viz{path}",
                data=f"{root}/api/viz{path}",
            )
        )
    return links


@router.get(
    "/viz/assets/{name}",
    summary="A script or stylesheet of the views",
    description="vis-network 9.1.2 (from the pyvis wheel) and the views' own script and style: "
    + ", ".join(sorted(ASSETS))
    + ".",
    responses={200: {"content": {"text/javascript": {}, "text/css": {}}}, 404: {}},
)
def asset(name: Annotated[str, Path(max_length=100)]) -> Response:
    if name not in ASSETS:
        raise NotFound(f"no asset {name!r}", detail={"allowed": sorted(ASSETS)})
    return Response(
        asset_text(name),
        media_type=ASSETS[name][1],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
