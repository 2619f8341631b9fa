"""A small LRU cache of /sparql answers, keyed by everything that decides the answer.

The key is the query text, the protocol's default and named graphs, what the client asked for
(format= values and the Accept header: the negotiated media type follows from them) and the
dataset version (graph.store.OxigraphStore.version), so a write, which bumps the version, makes
every older entry unreachable (they age out of the LRU). Only answers are kept, never refusals.
The /sparql route uses it on the event loop; the lock keeps it safe from any other thread.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CacheKey:
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]
    accept: str
    version: str


@dataclass(frozen=True)
class CachedAnswer:
    media_type: str
    body: bytes


class ResultCache:
    """At most `entries` answers, none larger than `max_bytes`; least recently used go first."""

    def __init__(self, entries: int, max_bytes: int = 1_000_000) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict[CacheKey, CachedAnswer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: CacheKey) -> CachedAnswer | None:
        if self.entries <= 0:
            return None
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: CacheKey, answer: CachedAnswer) -> None:
        if self.entries <= 0 or len(answer.body) > self.max_bytes:
            return
        with self._lock:
            self._items[key] = answer
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
