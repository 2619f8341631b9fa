"""The FastAPI application: create_app(settings) builds it around one loaded engine."""

import gc
from collections.abc import Callable

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from phakhi.api import error_handlers, limits, rendering, security, versioning
from phakhi.api.backend import open_backend
from phakhi.api.cache import ResultCache
from phakhi.api.routes import (
    entities,
    export,
    health,
    network,
    ontology,
    pages,
    resources,
    search,
    sparql,
)
from phakhi.api.routes import map as map_routes
from phakhi.api.routes import store as store_routes
from phakhi.api.routes import viz as viz_routes
from phakhi.api.settings import WRITES_NEED_A_STORE, Settings
from phakhi.graph.loader import cached_index
from phakhi.graph.network import Network
from phakhi.graph.remote import RemoteStore
from phakhi.graph.remote_writes import RemoteWriter
from phakhi.graph.search import SearchIndex
from phakhi.graph.store import OxigraphStore
from phakhi.graph.writes import DerivedIndex, WritePath, Writer

# What app.state keeps that is made from the data, forgotten after each write (rebuilt on use).
DATA_CACHES = ("ontology_reference", "viz_sources")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = open_backend(settings)
    app = FastAPI(
        title="Phakhi",
        summary="A knowledge graph of Thai civic actors",
        lifespan=sparql.lifespan,  # starts and stops the /sparql query workers
        docs_url=None,  # /docs is pages.api_docs: Swagger UI from /static, no CDN
        redoc_url=None,  # ReDoc would load from a CDN
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.dataset_version = getattr(engine, "version", "")  # cited by every response
    app.state.result_cache = ResultCache(settings.cache_entries, settings.cache_max_bytes)
    # built once per dataset version; an on-disk store keeps them beside its data
    app.state.search_index = cached_index(engine, "search", SearchIndex.build)
    app.state.network = cached_index(engine, "network", Network.build)
    gc.freeze()  # the indexes live as long as the process: out of full collections (60-190 ms)
    app.state.writer = _writer(app, settings, engine)  # None: read-only (no write token)
    error_handlers.install(app)
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes)
    rendering.install(app)  # /static, and HTML error pages for browsers
    limits.install(app, settings)  # request bodies over max_body_bytes: 413 before reading
    security.install(app)  # CSP, nosniff, referrer policy
    app.add_middleware(versioning.VersionHeaders)  # Phakhi-Dataset-Version on every response
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(store_routes.router)
    app.include_router(entities.router)
    app.include_router(search.router)
    app.include_router(network.router)
    app.include_router(map_routes.router)
    app.include_router(export.router)
    app.include_router(viz_routes.router)
    app.include_router(pages.router)
    app.include_router(resources.router)
    app.include_router(ontology.router)
    return app


def _writer(
    app: FastAPI, settings: Settings, engine: OxigraphStore | RemoteStore
) -> WritePath | None:
    """The write path when a write token is set, with what follows every write: the search
    index and the network projection rebuilt in the background (the previous ones answer
    meanwhile), the caches of app.state forgotten, the new version noted. A remote store's
    version can also change by a write through another replica: the same follows."""
    if isinstance(engine, RemoteStore):
        _follow(app, engine, engine.listen)
        return RemoteWriter(engine) if settings.write_token is not None else None
    if settings.write_token is None:
        return None
    if settings.store is None or engine.path is None:
        raise ValueError(WRITES_NEED_A_STORE)
    writer = Writer(engine)
    _follow(app, engine, writer.listen)
    return writer


def _follow(
    app: FastAPI,
    engine: OxigraphStore | RemoteStore,
    listen: Callable[[Callable[[str], None]], None],
) -> None:
    app.state.derived = [
        DerivedIndex(
            engine,
            "search",
            SearchIndex.build,
            app.state.search_index,
            lambda index: _publish(app, "search_index", index),
        ),
        DerivedIndex(
            engine,
            "network",
            Network.build,
            app.state.network,
            lambda network: _publish(app, "network", network),
        ),
    ]
    for derived in app.state.derived:
        listen(derived.stale)

    def forget(version: str) -> None:
        app.state.dataset_version = version
        for name in DATA_CACHES:
            setattr(app.state, name, None)

    listen(forget)


def _publish(app: FastAPI, name: str, index: object) -> None:
    """A rebuilt index in place of the old one; frozen (see create_app) once it is in use."""
    setattr(app.state, name, index)
    gc.unfreeze()  # the old index was frozen too: collect it, then freeze what is left
    gc.collect()
    gc.freeze()
