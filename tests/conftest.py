"""Shared fixtures: the seed graph compiled once, in the real engine, behind the real app; and
the same behind the two remote stores of the contract suite (tests/backends.py)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import BACKENDS, load_seed, store_settings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Dataset

from phakhi.api.app import create_app
from phakhi.api.backend import remote_store
from phakhi.api.settings import Settings
from phakhi.graph.dataset import build_dataset
from phakhi.graph.loader import open_seed
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE
from phakhi.graph.store import Engine, OxigraphStore

pytest_plugins = ["remote_servers"]  # the oxigraph_server and virtuoso_server fixtures

TESTS = Path(__file__).parent
OUTPUT = TESTS / "output"


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return build_dataset(DATA_DIR, ONTOLOGY_FILE)


@pytest.fixture(scope="session")
def seed_engine() -> OxigraphStore:
    return open_seed(DATA_DIR, ONTOLOGY_FILE)


@pytest.fixture(scope="session")
def engine(seed_engine: OxigraphStore) -> OxigraphStore:
    return seed_engine


@pytest.fixture(scope="session")
def app() -> FastAPI:
    return create_app(Settings())


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


# -- the contract suite's backends -----------------------------------------------------------


@pytest.fixture(scope="session")
def oxigraph_seed(oxigraph_server: Any) -> Any:
    load_seed(oxigraph_server)
    return oxigraph_server


@pytest.fixture(scope="session")
def virtuoso_seed(virtuoso_server: Any) -> Any:
    load_seed(virtuoso_server)
    return virtuoso_server


@pytest.fixture(scope="session", params=BACKENDS)
def any_engine(request: pytest.FixtureRequest, seed_engine: OxigraphStore) -> Iterator[Engine]:
    """The seed graph in each backend in turn."""
    if request.param == "embedded":
        yield seed_engine
        return
    store = remote_store(store_settings(request.getfixturevalue(f"{request.param}_seed")))
    store.check_version()
    yield store
    store.close()


@pytest.fixture(scope="session", params=BACKENDS)
def any_client(request: pytest.FixtureRequest, client: TestClient) -> Iterator[TestClient]:
    """The real app over each backend in turn."""
    if request.param == "embedded":
        yield client
        return
    settings = store_settings(request.getfixturevalue(f"{request.param}_seed"))
    with TestClient(create_app(settings)) as remote_client:
        yield remote_client
