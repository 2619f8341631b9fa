"""What the graph says about one entity: labels, types, every statement with its evidence,
and the n-ary nodes (memberships, participations, commitments, mechanisms) it takes part in,
summarised as readable sentences.

`describe(engine, iri, lang)` answers a `Description`; `read_evidence` and `read_nary` are the
two readers the network projection (graph/network.py) shares with it.
"""

import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import pyoxigraph as ox

from phakhi.graph.labels import (
    LANGUAGES,
    Labels,
    Row,
    collation_key,
    kind_and_id,
    label_for,
    labels_of,
    pick,
    select,
    sparql_iri,
    sparql_values,
    stream,
    value,
)
from phakhi.graph.namespaces import ORG, PHK, RDF, RDFS, SDO, SKOS
from phakhi.graph.store import Engine

Triple = tuple[str, str, str]

# -- the description ---------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """Any IRI with its label in the chosen language; kind and id for Phakhi IRIs."""

    iri: str
    label: str
    kind: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Value:
    """A literal: its text, datatype (None for language-tagged text) and language."""

    value: str
    datatype: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Evidence:
    """The source passage behind one triple."""

    source: Ref
    quotes: tuple[str, ...]
    line: int | None
    inferred: bool
    source_date: str | None = None  # the source's dcterms:date (ISO), None when undated


@dataclass(frozen=True)
class Statement:
    """One triple touching the entity; direction "out" when the entity is its subject."""

    direction: Literal["out", "in"]
    subject: Ref
    predicate: Ref
    object: Ref | Value
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Involvement:
    """An n-ary node the entity takes part in, e.g. a membership, read as a sentence."""

    node: Ref
    type: str
    part: str
    text: str
    parts: dict[str, tuple[Ref, ...]]
    date: str | None
    evidence: tuple[Evidence, ...]
    end: str | None = None  # schema:endDate, when the source states one


@dataclass(frozen=True)
class Description:
    iri: str
    kind: str | None
    id: str | None
    lang: str
    label: str
    labels: dict[str, str]
    alt_labels: dict[str, list[str]]
    description: str | None
    descriptions: dict[str, str]
    types: tuple[Ref, ...]
    statements: tuple[Statement, ...]
    involvements: tuple[Involvement, ...] = field(default=())
    as_of: str | None = None  # set by graph.timeline.describe_as_of: the day it is shown as of


def make_ref(labels: Labels, iri: str, lang: str) -> Ref:
    kind, ident = kind_and_id(iri) or (None, None)
    return Ref(iri, label_for(labels, iri, lang), kind, ident)


def make_value(term: ox.Literal) -> Value:
    if term.language:
        return Value(term.value, None, term.language)
    return Value(term.value, term.datatype.value, None)


# -- evidence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRecord:
    """Evidence before labelling: the source's IRI instead of a Ref."""

    source: str
    quotes: tuple[str, ...]
    line: int | None
    inferred: bool
    source_date: str | None = None  # the source's dcterms:date (ISO), None when undated

    def labelled(self, labels: Labels, lang: str) -> Evidence:
        return Evidence(
            make_ref(labels, self.source, lang),
            self.quotes,
            self.line,
            self.inferred,
            self.source_date,
        )


EvidenceIndex = dict[Triple, list[EvidenceRecord]]


