"""Writes to a remote store, with the interface of graph.writes.Writer (the routes use either).

A write is sent to the store, then a new dataset version is stamped into it (graph.remote), so
every replica in front of the store sees the change: its next version check finds the new
version, its result cache stops answering from the old one, and its indexes are rebuilt.
Unlike the embedded store's, a Graph Store replacement of a large graph is several requests
(chunks): a reader may see it half done, and a failure may leave it half done (send it again).
"""

import threading
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from phakhi.graph.remote import RemoteStore
from phakhi.graph.writes import GraphTarget, Written

NOT_DEFAULT = (
    "a remote store's default graph is not part of the dataset (its named graphs are): "
    "write to a named graph (?graph=IRI)"
)


class RemoteWriter:
    def __init__(self, store: RemoteStore) -> None:
        self.store = store
        self._lock = threading.Lock()

    def listen(self, listener: Callable[[str], None]) -> None:
        """listener(new version), after each write (and after a write through a replica)."""
        self.store.listen(listener)

    def update(self, sparql: str, *, base_iri: str | None = None) -> Written:
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        with self._lock:
            self.store.update(text)
            return Written(self.store.stamp())

    def replace_graph(self, graph: GraphTarget, triples: Iterable[ox.Triple]) -> Written:
        return self._send(graph, triples, self.store.put_graph)

    def add_to_graph(self, graph: GraphTarget, triples: Iterable[ox.Triple]) -> Written:
        return self._send(graph, triples, self.store.post_graph)

    def _send(
        self,
        graph: GraphTarget,
        triples: Iterable[ox.Triple],
        send: Callable[[str, bytes], None],
    ) -> Written:
        name = _named(graph, self.store)
        with self._lock:
            created = not self.store.exists(name)
            send(name, _ntriples(triples))
            return Written(self.store.stamp(), created)

    def drop_graph(self, graph: GraphTarget) -> Written | None:
        name = _named(graph, self.store)
        with self._lock:
            if not self.store.exists(name):
                return None
            self.store.update(f"DROP SILENT GRAPH <{name}>")  # Virtuoso: never CREATEd
            return Written(self.store.stamp())

    def exists(self, graph: GraphTarget) -> bool:
        return isinstance(graph, ox.NamedNode) and self.store.exists(graph.value)


def _named(graph: GraphTarget, store: RemoteStore) -> str:
    """The graph's IRI: a named graph of the dataset (not the store's other graphs, nor the
    meta graph that holds the version)."""
    if not isinstance(graph, ox.NamedNode):
        raise ValueError(NOT_DEFAULT)
    if not store.is_ours(graph.value):
        prefixes = ", ".join(store.graph_prefixes)
        raise ValueError(f"{graph.value} is not a graph of the dataset (it starts with {prefixes})")
    return graph.value


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
