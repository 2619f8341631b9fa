"""NetworkGraph exports: GraphML and GEXF re-read by networkx, CSV for spreadsheets, same bytes."""

import csv
import io
import random
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from phakhi.graph import export
from phakhi.graph.export import NetworkGraph
from phakhi.graph.store import OxigraphStore

CODI = "https://w3id.org/phakhi/id/agency/codi"
PROVINCE = "https://w3id.org/phakhi/id/province/TH-76"


@pytest.fixture(scope="module")
def network(engine: OxigraphStore) -> NetworkGraph:
    return export.network(engine)


def save(chunks: Any, path: Path) -> Path:
    path.write_bytes(b"".join(chunks))
    return path


def nodes(graph: Any) -> dict[str, dict[str, Any]]:
    return {node: dict(data) for node, data in graph.nodes(data=True)}


def edges(graph: Any, drop: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    return sorted(
        (u, v, k, {name: value for name, value in data.items() if name not in drop})
        for u, v, k, data in graph.edges(keys=True, data=True)
    )  # fmt: skip


def shuffled(graph: NetworkGraph) -> NetworkGraph:
    """The same graph built in another order, with attributes in another order."""
    rng = random.Random(7)
    copy = NetworkGraph(**graph.graph)
    items = list(graph.nodes(data=True))
    rng.shuffle(items)
    for node, data in items:
        copy.add_node(node, **dict(reversed(list(data.items()))))
    links = list(graph.edges(keys=True, data=True))
    rng.shuffle(links)
    for u, v, k, data in links:
        copy.add_edge(u, v, key=k, **dict(reversed(list(data.items()))))
    return copy


def test_projection_has_what_gephi_needs(network: NetworkGraph) -> None:
    assert network.number_of_nodes() > 50 and network.number_of_edges() > 50
    codi = network.nodes[CODI]
    assert codi["kind"] == "agency" and codi["label_th"] and codi["label_en"]


def test_graphml_round_trip(network: NetworkGraph, tmp_path: Path) -> None:
    path = save(export.graphml(network), tmp_path / "n.graphml")
    read = nx.read_graphml(path, force_multigraph=True)
    clean = export.portable(network)
    assert set(read.nodes) == set(network.nodes)
    assert nodes(read) == nodes(clean)
    assert edges(read) == edges(clean)
    assert len(edges(read)) == network.number_of_edges()
    # labels th/en, kind, sources as attributes; types kept; structured ones dropped
    assert read.nodes[CODI]["label_en"].startswith("Community Organizations")
    assert isinstance(read.nodes[PROVINCE]["lat"], float)
    attributes = {name for *_, data in edges(read) for name in data}
    assert {"sources", "label_th", "label_en", "predicate", "inferred"} <= attributes
    assert "evidence" not in attributes
    assert all(isinstance(data["inferred"], bool) for *_, data in edges(read))


def test_gexf_round_trip(network: NetworkGraph, tmp_path: Path) -> None:
    path = save(export.gexf(network), tmp_path / "n.gexf")
    read = nx.read_gexf(path)
    clean = export.gexf_ready(network)
    assert set(read.nodes) == set(network.nodes)
    assert nodes(read) == nodes(clean)
    assert edges(read, drop=("id",)) == edges(clean)
    assert read.nodes[CODI]["entity_id"] == "codi"  # GEXF keeps `id` for itself
    assert read.nodes[CODI]["label"] == network.nodes[CODI]["label"]
    assert b"lastmodifieddate" not in path.read_bytes()


@pytest.mark.parametrize("write", [export.graphml, export.gexf, export.nodes_csv, export.edges_csv])
def test_same_network_same_bytes(network: NetworkGraph, write: Any) -> None:
    first = b"".join(write(network))
    assert first == b"".join(write(network)) == b"".join(write(shuffled(network)))


def test_csv_for_spreadsheets(network: NetworkGraph) -> None:
    raw_nodes = b"".join(export.nodes_csv(network))
    raw_edges = b"".join(export.edges_csv(network))
    assert raw_nodes.startswith(b"\xef\xbb\xbf") and raw_edges.startswith(b"\xef\xbb\xbf")
    node_rows = list(csv.DictReader(io.StringIO(raw_nodes.decode("utf-8-sig"))))
    edge_rows = list(csv.DictReader(io.StringIO(raw_edges.decode("utf-8-sig"))))
    assert len(node_rows) == network.number_of_nodes()
    assert len(edge_rows) == network.number_of_edges()
    assert list(node_rows[0])[:5] == ["Id", "Label", "kind", "label_th", "label_en"]
    assert list(edge_rows[0])[:5] == ["Source", "Target", "Type", "Key", "Label"]
    codi = next(row for row in node_rows if row["Id"] == CODI)
    assert codi["label_th"] == network.nodes[CODI]["label_th"]  # Thai intact
    assert {(r["Source"], r["Target"], r["Key"]) for r in edge_rows} == {
        (u, v, k) for u, v, k in network.edges(keys=True)
    }
    assert "evidence" not in edge_rows[0] and "sources" in edge_rows[0]
    assert not b"".join(export.nodes_csv(network, bom=False)).startswith(b"\xef\xbb\xbf")


def test_portable_flattens_attributes() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", labels={"th": "ก", "en": "a"}, tags=["x", "y"], none=None, n=1)
    graph.add_node("b", n="two", records=[{"source": "s"}], empty=[])
    graph.add_edge("a", "b", key="k", weight=1.5, flag=True)
    clean = export.portable(graph)
    assert clean.nodes["a"] == {"labels_en": "a", "labels_th": "ก", "n": "1", "tags": "x | y"}
    assert clean.nodes["b"] == {"n": "two"}  # mixed types become strings; records dropped
    ready = export.gexf_ready(graph)
    assert ready.edges["a", "b", "k"] == {"flag": True, "weight_attr": 1.5}
    assert ready.nodes["a"]["label"] == "a"  # GEXF shows a label: the node id by default


def test_run_export_network_files(engine: OxigraphStore, tmp_path: Path) -> None:
    export.run_export(engine, "csv", tmp_path / "csv")
    assert (tmp_path / "csv" / "nodes.csv").read_bytes().startswith(b"\xef\xbb\xbfId,Label")
    assert (tmp_path / "csv" / "edges.csv").is_file()
    export.run_export(engine, "graphml", tmp_path / "n.graphml")
    assert nx.read_graphml(tmp_path / "n.graphml").number_of_nodes() > 50
    with pytest.raises(ValueError):
        export.run_export(engine, "csv", None)