def read_evidence(engine: Engine, touching: Iterable[str] | None = None) -> EvidenceIndex:
    """The evidence of every entity triple, or of those whose subject or object is in
    `touching`; each triple's records sorted by source, line and quotes."""
    body = """?ev rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?src .
              OPTIONAL { ?ev phk:quote ?quote } OPTIONAL { ?ev phk:line ?line }
              OPTIONAL { ?ev phk:inferred ?inferred } OPTIONAL { ?src dcterms:date ?sdate }"""
    nodes = sorted(set(touching)) if touching is not None else None
    if nodes is None:
        where = body
    elif not nodes:
        return {}
    else:
        where = f"""{{ {sparql_values("s", nodes)} ?ev rdf:subject ?s }}
                    UNION {{ {sparql_values("o", nodes)} ?ev rdf:object ?o }}
                    {body}"""
    variables = "?ev ?s ?p ?o ?src ?quote ?line ?inferred ?sdate"
    rows = stream(engine, f"SELECT DISTINCT {variables} WHERE {{ {where} }}")
    index: EvidenceIndex = defaultdict(list)
    for head, quotes, dates in _gather(rows).values():
        if head is None:
            continue
        triple, source, line, inferred = head
        first_date = min((d[:10] for d in dates), default=None)
        record = EvidenceRecord(source, tuple(sorted(set(quotes))), line, inferred, first_date)
        if record not in index[triple]:
            index[triple].append(record)
    for records in index.values():
        records.sort(key=lambda r: (r.source, r.line or 0, r.quotes))
    return dict(index)


_Head = tuple[Triple, str, int | None, bool]


def _gather(rows: Iterable[Row]) -> dict[str, tuple[_Head | None, list[str], list[str]]]:
    """The rows of each evidence node: the triple, source, line and inferred flag of its first
    row (None when its object is not an IRI), and the quotes and source dates of all of them.
    Kept as plain (interned) strings, not rows: a 1M-triple graph has ~100,000 of them."""
    found: dict[str, tuple[_Head | None, list[str], list[str]]] = {}
    for row in rows:
        node = value(row, "ev") or ""
        if node not in found:
            found[node] = (_head(row), [], [])
        _, quotes, dates = found[node]
        if (quote := value(row, "quote")) and quote not in quotes:
            quotes.append(quote)
        if (date := value(row, "sdate")) and date not in dates:
            dates.append(date)
    return found


def _head(row: Row) -> _Head | None:
    if not isinstance(row.get("o"), ox.NamedNode):
        return None
    s, p, o = (sys.intern(value(row, name) or "") for name in ("s", "p", "o"))
    line = value(row, "line")
    inferred = (value(row, "inferred") or "false").lower() in ("true", "1")
    return (s, p, o), sys.intern(value(row, "src") or ""), int(line) if line else None, inferred


def merge_evidence(records: Iterable[EvidenceRecord]) -> list[EvidenceRecord]:
    """Distinct records, in a stable order."""
    return sorted(set(records), key=lambda r: (r.source, r.line or 0, r.quotes, r.inferred))


# -- n-ary nodes ---------------------------------------------------------------------------

NARY_CLASSES: dict[str, str] = {
    str(ORG.Membership): "membership",
    str(PHK.Participation): "participation",
    str(PHK.Commitment): "commitment",
    str(PHK.SharedDirection): "direction",
    str(PHK.CivicMechanism): "mechanism",
}
OUT_PARTS: dict[str, str] = {
    str(ORG.member): "member",
    str(ORG.organization): "organization",
    str(ORG.role): "role",
    str(PHK.participant): "participant",
    str(PHK.onBehalfOf): "on_behalf_of",
    str(PHK.inEvent): "event",
    str(PHK.capacity): "capacity",
    str(PHK.committedBy): "by",
    str(PHK.madeAt): "at",
    str(PHK.aboutTheme): "theme",
    str(PHK.aboutMechanismType): "mechanism_type",
    str(SDO.about): "about",
    str(PHK.mechanismType): "mechanism_type",
    str(PHK.inProvince): "province",
    str(PHK.status): "status",
    str(PHK.ledBy): "led_by",
    str(PHK.worksOnTheme): "theme",
}
IN_PARTS: dict[str, str] = {str(PHK.promotes): "promoter"}
DATE_PARTS: dict[str, str] = {
    str(PHK.attestedOn): "date",
    str(SDO.startDate): "start",
    str(SDO.endDate): "end",
}
_SKIPPED = {str(RDF.type), str(SKOS.inScheme)}


