"""Names for things: the reader's language, a label for any IRI, and safe SPARQL terms.

Language: `choose_lang` takes `?lang=` or an Accept-Language header and answers "th" or "en";
`pick` chooses among a term's labels in the order asked-for language, th, en, untagged, any.

Labels: `labels_of(engine, iris)` reads skos:prefLabel, rdfs:label, foaf:name and (for
source documents) dcterms:title, in that order of preference, in every language, with a
built-in table for the reused W3C/schema.org terms the ontology does not label; `local_name`
is the readable fallback for an IRI without any label.

IRIs: `sparql_iri` validates an IRI and writes it as a SPARQL term, so no caller pastes text
into a query; `kind_and_id` reads `https://w3id.org/phakhi/id/<kind>/<id>`.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Literal, get_args
from urllib.parse import unquote

import pyoxigraph as ox

from phakhi.graph.compiler import CLASSES
from phakhi.graph.namespaces import (
    BASE,
    DCTERMS,
    FOAF,
    ORG,
    PHK,
    PROV,
    RDF,
    RDFS,
    SCHEMA_FUNDING,
    SDO,
    SKOS,
    WGS84,
)
from phakhi.graph.store import Engine

Lang = Literal["th", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "th"

# -- language choice ---------------------------------------------------------------------


def accepted_languages(header: str | None) -> list[str]:
    """Primary language tags of an Accept-Language header, most wanted first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary and quality > 0:
            ranked.append((-quality, index, primary))
    return [tag for _, _, tag in sorted(ranked)]


def choose_lang(requested: str | None, accept_language: str | None = None) -> Lang:
    """`?lang=` wins; then the first supported language of Accept-Language; then Thai."""
    for tag in [requested or "", *accepted_languages(accept_language)]:
        for lang in LANGUAGES:
            if tag.lower() == lang:
                return lang
    return DEFAULT_LANG


def fallback_order(lang: str) -> list[str]:
    """The languages to try for a label: the one asked for, th, en, then untagged."""
    order = [lang, *LANGUAGES, ""]
    return list(dict.fromkeys(order))


def pick(texts: Mapping[str, str], lang: str) -> str | None:
    """The text in `lang`, falling back th → en → untagged → any (by language tag)."""
    for tag in fallback_order(lang):
        if texts.get(tag):
            return texts[tag]
    for tag in sorted(texts):
        if texts[tag]:
            return texts[tag]
    return None


# -- IRIs ----------------------------------------------------------------------------------

ID_BASE = BASE + "id/"
# kinds whose IRIs are not entities of CLASSES but may still be described
EXTRA_KINDS = ("source", "membership", "participation")
ENTITY_KINDS: tuple[str, ...] = tuple(CLASSES)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def sparql_iri(iri: str) -> str:
    """`<iri>` for a SPARQL query; ValueError when iri is not a valid absolute IRI."""
    return str(ox.NamedNode(iri))


def sparql_values(variable: str, iris: Iterable[str]) -> str:
    """A VALUES clause binding ?variable to each (validated) IRI."""
    terms = " ".join(sparql_iri(iri) for iri in sorted(set(iris)))
    return f"VALUES ?{variable} {{ {terms} }}"


def entity_iri(kind: str, ident: str) -> str:
    """The IRI of kind/id; ValueError unless the kind is known and the id well-formed."""
    if kind not in ENTITY_KINDS and kind not in EXTRA_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if not _ID.match(ident):
        raise ValueError(f"{ident!r} is not an id")
    return f"{ID_BASE}{kind}/{ident}"


def kind_and_id(iri: str) -> tuple[str, str] | None:
    """(kind, id) of a Phakhi IRI (entities, sources, memberships, …); None for others."""
    if not iri.startswith(ID_BASE):
        return None
    kind, _, ident = iri[len(ID_BASE) :].partition("/")
    if not ident or "/" in ident:
        return None
    return kind, ident


