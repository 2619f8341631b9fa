"""The questions a map answers: named SPARQL queries that give each province a value.

Every question returns, per province (ISO 3166-2 code), either categories (phase, status, how an
actor is present) or a count. Parameters are ids, checked against `[a-z0-9-]+` (or digits) before
they reach a query, and only ever enter SPARQL as IRIs built from the id or as integers.

Questions (parameters in brackets; all also take the filters below):

- `study-areas` [project, phase]: provinces that are a study area (phk:studyArea) of a phase of
  the project (all projects when none is given); value = the phase number. `phase` is a phase
  number or a phase id.
- `mechanism-type` [type, status]: provinces with a civic mechanism (phk:inProvince) whose type
  is `type` or a narrower type (skos:broader*); value = the mechanism's status (in-use, planned).
  Without `type`, mechanisms of any type.
- `agency` [agency]: provinces where the agency is present, as the graph states it. The agency
  counts together with its units (org:subOrganizationOf*) and the people who are members of
  either (org:Membership). Value, one or more of (strongest first; the fill shows the first):
    `promotes`    one of them promotes (phk:promotes) or leads (phk:ledBy) a mechanism that is
                  in the province (phk:inProvince);
    `commitment`  one commitment is made (phk:committedBy) by one of them and by the province;
    `represents`  one of them took part in an event on behalf of the province (phk:onBehalfOf);
    `hosted`      the province took part (a participation on its behalf) in an event one of
                  them organised (schema:organizer);
    `event`       one of them organised or took part in an event held in the province
                  (schema:location, possibly via places inside it, or phk:inProvince);
    `type`        one of them promotes a mechanism *type* (phk:promotes) and the province has a
                  mechanism of that type or a narrower one (in use or planned): an association,
                  not a statement that the agency works there, and labelled so.
- `person` [person]: the same four ways, for one person alone.
- `sources` []: the number of source documents with evidence naming the province itself
  (a phk:Evidence whose rdf:subject or rdf:object is the province); mentions of things *in*
  the province (a mechanism's own statements) do not count.

Filters (the same on every question; they constrain the evidence of the statements that put a
province on the map, so they only keep statements that come from a source):
  `source=<id>`    only statements from that source;
  `tier=primary`   only statements from primary sources (`any`, the default, keeps all);
  `inferred=no`    leave out statements that are the curator's inference (`yes` keeps them).
And `as_of=YYYY-MM-DD`: the map as the graph stood on that day (graph/timeline.py): mechanisms,
participations, commitments and events count only when they held then, other relations only
when a source dated on or before that day (or undated) states them; `sources` counts only the
sources dated on or before it (or undated).
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pyoxigraph as ox

from phakhi.graph.namespaces import BASE
from phakhi.graph.store import Engine

Lang = Literal["th", "en"]
Scale = Literal["categorical", "count"]

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_NUMBER = re.compile(r"^[0-9]{1,6}$")
_ISO = re.compile(r"^TH-[0-9]{2}$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PROVINCE_IRI = re.compile(r"^" + re.escape(BASE) + r"id/province/(TH-[0-9]{2})$")

PREFIXES = f"""\
PREFIX phk: <{BASE}ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


class QuestionError(ValueError):
    """A question or parameter the caller got wrong (the API answers 400)."""

    def __init__(self, message: str, *, parameter: str | None = None, allowed: Iterable[str] = ()):
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        self.allowed = list(allowed)


@dataclass(frozen=True)
class Text:
    th: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.th if lang == "th" else self.en


@dataclass(frozen=True)
class Category:
    key: str
    label: Text
    colour: str | None = None  # a fixed colour; else the palette's next