@dataclass(frozen=True)
class Nary:
    """An n-ary node and its parts (part name → IRIs, sorted), with the predicate of each."""

    iri: str
    type: str
    parts: dict[str, tuple[str, ...]]
    predicates: dict[tuple[str, str], str]
    dates: dict[str, str]

    def triple(self, part: str, target: str) -> Triple:
        """The RDF triple linking this node and one of its parts (for its evidence)."""
        predicate = self.predicates[(part, target)]
        if part in IN_PARTS.values():
            return (target, predicate, self.iri)
        return (self.iri, predicate, target)


def read_nary(engine: Engine, about: str | None = None) -> list[Nary]:
    """Every n-ary node (NARY_CLASSES), or only `about` and those linked to it, by IRI."""
    found: dict[str, tuple[str, dict[str, set[str]], dict[tuple[str, str], str], dict[str, str]]]
    found = {}
    for row in stream(engine, _nary_query(about)):  # interned: the same IRIs recur a lot
        node = sys.intern(value(row, "node") or "")
        kind = NARY_CLASSES.get(value(row, "class") or "", "")
        predicate, term = sys.intern(value(row, "p") or ""), row.get("o")
        _, parts, predicates, dates = found.setdefault(node, (kind, defaultdict(set), {}, {}))
        if predicate in _SKIPPED:
            continue
        if isinstance(term, ox.Literal):
            if predicate in DATE_PARTS and value(row, "dir") == "out":
                dates[DATE_PARTS[predicate]] = term.value
            continue
        if not isinstance(term, ox.NamedNode):
            continue
        table = OUT_PARTS if value(row, "dir") == "out" else IN_PARTS
        part = table.get(predicate) or snake_case(predicate)
        target = sys.intern(term.value)
        parts[part].add(target)
        predicates[(part, target)] = predicate
    return [
        Nary(node, kind, {k: tuple(sorted(v)) for k, v in sorted(parts.items())}, preds, dates)
        for node, (kind, parts, preds, dates) in sorted(found.items())
    ]


def _nary_query(about: str | None) -> str:
    """The SELECT of read_nary: ?node ?class ?dir ?p ?o.

    Classes are a FILTER IN list rather than VALUES: Oxigraph starts
    from a VALUES block, so `VALUES ?class … ?node a ?class` would scan every membership of
    the graph before narrowing to the nodes of `about` (~10 ms at 1M triples instead of 0.2)."""
    classes = ", ".join(sparql_iri(c) for c in NARY_CLASSES)
    # one branch a predicate, not FILTER(?p IN (…)): Virtuoso 7 fails to compile that next
    # to the BIND (SP031 "equiv replaces filter"), and a fixed predicate is as fast here
    incoming = " UNION ".join(
        f'{{ ?o {sparql_iri(p)} ?node . BIND({sparql_iri(p)} AS ?p) BIND("in" AS ?dir) }}'
        for p in IN_PARTS
    )
    scope = ""
    if about is not None:
        target = sparql_iri(about)
        scope = f"""{{ ?node ?q {target} }} UNION {{ {target} ?q ?node }}
                    UNION {{ BIND({target} AS ?node) }}"""
    return f"""SELECT DISTINCT ?node ?class ?dir ?p ?o WHERE {{
        {{ SELECT DISTINCT ?node ?class WHERE {{
            {scope} ?node a ?class . FILTER(?class IN ({classes})) }} }}
        {{ ?node ?p ?o . BIND("out" AS ?dir) }}
        UNION {incoming}
    }}"""


@lru_cache(maxsize=4096)  # one shared string per predicate (edges of the network keep it)
def snake_case(iri: str) -> str:
    """A predicate's local name in snake_case: hasPhase → has_phase."""
    name = re.split(r"[#/]", iri)[-1]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# -- sentences -----------------------------------------------------------------------------

