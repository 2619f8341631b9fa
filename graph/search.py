"""Thai-aware name search over the entities' labels, built once at start-up.

Every rdfs:label, skos:prefLabel, skos:altLabel and foaf:name of an entity (not evidence,
sources or ontology terms) is normalised (`normalize`: NFC, zero-width characters removed,
Thai digits to Arabic, repeated Thai vowels and tone marks collapsed, case-folded), reduced to
a key (punctuation dropped) and segmented with pythainlp's newmm, whose dictionary is Thai
words plus the graph's own names. Queries get the same treatment, with honorifics (นาย, นพ.,
ศ.ดร., Dr, Prof, …) stripped as a second reading. A name matches, best first:

    exact (100)  >  prefix (80–90)  >  token (60–70)  >  substring (40–50)  >  fuzzy (≤30)

Each entity is ranked by its best matching name; ties are broken by label, then IRI.
"""

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from pythainlp.corpus import thai_words
from pythainlp.tokenize import word_tokenize
from pythainlp.util import Trie

from phakhi.graph.labels import (
    ID_BASE,
    Labels,
    all_labels,
    collation_key,
    entity_kind,
    kind_and_id,
    label_for,
    select,
    sparql_values,
    value,
)
from phakhi.graph.namespaces import FOAF, RDFS, SKOS
from phakhi.graph.store import Engine

FUZZY_NAME = 0.8  # least difflib ratio for a fuzzy match of a whole name
FUZZY_WORD = 0.85  # … and of one word of it
DIRECT_SCAN = 5_000  # up to this many names, a search scores every name; past it, candidates
NAME_PREDICATES = (str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel), str(FOAF.name))

# -- normalisation -------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Thai vowels, tone marks and other signs that never legitimately repeat (not ๆ, U+0E46)
_REPEATED_MARKS = re.compile(r"([\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e])\1+")
_DROPPED = re.compile(r"[.'’‘`]")
_PUNCTUATION = re.compile(r"[^\w\s\u0e00-\u0e7f]|_")

THAI_HONORIFICS = (
    "ศาสตราจารย์เกียรติคุณ",
    "ศาสตราจารย์กิตติคุณ",
    "ผู้ช่วยศาสตราจารย์",
    "รองศาสตราจารย์",
    "รองศาตราจารย์",
    "ศาสตราจารย์",
    "ศาตราจารย์",
    "ศ.กิตติคุณ",
    "ว่าที่ร้อยตรี",
    "ว่าที่ ร.ต.",
    "ศ.ดร.",
    "รศ.ดร.",
    "ผศ.ดร.",
    "ศ.นพ.",
    "รศ.นพ.",
    "ผศ.นพ.",
    "นางสาว",
    "น.ส.",
    "นาย",
    "นาง",
    "นพ.",
    "พญ.",
    "ทพ.",
    "ทพญ.",
    "ภก.",
    "ภญ.",
    "ดร.",
    "ศ.",
    "รศ.",
    "ผศ.",
)
ENGLISH_HONORIFICS = (
    "associate professor",
    "assistant professor",
    "emeritus professor",
    "professor",
    "prof",
    "assoc",
    "asst",
    "mrs",
    "mr",
    "ms",
    "miss",
    "dr",
    "sir",
    "khun",
)
_THAI_HONORIFIC = re.compile(
    "^(?:"
    + "|".join(re.escape(h) for h in sorted(THAI_HONORIFICS, key=len, reverse=True))
    + r")\s*"
)
_ENGLISH_HONORIFIC = re.compile(
    "^(?:" + "|".join(re.escape(h) for h in ENGLISH_HONORIFICS) + r")(?:\.\s*|\s+)"
)


