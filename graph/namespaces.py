"""The vocabularies Phakhi writes, with its own terms pinned so a typo fails loudly."""

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    XSD,
    DefinedNamespace,
)

BASE = "https://w3id.org/phakhi/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SH = Namespace("http://www.w3.org/ns/shacl#")
# schema.org terms missing from rdflib's copy of schema.org
SCHEMA_FUNDING = URIRef("https://schema.org/funding")


class PHK(DefinedNamespace):
    """Terms of the Phakhi ontology (ontology/phakhi.ttl)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # Classes
    Agency: URIRef
    Province: URIRef
    MechanismType: URIRef
    CivicMechanism: URIRef
    MechanismStatus: URIRef
    Theme: URIRef
    Forum: URIRef
    Participation: URIRef
    Capacity: URIRef
    ResearchProject: URIRef
    Programme: URIRef
    ProjectPhase: URIRef
    Objective: URIRef
    Commitment: URIRef
    SharedDirection: URIRef
    SourceDocument: URIRef
    Evidence: URIRef
    Statistic: URIRef

    # Concept schemes
    MechanismTypeScheme: URIRef
    ThemeScheme: URIRef
    CapacityScheme: URIRef
    RoleScheme: URIRef
    MechanismStatusScheme: URIRef

    # Provenance of statements
    quote: URIRef
    line: URIRef
    inferred: URIRef
    tier: URIRef
    fileName: URIRef
    firstLine: URIRef
    lastLine: URIRef
    attestedOn: URIRef

    # Provinces
    isoCode: URIRef
    provinceCode: URIRef

    # Mechanisms and themes
    mechanismType: URIRef
    inProvince: URIRef
    status: URIRef
    promotes: URIRef
    ledBy: URIRef
    worksOnTheme: URIRef

    # Events and participation
    participant: URIRef
    inEvent: URIRef
    capacity: URIRef
    onBehalfOf: URIRef
    attendeesMoreThan: URIRef

    # Projects
    hasPhase: URIRef
    phaseNumber: URIRef
    studyArea: URIRef
    hasObjective: URIRef
    durationYears: URIRef

    # Commitments and figures
    committedBy: URIRef
    madeAt: URIRef
    aboutTheme: URIRef
    aboutMechanismType: URIRef
    statisticValue: URIRef
    statisticUnit: URIRef
    statisticAbout: URIRef


__all__ = [
    "BASE",
    "DCTERMS",
    "FOAF",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PHK",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA_FUNDING",
    "SDO",
    "SH",
    "SKOS",
    "WGS84",
    "XSD",
]
