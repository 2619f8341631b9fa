"""Every setting of the service, read once at start-up from PHAKHI_* environment variables."""

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from phakhi.graph.namespaces import BASE
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE

MIN_TOKEN_LENGTH = 16
WRITES_NEED_A_STORE = (
    "PHAKHI_WRITE_TOKEN is set but no on-disk store is: writes must be durable, and an "
    "in-memory graph would lose them at the next start. Serve with --store FOLDER (or set "
    "PHAKHI_STORE), or unset PHAKHI_WRITE_TOKEN to serve read-only."
)
REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")


class Settings(BaseSettings):
    # errors never echo what was given: it may be the write token
    model_config = SettingsConfigDict(env_prefix="PHAKHI_", frozen=True, hide_input_in_errors=True)

    host: str = Field("127.0.0.1", description="Address to bind; 127.0.0.1 unless told otherwise.")
    port: int = Field(8000, description="Port to listen on.")
    data_dir: Path = Field(DATA_DIR, description="The curated sources to compile and serve.")
    ontology: Path = Field(ONTOLOGY_FILE, description="The ontology file (Turtle).")
    data_files: list[Path] = Field(
        default_factory=list,
        description="RDF files to serve instead of the compiled sources (phakhi serve --data).",
    )
    base_iri: str = Field(BASE, description="The base IRI of entity IRIs (served under /id/).")
    query_timeout: float = Field(10.0, description="Seconds a SPARQL query may run.")
    max_results: int = Field(10_000, description="Most rows a SELECT returns.")
    store: Path | None = Field(
        None,
        description=(
            "An on-disk store (a folder; phakhi serve --store): filled in bulk from data_files "
            "or the compiled sources when empty, otherwise opened as it is (no re-parse). "
            "sparql+http://HOST/PATH (the query URL of a remote store) sets store_url instead."
        ),
    )
    store_url: str | None = Field(
        None,
        description=(
            "The query URL of a remote SPARQL 1.1 store to serve instead of an embedded one "
            "(fill it with phakhi load --to). Oxigraph server: http://HOST:7878/query; "
            "Virtuoso: http://HOST:8890/sparql (or /sparql-auth with store_auth=digest)."
        ),
    )
    store_update_url: str | None = Field(
        None,
        description="The remote store's update URL (default: /update beside a /query URL, "
        "else the query URL).",
    )
    store_graph_store_url: str | None = Field(
        None,
        description="The remote store's Graph Store Protocol URL (default: /store beside a "
        "/query URL, /sparql-graph-crud beside a Virtuoso /sparql URL).",
    )
    store_user: str | None = Field(None, description="User name for the remote store.")
    store_password: SecretStr | None = Field(None, description="Password for the remote store.")
    store_auth: Literal["basic", "digest"] = Field(
        "basic", description="How the user signs in to the remote store: basic or digest."
    )
    store_timeout: float = Field(
        60.0,
        gt=0,
        description="Seconds the service waits for the remote store on its own requests "
        "(indexes, pages, the JSON API); /sparql queries wait query_timeout.",
    )
    store_poll_seconds: float = Field(
        1.0,
        gt=0,
        description="How often the service reads the remote store's dataset version, to see "
        "writes made through other replicas (a /sparql query always reads it first).",
    )
    store_graph_prefixes: list[str] = Field(
        default_factory=lambda: [BASE],
        min_length=1,
        description="In a remote store, the named graphs whose IRIs start with one of these "
        "are the dataset (a store may hold other data, and system graphs).",
    )
    query_workers: int = Field(
        default_factory=lambda: max(2, os.cpu_count() or 2),
        ge=1,
        description=(
            "Worker processes that evaluate /sparql queries (default: one a core, at least 2); "
            "each opens the on-disk store read-only, or holds an in-memory copy of the graph."
        ),
    )
    cache_entries: int = Field(
        256, ge=0, description="/sparql answers kept in the result cache (0: no cache)."
    )
    cache_max_bytes: int = Field(
        1_000_000, ge=0, description="Largest /sparql answer (bytes) the result cache keeps."
    )
    gzip_min_bytes: int = Field(
        1024, ge=1, description="Responses at least this large are gzipped for clients that ask."
    )
    stream_min_bytes: int = Field(
        1_000_000,
        ge=1,
        description="/sparql answers at least this large are sent in chunks (streamed).",
    )
    query_queue_wait: float = Field(
        2.0,
        gt=0,
        description="Seconds a /sparql query waits for a free worker before 503 busy (at most "
        "64 queries a worker wait, 8 over a remote store; more get 503 busy at once).",
    )
    max_body_bytes: int = Field(
        1_000_000,
        ge=1,
        description=(
            "Largest request body in bytes (a query, a form, JSON); larger is refused with 413 "
            "before it is read. Requests with credentials may send up to max_write_bytes."
        ),
    )
    max_response_bytes: int = Field(
        50_000_000, ge=1, description="Largest /sparql response body in bytes; larger is refused."
    )
    service_allow_list: list[str] = Field(
        default_factory=list,
        description="Hostnames a SPARQL SERVICE clause may call; any other SERVICE is refused.",
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Origins allowed to send read-only /sparql queries from browsers (CORS).",
    )
    viz_max_nodes: int = Field(
        2000,
        ge=1,
        description="Most nodes a network view (/viz, /api/viz) sends; the most central are kept.",
    )
    write_token: SecretStr | None = Field(
        None,
        min_length=MIN_TOKEN_LENGTH,
        description=(
            "The bearer token that writes need (SPARQL Update at /sparql, the Graph Store "
            "Protocol at /store), at least 16 characters; unset (the default), the service is "
            "read-only. Writes are persisted, so a token also needs `store` or `store_url`."
        ),
    )
    max_write_bytes: int = Field(
        20_000_000,
        ge=1,
        description="Largest request body (bytes) of a write (an update, a Graph Store upload).",
    )

    @model_validator(mode="before")
    @classmethod
    def _remote_store(cls, values: Any) -> Any:
        """PHAKHI_STORE=sparql+http://… names a remote store, not a folder."""
        if isinstance(values, dict):
            store = values.get("store")
            if isinstance(store, str) and store.startswith(REMOTE_SCHEMES):
                url, given = store.removeprefix("sparql+"), values.get("store_url")
                if given not in (None, url):  # e.g. PHAKHI_STORE and PHAKHI_STORE_URL differ
                    raise ValueError(f"two remote stores given: store {url}, store_url {given}")
                values = {**values, "store": None, "store_url": url}
        return values

    @model_validator(mode="after")
    def _one_store(self) -> "Settings":
        if self.store is not None and self.store_url is not None:
            raise ValueError("both a store folder and a remote store (store_url) are given")
        return self

    @model_validator(mode="after")
    def _writes_need_a_store(self) -> "Settings":
        if self.write_token is not None and self.store is None and self.store_url is None:
            raise ValueError(WRITES_NEED_A_STORE)
        return self