def normalize(text: str) -> str:
    """NFC, no zero-width characters, Arabic digits, no repeated Thai marks, case-folded,
    single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).translate(_THAI_DIGITS)
    text = _REPEATED_MARKS.sub(r"\1", text.replace("เเ", "แ"))
    return " ".join(text.casefold().split())


def strip_honorifics(text: str) -> str:
    """Leading honorifics removed from normalised text (repeatedly: ศ.กิตติคุณ นพ.…)."""
    while True:
        for pattern in (_THAI_HONORIFIC, _ENGLISH_HONORIFIC):
            stripped = pattern.sub("", text, count=1)
            if stripped != text and stripped.strip():
                text = stripped.strip()
                break
        else:
            return text


def key(text: str) -> str:
    """The matching form of normalised text: dots and apostrophes dropped, other
    punctuation as spaces."""
    return " ".join(_PUNCTUATION.sub(" ", _DROPPED.sub("", text)).split())


# -- the tokenizer's dictionary ------------------------------------------------------------


class WordList(Trie):
    """A stand-in for pythainlp's Trie over sorted word lists, for newmm (which only calls
    `prefixes`). pythainlp's Trie is a Python object per character: ~63 MiB for its 62,000
    Thai words, and a second copy for the graph's names; sorted lists take ~7 MiB, and the
    list of Thai words is shared by every WordList."""

    def __init__(self, *layers: list[str]) -> None:  # no super().__init__: no nodes
        # each sorted, without surrounding spaces; no word in two layers
        self.layers = layers
        self.size = sum(len(words) for words in layers)  # newmm asks it on every call

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        """The words that text has at start, shortest first (as Trie.prefixes)."""
        found = [word for words in self.layers for word in _prefixes(words, text, start)]
        return sorted(found, key=len) if len(self.layers) > 1 else found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and any(_has(words, word) for words in self.layers)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(word for words in self.layers for word in words))

    def __len__(self) -> int:
        return self.size

    def add(self, word: str) -> None:
        raise TypeError("a WordList is read-only")

    def remove(self, word: str) -> None:
        raise TypeError("a WordList is read-only")


def _prefixes(words: list[str], text: str, start: int) -> list[str]:
    found: list[str] = []
    low = 0
    for end in range(start + 1, len(text) + 1):
        part = text[start:end]
        low = bisect_left(words, part, low)  # a longer part sorts after: low only grows
        if low == len(words) or not words[low].startswith(part):
            break
        if words[low] == part:
            found.append(part)
    return found


def _has(words: list[str], word: str) -> bool:
    index = bisect_left(words, word)
    return index < len(words) and words[index] == word


def word_list(words: Iterable[str]) -> list[str]:
    return sorted({word.strip() for word in words} - {""})


@cache
def thai_dictionary() -> WordList:
    """pythainlp's Thai words (its newmm default dictionary), as a shared WordList."""
    return WordList(word_list(thai_words()))


def with_names(names: Iterable[str]) -> WordList:
    """The Thai words plus names (the part of them not already Thai words)."""
    base = thai_dictionary().layers[0]
    return WordList(base, [word for word in word_list(names) if not _has(base, word)])


# -- the index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    id: str
    label: str
    matched: str
    match: str
    score: float


@dataclass(frozen=True)
class _Name:
    iri: str
    kind: str
    text: str
    key: str
    compact: str
    chunks: tuple[str, ...]
    tokens: frozenset[str]


@dataclass(frozen=True)
class _Query:
    key: str
    compact: str
    tokens: tuple[str, ...]
    penalty: float


