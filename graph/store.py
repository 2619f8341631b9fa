"""The query engine behind Phakhi: a small interface, with embedded Oxigraph as its default."""

from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class Engine(Protocol):
    """What the API needs of a store; a remote SPARQL store can stand in for Oxigraph."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult: ...

    def graphs(self) -> list[str]: ...

    def __len__(self) -> int: ...


class OxigraphStore:
    """pyoxigraph in memory (path=None) or on disk; the default graph is the union of all."""

    def __init__(self, path: Path | None = None) -> None:
        self.store = ox.Store(str(path)) if path is not None else ox.Store()

    def load(self, data: bytes | str, format: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        self.store.load(data, format=format)

    def load_file(self, path: Path, format: ox.RdfFormat | None = None) -> None:
        self.store.load(
            path=str(path), format=format or ox.RdfFormat.from_extension(path.suffix[1:])
        )

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        if default_graphs is None:
            return self.store.query(
                sparql,
                use_default_graph_as_union=True,
                named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
            )
        return self.store.query(
            sparql,
            default_graph=[ox.NamedNode(g) for g in default_graphs],
            named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
        )

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.store)
