"""Shared fixtures: the seed graph compiled once, in the real engine, behind the real app."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Dataset

from phakhi.api.app import create_app
from phakhi.api.settings import Settings
from phakhi.graph.dataset import build_dataset
from phakhi.graph.loader import open_seed
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE
from phakhi.graph.store import OxigraphStore

TESTS = Path(__file__).parent
OUTPUT = TESTS / "output"


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return build_dataset(DATA_DIR, ONTOLOGY_FILE)


@pytest.fixture(scope="session")
def engine() -> OxigraphStore:
    return open_seed(DATA_DIR, ONTOLOGY_FILE)


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
