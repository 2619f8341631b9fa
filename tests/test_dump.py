"""`phakhi dump` and `phakhi restore` (graph/dump.py): a round trip gives the same dataset, graph
by graph (rdflib.compare), the dump is deterministic, and a restore is all or nothing."""

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from server import reference_settings

from phakhi.api.app import create_app
from phakhi.api.cli import main
from phakhi.graph.dump import RestoreRefused, dump, restore
from phakhi.graph.loader import open_engine
from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE
from phakhi.graph.store import OxigraphStore

EX = "http://example.org/"
EXTRA = f"""
<{EX}s> <{EX}p> "only in the default graph" .
<{EX}s> <{EX}p> "in both" .
<{EX}g1> {{
  <{EX}s> <{EX}p> "in both" .
  <{EX}s> <{EX}list> ( 1 2 "สาม"@th ) .
  _:shared <{EX}p> _:other . _:other <{EX}p> _:shared .
}}
<{EX}g2> {{ <{EX}t> <{EX}p> "2024-06-11"^^<http://www.w3.org/2001/XMLSchema#date> . }}
"""


def graphs(store: OxigraphStore) -> dict[str, Graph]:
    """Every graph of the store (its own default graph included), read by rdflib."""
    dataset = Dataset()
    dataset.parse(data=store.store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return {str(graph.identifier): graph for graph in dataset.graphs() if len(graph)}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    """The seed graph in an on-disk store, with statements in the default graph and blank
    nodes shared within a graph."""
    folder = tmp_path_factory.mktemp("dump")
    store = open_engine(DATA_DIR, ONTOLOGY_FILE, [], folder / "store")
    store.store.load(EXTRA, format=ox.RdfFormat.TRIG)
    store.bump_version()
    yield store


def test_round_trip_graph_by_graph(source: OxigraphStore, tmp_path: Path) -> None:
    file = tmp_path / "backup.nq"
    file.write_bytes(b"".join(dump(source)))
    version = restore(file, tmp_path / "restored")
    restored = OxigraphStore.open(tmp_path / "restored", read_only=True)
    assert restored.version == version and len(version) == 16
    before, after = graphs(source), graphs(restored)
    assert sorted(after) == sorted(before)
    assert len(before) > 5
    for name, graph in before.items():
        assert isomorphic(graph, after[name]), name
    default = after["urn:x-rdflib:default"]
    assert len(default) == 2  # its own statements, not the union; one also in <g1>
    assert b"".join(dump(restored)) == file.read_bytes()  # the same bytes again


def test_dump_is_deterministic_and_canonical(source: OxigraphStore) -> None:
    first, second = b"".join(dump(source)), b"".join(dump(source))
    assert first == second
    lines = first.decode("utf-8").splitlines()
    assert lines[0].startswith(f'<{EX}s> <{EX}p> "in both" .')  # the default graph first
    assert "_:c14n0" in first.decode("utf-8")  # canonical blank node labels
    quads = list(ox.parse(first, ox.RdfFormat.N_QUADS))
    names = [q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "" for q in quads]
    assert names == sorted(names) and names[0] == "" and names[-1]  # graph by graph, in order


def test_cli_round_trip_and_refusals(source: OxigraphStore, tmp_path: Path) -> None:
    assert source.path is not None
    copy = tmp_path / "copy"
    restore_into = tmp_path / "restored"
    file = tmp_path / "backup.nq"
    file.write_bytes(b"".join(dump(source)))
    assert main(["restore", str(file), "--store", str(copy)]) == 0
    assert main(["dump", "--store", str(copy), "-o", str(tmp_path / "again.nq")]) == 0
    assert (tmp_path / "again.nq").read_bytes() == file.read_bytes()

    small = tmp_path / "small.nq"
    small.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n")
    assert main(["restore", str(small), "--store", str(restore_into)]) == 0
    assert main(["restore", str(file), "--store", str(restore_into)]) == 1  # holds data
    assert len(OxigraphStore.open(restore_into, read_only=True)) == 1
    broken = tmp_path / "broken.nq"
    broken.write_text(f"<{EX}a> <{EX}p> .\n")
    assert main(["restore", str(broken), "--store", str(restore_into), "--force"]) == 1
    assert len(OxigraphStore.open(restore_into, read_only=True)) == 1  # left as it was
    assert main(["restore", str(file), "--store", str(restore_into), "--force"]) == 0
    replaced = OxigraphStore.open(restore_into, read_only=True)
    assert len(replaced) == len(OxigraphStore.open(copy, read_only=True))
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no staging or replaced folder left behind


def test_restore_refuses_a_store_in_use(tmp_path: Path) -> None:
    settings = reference_settings(
        tmp_path / "data",
        store=tmp_path / "store",
        write_token="dump-test-token-0123456789",
        query_workers=1,
    )
    file = tmp_path / "backup.nq"
    file.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n")
    with TestClient(create_app(settings)):
        with pytest.raises(RestoreRefused, match="in use"):
            restore(file, tmp_path / "store", force=True)
        # a server that takes writes has it open: no read-only view of a store being written
        assert main(["dump", "--store", str(tmp_path / "store")]) == 1