@dataclass(frozen=True)
class MapData:
    """What a map shows: per province, category keys (in `categories` order) or a count."""

    question: str
    title: Text
    scale: Scale
    subtitle: Text | None = None
    categories: tuple[Category, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    names: dict[str, Text] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()

    def highlighted(self) -> list[str]:
        """The ISO codes of the provinces that have a value, sorted."""
        if self.scale == "count":
            return sorted(iso for iso, count in self.counts.items() if count > 0)
        return sorted(iso for iso, keys in self.values.items() if keys)


@dataclass(frozen=True)
class Param:
    name: str
    kind: Literal["id", "id-or-number", "choice", "date"]
    label: Text
    entity: str | None = None  # the kind of entity an id names (project, agency, …)
    choices: tuple[tuple[str, Text], ...] = ()  # a choice's values (the first is the default)
    required: bool = False


Params = Mapping[str, str]


@dataclass(frozen=True)
class Question:
    name: str
    title: Text
    params: tuple[Param, ...]
    ask: Callable[[Engine, dict[str, str]], MapData]


# -- building SPARQL safely ------------------------------------------------------------------


def iri(kind: str, ident: str) -> str:
    """`<…/id/kind/ident>` for a checked id; anything else is refused, never pasted."""
    if not _ID.match(kind) or not (_ID.match(ident) or _ISO.match(ident)):
        raise QuestionError(f"{ident!r} is not an id", parameter=kind)
    return f"<{BASE}id/{kind}/{ident}>"


_CLASSES = {
    "project": "phk:ResearchProject",
    "phase": "phk:ProjectPhase",
    "mechanism-type": "phk:MechanismType",
    "agency": "phk:Agency",
    "person": "foaf:Person",
    "source": "phk:SourceDocument",
    "status": "phk:MechanismStatus",
}

FILTERS = (
    Param("source", "id", Text("แหล่งข้อมูล", "Source"), entity="source"),
    Param(
        "tier",
        "choice",
        Text("ระดับแหล่งข้อมูล", "Source tier"),
        choices=(
            ("any", Text("ทุกระดับ", "Any")),
            ("primary", Text("เฉพาะแหล่งข้อมูลหลัก", "Primary sources only")),
        ),
    ),
    Param(
        "inferred",
        "choice",
        Text("ข้อสรุปของผู้จัดทำข้อมูล", "Curator's inferences"),
        choices=(("yes", Text("รวม", "Include")), ("no", Text("ไม่รวม", "Leave out"))),
    ),
    Param("as_of", "date", Text("ณ วันที่", "As of")),
)


def evidence(subject: str, predicate: str, obj: str, params: dict[str, str], n: int) -> str:
    """A FILTER that the triple has evidence passing the filters; empty when none are set."""
    conditions = []
    if "source" in params:
        conditions.append(f"FILTER(?src{n} = {iri('source', params['source'])})")
    if params.get("tier", "any") == "primary":
        conditions.append(f'?src{n} phk:tier "primary" .')
    if params.get("inferred", "yes") == "no":
        conditions.append(f"?ev{n} phk:inferred false .")
    if not conditions:
        return ""
    return (
        f"FILTER EXISTS {{ ?ev{n} rdf:subject {subject} ; rdf:predicate {predicate} ; "
        f"rdf:object {obj} ; prov:wasDerivedFrom ?src{n} . {' '.join(conditions)} }}"
    )


def _as_of(params: Mapping[str, str]) -> str | None:
    """The as_of day as a SPARQL literal (checked by check()), None when not given."""
    day = params.get("as_of")
    return f'"{date.fromisoformat(day).isoformat()}"^^xsd:date' if day else None


def held(thing: str, params: Mapping[str, str], n: int) -> str:
    """A FILTER that the dated thing (a variable) held on as_of: start (schema:startDate, else
    phk:attestedOn) on or before it, and no end (schema:endDate) before it; "" without as_of."""
    day = _as_of(params)
    if day is None:
        return ""
    t, v = thing, f"?asof{n}"
    return (
        f"FILTER((NOT EXISTS {{ {t} schema:endDate {v}e }} "
        f"|| EXISTS {{ {t} schema:endDate {v}f FILTER({v}f >= {day}) }}) "
        f"&& (EXISTS {{ {t} schema:startDate {v}s FILTER({v}s <= {day}) }} "
        f"|| (NOT EXISTS {{ {t} schema:startDate {v}t }} "
        f"&& (NOT EXISTS {{ {t} phk:attestedOn {v}a }} "
        f"|| EXISTS {{ {t} phk:attestedOn {v}b FILTER({v}b <= {day}) }}))))"
    )


def stated(subject: str, predicate: str, obj: str, params: Mapping[str, str], n: int) -> str:
    """A FILTER that a relation with no date of its own was stated by as_of: it has no source
    (reference data) or a source dated on or before as_of, or undated; "" without as_of."""
    day = _as_of(params)
    if day is None:
        return ""
    v = f"?stated{n}"
    triple = f"rdf:subject {subject} ; rdf:predicate {predicate} ; rdf:object {obj}"
    return (
        f"FILTER(NOT EXISTS {{ {v}e {triple} }} "
        f"|| EXISTS {{ {v}f {triple} ; prov:wasDerivedFrom {v}s . "
        f"FILTER NOT EXISTS {{ {v}s dcterms:date {v}d FILTER({v}d > {day}) }} }})"
    )


def check(question: Question, raw: Params) -> dict[str, str]:
    """Validate parameters: known names, well-formed values, required ones present."""
    allowed = {param.name: param for param in (*question.params, *FILTERS)}
    params: dict[str, str] = {}
    for name, value in raw.items():
        param = allowed.get(name)
        if param is None:
            raise QuestionError(
                f"the question {question.name!r} has no parameter {name!r}",
                parameter=name,
                allowed=sorted(allowed),
            )
        value = value.strip()
        if value == "":
            continue
        if param.kind == "choice":
            values = [key for key, _ in param.choices]
            if value not in values:
                raise QuestionError(
                    f"{name} must be one of {', '.join(values)}", parameter=name, allowed=values
                )
        elif param.kind == "date":
            try:
                if not _DAY.match(value):
                    raise ValueError(value)
                date.fromisoformat(value)
            except ValueError as error:
                raise QuestionError(
                    f"{name}={value!r} is not a day as YYYY-MM-DD", parameter=name
                ) from error
        elif not (_ID.match(value) or (param.kind == "id-or-number" and _NUMBER.match(value))):
            raise QuestionError(
                f"{name}={value!r} is not an id (lower-case letters, digits and hyphens)",
                parameter=name,
            )
        params[name] = value
    for param in question.params:
        if param.required and param.name not in params:
            raise QuestionError(
                f"the question {question.name!r} needs {param.name}=", parameter=param.name
            )
    return params


def _solutions(engine: Engine, sparql: str) -> list[dict[str, str]]:
    result = engine.query(PREFIXES + sparql)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT result")
    names = [variable.value for variable in result.variables]
    rows = []
    for solution in result:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows


def _exists(engine: Engine, kind: str, ident: str) -> bool:
    result = engine.query(PREFIXES + f"ASK {{ {iri(kind, ident)} a {_CLASSES[kind]} }}")
    return bool(result)


def _require(engine: Engine, params: dict[str, str], name: str, kind: str) -> str | None:
    """The IRI of the entity a parameter names; QuestionError if the graph has no such one."""
    ident = params.get(name)
    if ident is None:
        return None
    if not _exists(engine, kind, ident):
        raise QuestionError(f"no {kind} with the id {ident!r}", parameter=name)
    return iri(kind, ident)


def labels(engine: Engine, subject: str) -> Text | None:
    """rdfs:label @th/@en of an IRI given as `<…>` (built by iri())."""
    result = engine.query(PREFIXES + f"SELECT ?l WHERE {{ {subject} rdfs:label ?l }}")
    assert isinstance(result, ox.QuerySolutions)
    by_lang: dict[str, str] = {}
    for solution in result:
        term = solution["l"]
        if isinstance(term, ox.Literal) and term.language in ("th", "en"):
            by_lang[term.language] = min(term.value, by_lang.get(term.language, term.value))
    if not by_lang:
        return None
    th = by_lang.get("th") or by_lang["en"]
    return Text(th, by_lang.get("en") or th)


def province_names(engine: Engine) -> dict[str, Text]:
    """ISO code -> Thai/English label of every province in the graph."""
    rows = _solutions(
        engine,
        """SELECT ?iso ?th ?en WHERE {
             ?p phk:isoCode ?iso .
             OPTIONAL { ?p rdfs:label ?th FILTER(lang(?th) = "th") }
             OPTIONAL { ?p rdfs:label ?en FILTER(lang(?en) = "en") }
           }""",
    )
    names: dict[str, Text] = {}
    for row in sorted(rows, key=lambda r: (r["iso"], r.get("th", ""), r.get("en", ""))):
        if row["iso"] not in names and (row.get("th") or row.get("en")):
            th = row.get("th") or row.get("en", "")
            names[row["iso"]] = Text(th, row.get("en") or th)
    return names


def _categorical(
    question: str,
    title: Text,
    subtitle: Text | None,
    categories: Iterable[Category],
    rows: Iterable[dict[str, str]],
    engine: Engine,
    params: dict[str, str],
) -> MapData:
    ordered = tuple(categories)
    rank = {category.key: index for index, category in enumerate(ordered)}
    found: dict[str, set[str]] = {}
    for row in rows:
        if row.get("value") in rank:
            found.setdefault(row["iso"], set()).add(row["value"])
    values = {iso: tuple(sorted(keys, key=rank.__getitem__)) for iso, keys in found.items()}
    used = {key for keys in values.values() for key in keys}
    return MapData(
        question=question,
        title=title,
        subtitle=subtitle,
        scale="categorical",
        categories=tuple(c for c in ordered if c.key in used) or ordered,
        values=dict(sorted(values.items())),
        names=province_names(engine),
        params=tuple(sorted(params.items())),
    )


# -- the questions -------------------------------------------------------------------------


def study_areas(engine: Engine, params: dict[str, str]) -> MapData:
    project = _require(engine, params, "project", "project")
    where = [f"VALUES ?project {{ {project} }} ?project phk:hasPhase ?phase ." if project else ""]
    phase = params.get("phase")
    if phase is not None and _NUMBER.match(phase):
        where.append(f"FILTER(?value = {int(phase)})")
    elif phase is not None:
        where.append(f"VALUES ?phase {{ {_require(engine, params, 'phase', 'phase')} }}")
    rows = _solutions(
        engine,
        f"""SELECT DISTINCT ?iso ?value ?th ?en WHERE {{
              ?phase phk:phaseNumber ?value ; phk:studyArea ?p .
              ?p phk:isoCode ?iso .
              {" ".join(where)}
              OPTIONAL {{ ?phase rdfs:label ?th FILTER(lang(?th) = "th") }}
              OPTIONAL {{ ?phase rdfs:label ?en FILTER(lang(?en) = "en") }}
              {evidence("?phase", "phk:studyArea", "?p", params, 1)}
              {stated("?phase", "phk:studyArea", "?p", params, 1)}
            }}""",
    )
    phase_labels: dict[int, set[tuple[str, str]]] = {}
    for row in rows:
        number = int(row["value"])
        phase_labels.setdefault(number, set()).add((row.get("th", ""), row.get("en", "")))
    categories = []
    for number, found in sorted(phase_labels.items()):
        th, en = next(iter(found)) if len(found) == 1 else ("", "")
        label = Text(th or f"ระยะที่ {number}", en or f"Phase {number}")
        categories.append(Category(str(number), label))
    return _categorical(
        "study-areas",
        Text("พื้นที่ศึกษาของโครงการ", "Study areas of projects"),
        labels(engine, project) if project else None,
        categories,
        rows,
        engine,
        params,
    )


_STATUS_COLOURS = {"in-use": "#1b9e77", "planned": "#e6a117"}


def _status_categories(engine: Engine, found: set[str]) -> list[Category]:
    """The mechanism statuses of the graph (and any found), in-use and planned first."""
    rows = _solutions(
        engine,
        """SELECT ?s ?th ?en WHERE { ?s a phk:MechanismStatus .
             OPTIONAL { ?s rdfs:label ?th FILTER(lang(?th) = "th") }
             OPTIONAL { ?s rdfs:label ?en FILTER(lang(?en) = "en") } }""",
    )
    known = {row["s"].rsplit("/", 1)[-1]: row for row in rows}
    fixed = list(_STATUS_COLOURS)
    keys = sorted(set(known) | found, key=lambda k: (fixed.index(k) if k in fixed else 99, k))
    categories = []
    for key in keys:
        row = known.get(key, {})
        th = row.get("th") or row.get("en") or key
        categories.append(Category(key, Text(th, row.get("en") or th), _STATUS_COLOURS.get(key)))
    return categories


def mechanism_type(engine: Engine, params: dict[str, str]) -> MapData:
    mtype = _require(engine, params, "type", "mechanism-type")
    status = _require(engine, params, "status", "status")
    where = f"?t skos:broader* {mtype} ." if mtype else ""
    if status:
        where += f" FILTER(?status = {status})"
    rows = _solutions(
        engine,
        f"""SELECT DISTINCT ?iso ?value WHERE {{
              ?m phk:mechanismType ?t ; phk:inProvince ?p ; phk:status ?status .
              ?p phk:isoCode ?iso .
              {where}
              BIND(STRAFTER(STR(?status), "/id/status/") AS ?value)
              {evidence("?m", "phk:inProvince", "?p", params, 1)}
              {held("?m", params, 1)}
            }}""",
    )
    categories = _status_categories(engine, {row["value"] for row in rows})
    return _categorical(
        "mechanism-type",
        Text("กลไกในจังหวัด", "Civic mechanisms in provinces"),
        labels(engine, mtype) if mtype else Text("ทุกประเภท", "All types"),
        categories,
        rows,
        engine,
        params,
    )


PRESENCE = (
    Category("promotes", Text("ส่งเสริมหรือนำกลไกในจังหวัด", "Promotes or leads a mechanism there")),
    Category("commitment", Text("ร่วมพันธะสัญญากับจังหวัด", "Shares a commitment with the province")),
    Category("represents", Text("เป็นผู้แทนของจังหวัด", "Represented the province")),
    Category("hosted", Text("จังหวัดร่วมกิจกรรมที่จัด", "The province took part in its event")),
    Category("event", Text("จัดหรือร่วมกิจกรรมในจังหวัด", "Organised or attended an event there")),
    Category(
        "type",
        Text(
            "ส่งเสริมประเภทกลไกที่จังหวัดใช้หรือวางแผน",
            "Promotes a mechanism type the province uses or plans",
        ),
    ),
)


def _presence(actors: str, params: dict[str, str]) -> str:
    """Rows (?iso, ?value) of the ways the ?actor bound by `actors` is present in a province."""
    e = params
    return f"""SELECT DISTINCT ?iso ?value WHERE {{
      {actors}
      {{
        {{ ?actor phk:promotes ?m . {evidence("?actor", "phk:promotes", "?m", e, 1)}
           {stated("?actor", "phk:promotes", "?m", e, 1)} }}
        UNION {{ ?m phk:ledBy ?actor . {evidence("?m", "phk:ledBy", "?actor", e, 2)} }}
        ?m a phk:CivicMechanism ; phk:inProvince ?p .
        {evidence("?m", "phk:inProvince", "?p", e, 3)}
        {held("?m", e, 3)}
        BIND("promotes" AS ?value)
      }} UNION {{
        ?c phk:committedBy ?actor , ?p . ?p a phk:Province .
        {evidence("?c", "phk:committedBy", "?actor", e, 4)}
        {evidence("?c", "phk:committedBy", "?p", e, 5)}
        {held("?c", e, 4)}
        BIND("commitment" AS ?value)
      }} UNION {{
        ?part phk:participant ?actor ; phk:onBehalfOf ?p . ?p a phk:Province .
        {evidence("?part", "phk:onBehalfOf", "?p", e, 6)}
        {held("?part", e, 6)}
        BIND("represents" AS ?value)
      }} UNION {{
        ?event schema:organizer ?actor . ?part phk:inEvent ?event ; phk:onBehalfOf ?p .
        ?p a phk:Province .
        {evidence("?event", "schema:organizer", "?actor", e, 7)}
        {evidence("?part", "phk:onBehalfOf", "?p", e, 8)}
        {held("?event", e, 7)}
        {held("?part", e, 8)}
        BIND("hosted" AS ?value)
      }} UNION {{
        {{ ?event schema:organizer ?actor }}
        UNION {{ ?part phk:inEvent ?event ; phk:participant ?actor . {held("?part", e, 11)} }}
        UNION {{ ?part phk:inEvent ?event ; phk:onBehalfOf ?actor . {held("?part", e, 12)} }}
        {{ ?event schema:location/schema:containedInPlace* ?p }}
        UNION {{ ?event phk:inProvince ?p }}
        ?p a phk:Province .
        {held("?event", e, 13)}
        BIND("event" AS ?value)
      }} UNION {{
        ?actor phk:promotes ?t . ?t a phk:MechanismType .
        ?m phk:mechanismType/skos:broader* ?t ; phk:inProvince ?p .
        {evidence("?actor", "phk:promotes", "?t", e, 9)}
        {evidence("?m", "phk:inProvince", "?p", e, 10)}
        {stated("?actor", "phk:promotes", "?t", e, 9)}
        {held("?m", e, 10)}
        BIND("type" AS ?value)
      }}
      ?p phk:isoCode ?iso .
    }}"""


def agency(engine: Engine, params: dict[str, str]) -> MapData:
    agency_iri = _require(engine, params, "agency", "agency")
    actors = f"""VALUES ?agency {{ {agency_iri} }}
      {{ ?actor org:subOrganizationOf* ?agency }}
      UNION {{ ?ms org:organization/org:subOrganizationOf* ?agency ; org:member ?actor }}"""
    rows = _solutions(engine, _presence(actors, params))
    return _categorical(
        "agency",
        Text("จังหวัดที่หน่วยงานทำงาน", "Where an agency works"),
        labels(engine, agency_iri) if agency_iri else None,
        PRESENCE,
        rows,
        engine,
        params,
    )


def person(engine: Engine, params: dict[str, str]) -> MapData:
    person_iri = _require(engine, params, "person", "person")
    rows = _solutions(engine, _presence(f"VALUES ?actor {{ {person_iri} }}", params))
    return _categorical(
        "person",
        Text("จังหวัดที่บุคคลทำงานหรือเป็นผู้แทน", "Where a person works or represents"),
        labels(engine, person_iri) if person_iri else None,
        PRESENCE,
        rows,
        engine,
        params,
    )


def sources(engine: Engine, params: dict[str, str]) -> MapData:
    conditions = []
    if "source" in params:
        conditions.append(f"FILTER(?src = {iri('source', params['source'])})")
    if params.get("tier", "any") == "primary":
        conditions.append('?src phk:tier "primary" .')
    if params.get("inferred", "yes") == "no":
        conditions.append("?ev phk:inferred false .")
    if (day := _as_of(params)) is not None:
        conditions.append(f"FILTER NOT EXISTS {{ ?src dcterms:date ?d FILTER(?d > {day}) }}")
    rows = _solutions(
        engine,
        f"""SELECT ?iso (COUNT(DISTINCT ?src) AS ?value) WHERE {{
              ?ev a phk:Evidence ; prov:wasDerivedFrom ?src .
              {{ ?ev rdf:subject ?p }} UNION {{ ?ev rdf:object ?p }}
              ?p phk:isoCode ?iso .
              {" ".join(conditions)}
            }} GROUP BY ?iso""",
    )
    return MapData(
        question="sources",
        title=Text("แหล่งข้อมูลที่กล่าวถึงจังหวัด", "Sources naming the province"),
        scale="count",
        counts={row["iso"]: int(row["value"]) for row in sorted(rows, key=lambda r: r["iso"])},
        names=province_names(engine),
        params=tuple(sorted(params.items())),
    )


QUESTIONS: dict[str, Question] = {
    q.name: q
    for q in (
        Question(
            "study-areas",
            Text("พื้นที่ศึกษาของโครงการ", "Study areas of a project"),
            (
                Param("project", "id", Text("โครงการ", "Project"), entity="project"),
                Param("phase", "id-or-number", Text("ระยะ", "Phase"), entity="phase"),
            ),
            study_areas,
        ),
        Question(
            "mechanism-type",
            Text("จังหวัดที่ใช้หรือวางแผนกลไก", "Provinces using or planning a mechanism"),
            (
                Param("type", "id", Text("ประเภทกลไก", "Mechanism type"), entity="mechanism-type"),
                Param("status", "id", Text("สถานะ", "Status"), entity="status"),
            ),
            mechanism_type,
        ),
        Question(
            "agency",
            Text("จังหวัดที่หน่วยงานทำงาน", "Where an agency works"),
            (Param("agency", "id", Text("หน่วยงาน", "Agency"), entity="agency", required=True),),
            agency,
        ),
        Question(
            "person",
            Text("จังหวัดที่บุคคลทำงานหรือเป็นผู้แทน", "Where a person works or represents"),
            (Param("person", "id", Text("บุคคล", "Person"), entity="person", required=True),),
            person,
        ),
        Question(
            "sources",
            Text("จำนวนแหล่งข้อมูลที่กล่าวถึงจังหวัด", "Number of sources naming a province"),
            (),
            sources,
        ),
    )
}


def ask(engine: Engine, name: str, raw: Params) -> MapData:
    """Answer a named question; QuestionError for an unknown question or a bad parameter."""
    question = QUESTIONS.get(name)
    if question is None:
        raise QuestionError(
            f"no question {name!r}", parameter="question", allowed=sorted(QUESTIONS)
        )
    return question.ask(engine, check(question, raw))


def choices(engine: Engine, entity: str) -> list[tuple[str, Text]]:
    """(id, label) of every entity of a kind, for the form's drop-downs, sorted by id."""
    cls = _CLASSES[entity]
    label = "dcterms:title" if entity == "source" else "rdfs:label"
    rows = _solutions(
        engine,
        f"""SELECT ?s ?th ?en WHERE {{ ?s a {cls} .
              OPTIONAL {{ ?s {label} ?th FILTER(lang(?th) = "th") }}
              OPTIONAL {{ ?s {label} ?en FILTER(lang(?en) = "en") }} }}""",
    )
    prefix = f"{BASE}id/{entity}/"
    found: dict[str, Text] = {}
    for row in rows:
        ident = row["s"].removeprefix(prefix)
        if row["s"].startswith(prefix) and _ID.match(ident) and ident not in found:
            th = row.get("th") or row.get("en") or ident
            found[ident] = Text(th, row.get("en") or th)
    return sorted(found.items())


def phase_numbers(engine: Engine) -> list[str]:
    """The phase numbers the graph has, in order (for the form)."""
    rows = _solutions(engine, "SELECT DISTINCT ?n WHERE { ?phase phk:phaseNumber ?n }")
    return [str(n) for n in sorted({int(r["n"]) for r in rows if r.get("n", "").isdigit()})]


# -- maps of one entity and of query results -----------------------------------------------

_ENTITY_QUESTIONS = {
    "project": ("study-areas", "project"),
    "agency": ("agency", "agency"),
    "person": ("person", "person"),
    "mechanism-type": ("mechanism-type", "type"),
}


def for_entity(engine: Engine, kind: str, ident: str, as_of: str | None = None) -> MapData | None:
    """The small map of an entity page: province, mechanism, project, agency, person, type;
    as_of: as the graph stood on that day (YYYY-MM-DD)."""
    dated = {"as_of": as_of} if as_of else {}
    if kind in _ENTITY_QUESTIONS:
        question, param = _ENTITY_QUESTIONS[kind]
        return ask(engine, question, {param: ident, **dated})
    if kind == "province":
        subject = iri("province", ident)
        rows = _solutions(engine, f"SELECT ?iso WHERE {{ {subject} phk:isoCode ?iso }}")
        return from_provinces(engine, [row["iso"] for row in rows], Text("จังหวัด", "Province"))
    if kind == "mechanism":
        subject = iri("mechanism", ident)
        rows = _solutions(
            engine,
            f"""SELECT ?iso ?value WHERE {{ {subject} phk:inProvince/phk:isoCode ?iso .
                  OPTIONAL {{ {subject} phk:status ?s }}
                  {held(subject, dated, 1)}
                  BIND(COALESCE(STRAFTER(STR(?s), "/id/status/"), "in-use") AS ?value) }}""",
        )
        categories = _status_categories(engine, {row["value"] for row in rows})
        return _categorical(
            "mechanism",
            Text("กลไก", "Mechanism"),
            labels(engine, subject),
            categories,
            rows,
            engine,
            {},
        )
    return None


def from_provinces(engine: Engine, isos: Iterable[str], label: Text) -> MapData:
    """A map highlighting a plain set of provinces in one colour."""
    rows = [{"iso": iso, "value": "yes"} for iso in isos if _ISO.match(iso)]
    return _categorical("provinces", label, None, [Category("yes", label)], rows, engine, {})


def province_of(value: str) -> str | None:
    """The ISO code a result cell names: a province IRI or an ISO code; else None."""
    match = _PROVINCE_IRI.match(value)
    if match:
        return match.group(1)
    return value if _ISO.match(value) else None


def province_column(variables: list[str], rows: list[dict[str, str]]) -> str | None:
    """The first SELECT column whose every bound value names a province (at least one)."""
    for variable in variables:
        cells = [row[variable] for row in rows if variable in row]
        if cells and all(province_of(cell) for cell in cells):
            return variable
    return None


def from_query_result(
    engine: Engine, variables: list[str], rows: list[dict[str, str]]
) -> MapData | None:
    """The query page's map: provinces of a SELECT's province column, coloured by row count."""
    column = province_column(variables, rows)
    if column is None:
        return None
    counts: dict[str, int] = {}
    for row in rows:
        iso = province_of(row.get(column, ""))
        if iso is not None:
            counts[iso] = counts.get(iso, 0) + 1
    return MapData(
        question="query",
        title=Text("ผลการค้นหา", "Query result"),
        scale="count",
        subtitle=Text(f"?{column}", f"?{column}"),
        counts=dict(sorted(counts.items())),
        names=province_names(engine),
    )
