"""The FastAPI application: create_app(settings) builds it around one loaded engine."""

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from phakhi.api import errors, rendering, security
from phakhi.api.cache import ResultCache
from phakhi.api.routes import (
    entities,
    export,
    network,
    ontology,
    pages,
    resources,
    search,
    sparql,
)
from phakhi.api.routes import map as map_routes
from phakhi.api.routes import viz as viz_routes
from phakhi.api.settings import Settings
from phakhi.graph.loader import cached_index, open_engine
from phakhi.graph.network import Network
from phakhi.graph.search import SearchIndex


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = open_engine(settings.data_dir, settings.ontology, settings.data_files, settings.store)
    app = FastAPI(
        title="Phakhi",
        summary="A knowledge graph of Thai civic actors",
        lifespan=sparql.lifespan,  # starts and stops the /sparql query workers
        docs_url=None,  # /docs is pages.api_docs: Swagger UI from /static, no CDN
        redoc_url=None,  # ReDoc would load from a CDN
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.result_cache = ResultCache(settings.cache_entries, settings.cache_max_bytes)
    # built once per dataset version; an on-disk store keeps them beside its data
    app.state.search_index = cached_index(engine, "search", SearchIndex.build)
    app.state.network = cached_index(engine, "network", Network.build)
    errors.install(app)
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes)
    rendering.install(app)  # /static, and HTML error pages for browsers
    security.install(app)  # CSP, nosniff, referrer policy
    app.include_router(sparql.router)
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
