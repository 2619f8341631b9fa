"""Shared dependencies of the routes.

They are `async def` although they never await: FastAPI runs a plain `def` dependency in its
thread pool, a thread hop per dependency per request (measured: a third of a cached /sparql
answer's time); these only read app state or parameters, so they run on the event loop."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Query, Request, Response
from pydantic import BeforeValidator

from phakhi.api.settings import Settings
from phakhi.api.versioning import current_version
from phakhi.graph.labels import Lang, choose_lang
from phakhi.graph.network import Network
from phakhi.graph.search import SearchIndex
from phakhi.graph.store import Engine


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


# -- the JSON API's shared state and parameters ---------------------------------------------


async def get_search_index(request: Request) -> SearchIndex:
    """The name index built at start-up (app.state.search_index)."""
    index: SearchIndex = request.app.state.search_index
    return index


async def get_network(request: Request) -> Network:
    """The network projection built at start-up (app.state.network)."""
    network: Network = request.app.state.network
    return network


async def get_lang(
    response: Response,
    lang: Annotated[
        Lang | None,
        Query(description="Language of labels: th or en (default: Accept-Language, then th)."),
    ] = None,
    accept_language: Annotated[
        str | None, Header(description="Used when ?lang= is not given; th unless en is preferred.")
    ] = None,
) -> Lang:
    """The response language: ?lang=, else Accept-Language, else th (Content-Language tells)."""
    chosen = choose_lang(lang, accept_language)
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept-Language"
    return chosen


T = TypeVar("T")


@dataclass(frozen=True)
class Pagination:
    limit: int
    offset: int

    def window(self, items: list[T]) -> list[T]:
        return items[self.offset : self.offset + self.limit]

    def next_link(self, request: Request, total: int) -> str | None:
        """The URL (path and query) of the next page; None on the last page."""
        if self.offset + self.limit >= total:
            return None
        url = request.url.include_query_params(offset=self.offset + self.limit, limit=self.limit)
        return f"{url.path}?{url.query}"


async def get_pagination(
    limit: Annotated[int, Query(ge=1, le=500, description="Most items per page (1-500).")] = 50,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
) -> Pagination:
    return Pagination(limit, offset)


SearchIndexDep = Annotated[SearchIndex, Depends(get_search_index)]
NetworkDep = Annotated[Network, Depends(get_network)]
LangDep = Annotated[Lang, Depends(get_lang)]
PaginationDep = Annotated[Pagination, Depends(get_pagination)]


# -- time and versions ---------------------------------------------------------------------

_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD (FastAPI's date would also take other forms); a blank value, as a form
    sends an empty date field, means not given."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _ISO_DAY.match(text):
            raise ValueError("expected a day as YYYY-MM-DD, e.g. 2024-06-11")
        return text
    return value


AsOf = Annotated[
    date | None,
    BeforeValidator(_iso_day),
    Query(
        description="Show the graph as it stood on this day (YYYY-MM-DD): memberships, "
        "participations, mechanisms, commitments and events that did not hold then, and "
        "relations stated only by sources dated later, are left out (graph/timeline.py).",
    ),
]


async def get_version(request: Request) -> str:
    """The dataset version the response is made from ("" when the engine has none)."""
    return current_version(request.app)


VersionDep = Annotated[str, Depends(get_version)]