# (node type, the entity's part) → language → template. "{name}" is replaced by the labels of
# that part; "[...]" is kept only when every name inside it has a value. "{text}" is the
# node's own label (a commitment's text, a mechanism's name); "{who}" is the participant or,
# without one, the represented body; "{for}" the represented body when there is a participant.
TEMPLATES: dict[tuple[str, str], dict[str, str]] = {
    ("membership", "member"): {
        "en": "member of {organization}[ as {role}]",
        "th": "สมาชิกของ {organization}[ ในตำแหน่ง {role}]",
    },
    ("membership", "organization"): {
        "en": "{member} is a member[ as {role}]",
        "th": "{member} เป็นสมาชิก[ ในตำแหน่ง {role}]",
    },
    ("membership", "role"): {"en": "{member}, {organization}", "th": "{member}, {organization}"},
    ("participation", "participant"): {
        "en": "{capacity} at {event}[ on behalf of {on_behalf_of}]",
        "th": "{capacity} ใน {event}[ ในนามของ {on_behalf_of}]",
    },
    ("participation", "on_behalf_of"): {
        "en": "[represented by {participant}: ]{capacity} at {event}",
        "th": "[มี {participant} เป็นผู้แทน: ]{capacity} ใน {event}",
    },
    ("participation", "event"): {
        "en": "{who}: {capacity}[ on behalf of {for}]",
        "th": "{who}: {capacity}[ ในนามของ {for}]",
    },
    ("participation", "capacity"): {"en": "{who} at {event}", "th": "{who} ใน {event}"},
    ("commitment", "by"): {
        "en": "committed[ at {at}]: {text}",
        "th": "ให้คำมั่น[ ใน {at}]: {text}",
    },
    ("commitment", "at"): {"en": "[{by} ]committed: {text}", "th": "[{by} ]ให้คำมั่น: {text}"},
    ("commitment", "*"): {
        "en": "[{by} ]committed[ at {at}]: {text}",
        "th": "[{by} ]ให้คำมั่น[ ใน {at}]: {text}",
    },
    ("direction", "at"): {"en": "shared direction: {text}", "th": "แนวทางร่วม: {text}"},
    ("direction", "*"): {
        "en": "shared direction[ at {at}]: {text}",
        "th": "แนวทางร่วม[ ใน {at}]: {text}",
    },
    ("mechanism", "province"): {
        "en": "{text}[ — {mechanism_type}][ ({status})]",
        "th": "{text}[ — {mechanism_type}][ ({status})]",
    },
    ("mechanism", "promoter"): {
        "en": "promotes {text}[ in {province}][ ({status})]",
        "th": "ส่งเสริม {text}[ ใน {province}][ ({status})]",
    },
    ("mechanism", "led_by"): {
        "en": "leads {text}[ in {province}]",
        "th": "นำ {text}[ ใน {province}]",
    },
    ("mechanism", "*"): {
        "en": "{text}[ in {province}][ ({status})]",
        "th": "{text}[ ใน {province}][ ({status})]",
    },
    ("*", "*"): {"en": "{text}", "th": "{text}"},
    # names for the unlabelled nodes themselves (part "")
    ("membership", ""): {
        "en": "{member} — {organization}[ ({role})]",
        "th": "{member} — {organization}[ ({role})]",
    },
    ("participation", ""): {
        "en": "{who} — {event}[ ({capacity})]",
        "th": "{who} — {event}[ ({capacity})]",
    },
}

_OPTIONAL = re.compile(r"\[([^\]]*)\]")
_NAME = re.compile(r"\{([a-z_]+)\}")


def render(template: str, names: Mapping[str, str]) -> str:
    """Fill a TEMPLATES template; optional "[...]" parts vanish when a name is missing."""

    def optional(match: re.Match[str]) -> str:
        inner = match.group(1)
        if all(names.get(n) for n in _NAME.findall(inner)):
            return inner
        return ""

    filled = _OPTIONAL.sub(optional, template)
    return _NAME.sub(lambda m: names.get(m.group(1), ""), filled).strip()