class SearchIndex:
    """Names of every entity, normalised and segmented; `search` ranks them for a query."""

    def __init__(self, names: Iterable[tuple[str, str]], labels: Labels) -> None:
        """names: (entity IRI, name as written); labels: for showing hits."""
        self.labels = labels
        readings = sorted({(iri, text, k) for iri, text in names for k in self._keys(iri, text)})
        self.trie: WordList = with_names(chunk for _, _, k in readings for chunk in k.split())
        self.names = [self._name(iri, text, k) for iri, text, k in readings]
        self._candidates = _Candidates(self.names) if len(self.names) > DIRECT_SCAN else None

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the tokenizer's dictionary (the shared Thai words): it is made
        again on the first search after loading (~70 ms at 1M triples, not at start-up)."""
        state = self.__dict__.copy()
        state.pop("trie", None)
        return state

    @property
    def dictionary(self) -> WordList:
        trie: WordList | None = self.__dict__.get("trie")
        if trie is None:  # unpickled; two threads may both build it, to the same effect
            trie = self.trie = with_names(chunk for name in self.names for chunk in name.chunks)
        return trie

    @classmethod
    def build(cls, engine: Engine) -> "SearchIndex":
        rows = select(
            engine,
            f"""SELECT DISTINCT ?s ?name WHERE {{
                {sparql_values("p", NAME_PREDICATES)}
                ?s ?p ?name . FILTER(isIRI(?s) && isLiteral(?name)
                                     && STRSTARTS(STR(?s), "{ID_BASE}"))
            }}""",
        )
        names = [
            (iri, text)
            for row in rows
            if (iri := value(row, "s")) and entity_kind(iri) and (text := value(row, "name"))
        ]
        labels = all_labels(engine)
        return cls(names, {iri: labels.get(iri, {}) for iri, _ in names})

    def __len__(self) -> int:
        return len({name.iri for name in self.names})

    @staticmethod
    def _keys(iri: str, text: str) -> set[str]:
        normal = normalize(text)
        keys = {key(normal)}
        if entity_kind(iri) == "person":
            keys.add(key(strip_honorifics(normal)))
        return {k for k in keys if k}

    def tokenize(self, text: str) -> list[str]:
        """Words of normalised text, with the graph's names in the dictionary."""
        words = word_tokenize(
            text, engine="newmm", custom_dict=self.dictionary, keep_whitespace=False
        )
        return [w for w in (w.strip() for w in words) if w]

    def _name(self, iri: str, text: str, k: str) -> _Name:
        chunks = tuple(k.split())
        tokens = {*self.tokenize(k), *chunks}
        plain = word_tokenize(
            k, engine="newmm", custom_dict=thai_dictionary(), keep_whitespace=False
        )
        tokens.update(t.strip() for t in plain)  # as segmented without the graph's names
        kind = entity_kind(iri) or ""
        return _Name(iri, kind, text, k, k.replace(" ", ""), chunks, frozenset(tokens - {""}))

    def _queries(self, text: str) -> list[_Query]:
        normal = normalize(text)
        readings = [(key(normal), 0.0), (key(strip_honorifics(normal)), 1.0)]
        queries: list[_Query] = []
        for k, penalty in readings:
            if k and all(q.key != k for q in queries):
                queries.append(_Query(k, k.replace(" ", ""), tuple(self.tokenize(k)), penalty))
        return queries

    def search(self, text: str, *, kind: str | None = None, lang: str = "th") -> list[Hit]:
        """Every entity with a name matching text, best first (see the module docstring)."""
        queries = self._queries(text)
        best: dict[str, tuple[float, str, str]] = {}
        names = self._candidates.find(queries) if self._candidates else self.names
        for name in names:
            if kind is not None and name.kind != kind:
                continue
            for query in queries:
                found = _score(query, name)
                if found is None:
                    continue
                score = round(found[0] - query.penalty, 3)
                current = best.get(name.iri)
                if current is None or (-score, name.text) < (-current[0], current[2]):
                    best[name.iri] = (score, found[1], name.text)
        hits = []
        for iri, (score, match, matched) in best.items():
            ident = (kind_and_id(iri) or ("", ""))[1]
            label = label_for(self.labels, iri, lang)
            hits.append(Hit(iri, entity_kind(iri) or "", ident, label, matched, match, score))
        hits.sort(key=lambda h: (-h.score, collation_key(h.label), h.iri))
        return hits