def entity_kind(iri: str) -> str | None:
    """The kind of an entity IRI (one of compiler.CLASSES); None for anything else."""
    found = kind_and_id(iri)
    return found[0] if found and found[0] in CLASSES else None


def local_name(iri: str) -> str:
    """A readable stand-in for a label: the part after the last '#' or '/'."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return unquote(tail) or iri


# -- querying ------------------------------------------------------------------------------

PREFIXES = f"""\
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX foaf: <{FOAF}>
PREFIX org: <{ORG}>
PREFIX prov: <{PROV}>
PREFIX dcterms: <{DCTERMS}>
PREFIX schema: <{SDO}>
PREFIX phk: <{PHK._NS}>
"""

Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]


def select(engine: Engine, sparql: str) -> list[Row]:
    """Run a SELECT (PREFIXES are prepended) and return its rows as dicts of bound terms."""
    return list(stream(engine, sparql))


def stream(engine: Engine, sparql: str) -> Iterator[Row]:
    """select's rows one at a time, as the engine produces them: for large results read
    once (index builds), which need not hold every row in memory at the same time."""
    result = engine.query(PREFIXES + sparql)
    assert isinstance(result, ox.QuerySolutions), "select() runs SELECT queries"
    names = [variable.value for variable in result.variables]
    for solution in result:
        row: Row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term
        yield row


def value(row: Row, name: str) -> str | None:
    """The lexical value of a bound variable (IRI string or literal text)."""
    term = row.get(name)
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    return None


# -- labels --------------------------------------------------------------------------------

# Most preferred first. dcterms:title names source documents.
LABEL_PREDICATES: tuple[str, ...] = (
    str(SKOS.prefLabel),
    str(RDFS.label),
    str(FOAF.name),
    str(DCTERMS.title),
)

# Reused terms the ontology does not redefine (and so does not label).
BUILTIN_LABELS: dict[str, dict[str, str]] = {
    str(iri): {"th": th, "en": en}
    for iri, th, en in [
        (RDF.type, "ประเภท", "type"),
        (RDFS.label, "ชื่อ", "label"),
        (RDFS.comment, "คำอธิบาย", "description"),
        (SKOS.prefLabel, "ชื่อหลัก", "preferred label"),
        (SKOS.altLabel, "ชื่ออื่น", "alternative label"),
        (SKOS.definition, "นิยาม", "definition"),
        (SKOS.inScheme, "อยู่ในชุดคำศัพท์", "in scheme"),
        (SKOS.broader, "อยู่ภายใต้", "broader"),
        (SKOS.Concept, "แนวคิด", "Concept"),
        (FOAF.name, "ชื่อบุคคล", "name"),
        (FOAF.Person, "บุคคล", "Person"),
        (ORG.subOrganizationOf, "เป็นส่วนหนึ่งของ", "part of"),
        (ORG.member, "สมาชิก", "member"),
        (ORG.organization, "องค์กร", "organisation"),
        (ORG.role, "ตำแหน่ง", "role"),
        (ORG.Membership, "การเป็นสมาชิก", "Membership"),
        (ORG.FormalOrganization, "องค์กรที่เป็นทางการ", "Formal organisation"),
        (ORG.OrganizationalUnit, "หน่วยงานย่อย", "Organisational unit"),
        (ORG.Role, "ตำแหน่ง", "Role"),
        (SDO.honorificPrefix, "คำนำหน้าชื่อ", "honorific"),
        (SDO.startDate, "วันที่เริ่ม", "start date"),
        (SDO.endDate, "วันที่สิ้นสุด", "end date"),
        (SDO.location, "สถานที่จัด", "location"),
        (SDO.organizer, "ผู้จัด", "organizer"),
        (SDO.about, "เกี่ยวกับ", "about"),
        (SDO.containedInPlace, "ตั้งอยู่ใน", "contained in"),
        (SDO.funder, "ผู้ให้ทุน", "funder"),
        (SCHEMA_FUNDING, "ทุน", "funding"),
        (SDO.position, "ลำดับที่", "position"),
        (SDO.Place, "สถานที่", "Place"),
        (SDO.Grant, "ทุน", "Grant"),
        (DCTERMS.title, "ชื่อเรื่อง", "title"),
        (DCTERMS.publisher, "ผู้เผยแพร่", "publisher"),
        (DCTERMS.date, "วันที่เผยแพร่", "date"),
        (DCTERMS.language, "ภาษา", "language"),
        (WGS84.lat, "ละติจูด", "latitude"),
        (WGS84.long, "ลองจิจูด", "longitude"),
        (PROV.wasDerivedFrom, "มาจาก", "derived from"),
    ]
}

Labels = dict[str, dict[str, str]]
"""IRI → language tag ("" when untagged) → label."""


def labels_of(engine: Engine, iris: Iterable[str]) -> Labels:
    """Every label of each IRI, one per language, by LABEL_PREDICATES preference."""
    wanted = sorted({iri for iri in iris if _is_iri(iri)})
    found: Labels = {iri: dict(BUILTIN_LABELS.get(iri, {})) for iri in wanted}
    if not wanted:
        return found
    rank: dict[tuple[str, str], int] = {}
    for chunk in _chunks(wanted, 200):
        # One VALUES of (subject, predicate) pairs: with two separate VALUES, Oxigraph joins
        # ?s ?p ?label to the predicates first and scans every label (~60 ms at 1M triples)
        pairs = " ".join(
            f"({sparql_iri(s)} {sparql_iri(p)})" for s in chunk for p in LABEL_PREDICATES
        )
        rows = select(
            engine,
            f"""SELECT DISTINCT ?s ?p ?label WHERE {{
                VALUES (?s ?p) {{ {pairs} }}
                ?s ?p ?label . FILTER(isLiteral(?label))
            }}""",
        )
        for row in rows:
            _keep(found, rank, row)
    return found


def all_labels(engine: Engine) -> Labels:
    """The labels of every IRI in the graph that has one (for indexes built at start-up)."""
    found: Labels = {}
    rank: dict[tuple[str, str], int] = {}
    rows = stream(
        engine,
        f"""SELECT DISTINCT ?s ?p ?label WHERE {{
            {sparql_values("p", LABEL_PREDICATES)}
            ?s ?p ?label . FILTER(isIRI(?s) && isLiteral(?label))
        }}""",
    )
    for row in rows:
        _keep(found, rank, row)
    for iri, texts in BUILTIN_LABELS.items():
        found.setdefault(iri, dict(texts))
    return found


def _keep(found: Labels, rank: dict[tuple[str, str], int], row: Row) -> None:
    label = row["label"]
    assert isinstance(label, ox.Literal)
    subject, predicate = value(row, "s") or "", value(row, "p") or ""
    lang = label.language or ""
    order = LABEL_PREDICATES.index(predicate)
    key = (subject, lang)
    text = label.value.strip()
    if key not in rank or (order, text) < (rank[key], found[subject][lang]):
        rank[key] = order
        found.setdefault(subject, {})[lang] = text


def label_for(labels: Labels, iri: str, lang: str) -> str:
    """The label of iri in lang (with fallback), or its local name when it has none."""
    return pick(labels.get(iri, {}), lang) or local_name(iri)


def _is_iri(iri: str) -> bool:
    try:
        sparql_iri(iri)
    except ValueError:
        return False
    return True


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- sorting -------------------------------------------------------------------------------

_LEADING_VOWELS = "เแโใไ"
_TONES_AND_MARKS = re.compile("[\u0e47-\u0e4e]")


def collation_key(text: str) -> tuple[str, str]:
    """Sort key close to Thai dictionary order (leading vowels after their consonant, tone
    marks as tie-breakers); other scripts sort case-insensitively."""
    folded = unicodedata.normalize("NFC", text).casefold()
    swapped = re.sub(f"([{_LEADING_VOWELS}])([\u0e01-\u0e2e])", r"\2\1", folded)
    return _TONES_AND_MARKS.sub("", swapped), folded