def sentence(nary: Nary, part: str, labels: Labels, lang: str) -> str:
    """The node read from the point of view of the entity that is its `part`."""
    names = {
        name: ", ".join(label_for(labels, iri, lang) for iri in iris)
        for name, iris in nary.parts.items()
    }
    names["text"] = label_for(labels, nary.iri, lang)
    if not part and (nary.type, part) not in TEMPLATES:
        return names["text"]
    names["who"] = names.get("participant") or names.get("on_behalf_of", "")
    names["for"] = names.get("on_behalf_of", "") if names.get("participant") else ""
    for key in ((nary.type, part), (nary.type, "*"), ("*", "*")):
        if key in TEMPLATES:
            chosen = TEMPLATES[key]
            return render(chosen.get(lang) or chosen["en"], names)
    return names["text"]  # pragma: no cover - ("*", "*") always matches


def name_naries(naries: Iterable[Nary], labels: Labels) -> None:
    """Give unlabelled n-ary nodes (memberships, participations) a label in each language."""
    for nary in naries:
        if not labels.get(nary.iri) and (nary.type, "") in TEMPLATES:
            labels[nary.iri] = {lang: sentence(nary, "", labels, lang) for lang in LANGUAGES}


def involvements(
    naries: Iterable[Nary], iri: str, labels: Labels, evidence: EvidenceIndex, lang: str
) -> list[Involvement]:
    """Each n-ary node the entity is a part of, as an Involvement (sorted by type, text)."""
    found: list[Involvement] = []
    for nary in naries:
        for part, iris in nary.parts.items():
            if iri not in iris:
                continue
            records = merge_evidence(
                record
                for name, targets in nary.parts.items()
                for target in targets
                for record in evidence.get(nary.triple(name, target), [])
            )
            parts = {
                name: tuple(make_ref(labels, target, lang) for target in targets)
                for name, targets in nary.parts.items()
            }
            found.append(
                Involvement(
                    node=make_ref(labels, nary.iri, lang),
                    type=nary.type,
                    part=part,
                    text=sentence(nary, part, labels, lang),
                    parts=parts,
                    date=nary.dates.get("date") or nary.dates.get("start"),
                    evidence=tuple(r.labelled(labels, lang) for r in records),
                    end=nary.dates.get("end"),
                )
            )
    found.sort(key=lambda i: (i.type, i.part, collation_key(i.text), i.node.iri))
    return found


# -- describe ------------------------------------------------------------------------------


def exists(engine: Engine, iri: str) -> bool:
    """Whether the graph has any triple about iri (as subject)."""
    result = engine.query(f"ASK {{ {sparql_iri(iri)} ?p ?o }}")
    return bool(result)


def describe(engine: Engine, iri: str, lang: str) -> Description | None:
    """Everything the graph says about iri, labelled in lang; None when it says nothing."""
    subject = sparql_iri(iri)
    outgoing = select(engine, f"SELECT DISTINCT ?p ?o WHERE {{ {subject} ?p ?o }}")
    if not outgoing:
        return None
    incoming = select(
        engine,
        f"""SELECT DISTINCT ?s ?p WHERE {{
            ?s ?p {subject} .
            FILTER(isIRI(?s) && ?p NOT IN (rdf:subject, rdf:object, rdf:predicate))
        }}""",
    )
    naries = read_nary(engine, about=iri)
    evidence = read_evidence(engine, [iri, *(n.iri for n in naries)])
    mentioned = {iri}
    for row in outgoing + incoming:
        mentioned.update(
            v
            for k in ("s", "p", "o")
            if isinstance(row.get(k), ox.NamedNode) and (v := value(row, k))
        )
    for nary in naries:
        mentioned.add(nary.iri)
        mentioned.update(target for targets in nary.parts.values() for target in targets)
    mentioned.update(r.source for records in evidence.values() for r in records)
    labels = labels_of(engine, mentioned)
    name_naries(naries, labels)

    statements = [_statement("out", iri, row, labels, evidence, lang) for row in outgoing] + [
        _statement("in", iri, row, labels, evidence, lang) for row in incoming
    ]
    statements.sort(key=_statement_order)
    kind, ident = kind_and_id(iri) or (None, None)
    own = labels.get(iri, {})
    descriptions = _texts(outgoing, str(RDFS.comment)) or _texts(outgoing, str(SKOS.definition))
    return Description(
        iri=iri,
        kind=kind,
        id=ident,
        lang=lang,
        label=label_for(labels, iri, lang),
        labels=dict(sorted(own.items())),
        alt_labels=_alt_labels(outgoing),
        description=pick(descriptions, lang),
        descriptions=descriptions,
        types=tuple(
            sorted(
                (
                    s.object
                    for s in statements
                    if s.direction == "out"
                    and s.predicate.iri == str(RDF.type)
                    and isinstance(s.object, Ref)
                ),
                key=lambda r: (collation_key(r.label), r.iri),
            )
        ),
        statements=tuple(statements),
        involvements=tuple(involvements(naries, iri, labels, evidence, lang)),
    )


