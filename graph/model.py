"""The curated source format (docs/source-format.md) as pydantic models."""

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_ID = re.compile(r"^(TH-[0-9]{2}|[a-z0-9]+(-[a-z0-9]+)*)$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"{value!r} is not an id: use lower-case letters, digits and hyphens "
            "(provinces: their ISO code such as TH-60)"
        )
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Quote = str | list[str]

Kind = Literal[
    "agency", "unit", "person", "province", "place", "event", "project", "programme", "phase",
    "objective", "grant", "mechanism", "commitment", "direction", "statistic",
    "mechanism-type", "theme", "role", "capacity", "status",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    th: str = Field(min_length=1)
    en: str = Field(min_length=1)


class OptionalText(_Strict):
    th: str | None = None
    en: str | None = None


class AltLabels(_Strict):
    th: list[str] = []
    en: list[str] = []


class Entity(_Strict):
    id: Id
    kind: Kind
    label: Text
    alt: AltLabels = AltLabels()
    description: OptionalText | None = None
    definition: OptionalText | None = None
    quote: Quote | None = None
    inferred: bool = False
    # kind-specific fields; compiler.KIND_FIELDS says which kind may use which
    part_of: Id | None = None
    honorific: OptionalText | None = None
    iso_code: str | None = None
    code: int | None = None
    lat: float | None = None
    long: float | None = None
    contained_in: Id | None = None
    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    location: Id | None = None
    attendees_more_than: int | None = None
    duration_years: int | None = None
    of: Id | None = None
    number: int | None = None
    study_areas: list[Id] = []
    funder: list[Id] = []
    mechanism_type: Id | None = None
    province: Id | None = None
    status: Id | None = None
    by: list[Id] = []
    at: Id | None = None
    themes: list[Id] = []
    mechanism_types: list[Id] = []
    about: Id | None = None
    value: float | None = None
    unit: OptionalText | None = None
    broader: list[Id] = []


class Membership(_Strict):
    person: Id
    organization: Id
    role: Id | None = None
    quote: Quote
    inferred: bool = False
    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class Participation(_Strict):
    event: Id
    participant: Id | None = None
    capacity: Id
    on_behalf_of: Id | None = None
    quote: Quote
    inferred: bool = False
    date: dt.date | None = None


Relation = Literal[
    "part_of", "promotes", "works_on", "study_area", "funding", "funder", "organizer",
    "location", "about", "contained_in", "led_by", "in_province",
]  # fmt: skip


class RelationStatement(_Strict):
    subject: Id
    relation: Relation
    object: Id
    quote: Quote
    inferred: bool = False


class SourceMeta(_Strict):
    id: Id
    title: str = Field(min_length=1)
    publisher: Id
    date: dt.date | None = None
    language: Literal["th", "en"]
    text: str
    original_file: str
    lines: tuple[int, int]
    tier: Literal["primary", "secondary"]
    note: str | None = None


class ReferenceFile(_Strict):
    entities: list[Entity]


class SourceFile(_Strict):
    source: SourceMeta
    entities: list[Entity] = []
    memberships: list[Membership] = []
    participations: list[Participation] = []
    relations: list[RelationStatement] = []
