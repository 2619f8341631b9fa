"""GET /api/search: find entities by name (Thai or English, full or partial)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from phakhi.api.deps import LangDep, PaginationDep, SearchIndexDep
from phakhi.api.errors import BadRequest
from phakhi.api.schemas import SearchHit, SearchResults
from phakhi.graph.model import Kind

router = APIRouter(prefix="/api", tags=["search"])


@router.get(
    "/search",
    response_model=SearchResults,
    summary="Search entities by name",
    description=(
        "Matches the labels and alternative names (abbreviations such as พอช. or CODI, "
        "variants, original spellings) of every entity. Thai text is normalised and "
        "segmented; honorifics (นาย, นพ., ศ.ดร., Dr, Prof, …) are ignored. Hits are ranked "
        "exact > prefix > token > substring > fuzzy, ties by label then IRI."
    ),
)
def search(
    request: Request,
    index: SearchIndexDep,
    lang: LangDep,
    page: PaginationDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="The name, or part of it.")],
    kind: Annotated[Kind | None, Query(description="Only entities of this kind.")] = None,
) -> SearchResults:
    if not q.strip():
        raise BadRequest("q: the query is empty", detail={"q": q})
    hits = index.search(q, kind=kind, lang=lang)
    return SearchResults(
        lang=lang,
        query=q,
        kind=kind,
        total=len(hits),
        limit=page.limit,
        offset=page.offset,
        next=page.next_link(request, len(hits)),
        items=[SearchHit.of(hit) for hit in page.window(hits)],
    )