class _Candidates:
    """Finds, without scoring every name, a superset of the names _score can match.

    Exact, prefix, substring and token matches all contain the query's compact form, or each
    of its tokens, in the name's compact form: found with str.find over all compact forms joined.
    A fuzzy match needs at least threshold * (len(a) + len(b)) / 2 characters in common, so each
    query character absent from the name lowers that bound: names are kept whose character
    bitmask (characters hashed to 128 bits; an absent bit is at least one absent character)
    leaves the bound reachable for the name or its shortest word."""

    SEPARATOR = "\x00"

    def __init__(self, names: list[_Name]) -> None:
        self.names = names
        self.text = self.SEPARATOR.join(name.compact for name in names)
        self.starts: list[int] = []
        position = 0
        for name in names:
            self.starts.append(position)
            position += len(name.compact) + 1
        self.masks = [_mask(name.compact) for name in names]
        self.shortest = [
            min([len(name.compact), *(len(chunk) for chunk in name.chunks)]) for name in names
        ]

    def containing(self, part: str) -> set[int]:
        found: set[int] = set()
        if not part:
            return found
        position = self.text.find(part)
        while position >= 0:
            found.add(bisect_right(self.starts, position) - 1)
            position = self.text.find(part, position + 1)
        return found

    def find(self, queries: list[_Query]) -> list[_Name]:
        chosen: set[int] = set()
        for query in queries:
            chosen |= self.containing(query.compact)
            if query.tokens:
                chosen |= self.containing(max(query.tokens, key=len))
            if len(query.compact) >= 3:
                chosen |= self._fuzzy(query.compact)
        return [self.names[index] for index in sorted(chosen)]

    def _fuzzy(self, compact: str) -> set[int]:
        wanted, length = _mask(compact), len(compact)
        threshold = min(FUZZY_NAME, FUZZY_WORD)
        return {
            index
            for index, (mask, shortest) in enumerate(zip(self.masks, self.shortest, strict=True))
            if 2.0 * (length - (wanted & ~mask).bit_count()) >= threshold * (length + shortest)
        }


def _mask(text: str) -> int:
    mask = 0
    for char in set(text):
        mask |= 1 << (ord(char) % 127)
    return mask


def _score(query: _Query, name: _Name) -> tuple[float, str] | None:
    q, n = query.key, name.key
    if q == n or query.compact == name.compact:
        return 100.0, "exact"
    if n.startswith(q) or name.compact.startswith(query.compact):
        return 80 + 10 * len(query.compact) / len(name.compact), "prefix"
    if query.tokens and all(_token_matches(t, name.tokens) for t in query.tokens):
        covered = sum(len(t) for t in query.tokens)
        return 60 + 10 * min(1.0, covered / len(name.compact)), "token"
    if query.compact in name.compact:
        return 40 + 10 * len(query.compact) / len(name.compact), "substring"
    if len(query.compact) >= 3:
        ratio = max(
            _ratio(query.compact, name.compact, FUZZY_NAME),
            *(_ratio(query.compact, chunk, FUZZY_WORD) for chunk in name.chunks),
        )
        if ratio:
            return 30 * ratio, "fuzzy"
    return None


def _token_matches(token: str, tokens: frozenset[str]) -> bool:
    if token in tokens:
        return True
    return len(token) >= 2 and any(t.startswith(token) for t in tokens)


@lru_cache(maxsize=64)
def _char_counts(text: str) -> tuple[tuple[str, int], ...]:
    return tuple(Counter(text).items())


def _ratio(a: str, b: str, threshold: float) -> float:
    """difflib's ratio when at least threshold, else 0.

    Two bounds that need no SequenceMatcher come first (building one indexes b, the costly
    part on a large index): real_quick_ratio's, from the lengths alone, and a looser
    quick_ratio counting a's characters that occur in b at all."""
    total = len(a) + len(b)
    if 2.0 * min(len(a), len(b)) < threshold * total:
        return 0.0
    present = set(b)
    if 2.0 * sum(n for char, n in _char_counts(a) if char in present) < threshold * total:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() < threshold:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= threshold else 0.0