def _statement(
    direction: Literal["out", "in"],
    iri: str,
    row: Row,
    labels: Labels,
    evidence: EvidenceIndex,
    lang: str,
) -> Statement:
    predicate = value(row, "p") or ""
    if direction == "out":
        subject, term = iri, row["o"]
    else:
        subject, term = value(row, "s") or "", ox.NamedNode(iri)
    obj: Ref | Value
    if isinstance(term, ox.Literal):
        obj = make_value(term)
        records: list[EvidenceRecord] = []
    else:
        target = term.value if isinstance(term, ox.NamedNode) else str(term)
        obj = make_ref(labels, target, lang)
        records = evidence.get((subject, predicate, target), [])
    return Statement(
        direction=direction,
        subject=make_ref(labels, subject, lang),
        predicate=make_ref(labels, predicate, lang),
        object=obj,
        evidence=tuple(r.labelled(labels, lang) for r in records),
    )


def _statement_order(s: Statement) -> tuple[object, ...]:
    other = s.subject if s.direction == "in" else s.object
    shown = other.label if isinstance(other, Ref) else other.value
    lang = other.lang or "" if isinstance(other, Value) else ""
    return (
        s.direction != "out",
        collation_key(s.predicate.label),
        s.predicate.iri,
        lang,
        collation_key(shown),
        shown,
    )


def _texts(rows: list[Row], predicate: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for row in rows:
        term = row.get("o")
        if value(row, "p") == predicate and isinstance(term, ox.Literal):
            texts.setdefault(term.language or "", term.value)
    return dict(sorted(texts.items()))


def _alt_labels(rows: list[Row]) -> dict[str, list[str]]:
    alt: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        term = row.get("o")
        if value(row, "p") == str(SKOS.altLabel) and isinstance(term, ox.Literal):
            alt[term.language or ""].append(term.value)
    return {lang: sorted(set(texts), key=collation_key) for lang, texts in sorted(alt.items())}


# -- lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """An entity in a list: its Ref and short description."""

    ref: Ref
    description: str | None


def list_of_type(engine: Engine, cls: str, lang: str) -> list[Summary]:
    """Every instance of cls, labelled, sorted by label (Thai dictionary order) then IRI."""
    rows = select(
        engine,
        f"""SELECT DISTINCT ?s ?comment WHERE {{
            ?s a {sparql_iri(cls)} . FILTER(isIRI(?s))
            OPTIONAL {{ ?s rdfs:comment|skos:definition ?comment }}
        }}""",
    )
    comments: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        term = row.get("comment")
        if isinstance(term, ox.Literal):
            current = comments[value(row, "s") or ""]
            current[term.language or ""] = min(
                current.get(term.language or "", term.value), term.value
            )
    iris = {value(row, "s") or "" for row in rows}
    labels = labels_of(engine, iris)
    if NARY_CLASSES.get(cls) in ("membership", "participation"):  # unlabelled: name them
        naries = [nary for nary in read_nary(engine) if nary.iri in iris]
        labels.update(labels_of(engine, {t for n in naries for ts in n.parts.values() for t in ts}))
        name_naries(naries, labels)
    items = [
        Summary(make_ref(labels, iri, lang), pick(comments.get(iri, {}), lang)) for iri in iris
    ]
    items.sort(key=lambda s: (collation_key(s.ref.label), s.ref.iri))
    return items
