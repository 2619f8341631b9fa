"""The competency questions (ontology/competency/*.rq) answer as the seed article supports."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from phakhi.graph.paths import COMPETENCY_DIR
from phakhi.graph.store import Engine

Table = list[tuple[str, ...]]
ID = "https://w3id.org/phakhi/id/"


@pytest.fixture(scope="module")
def engine(any_engine: Engine) -> Engine:
    """Every question is asked of each backend: embedded, Oxigraph server and Virtuoso."""
    return any_engine


def answer(engine: Engine, name: str, *columns: str) -> Table:
    result = engine.query((COMPETENCY_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    return [
        tuple("" if row[c] is None else row[c].value.removeprefix(ID) for c in columns)
        for row in result
    ]


def test_at_least_twelve_questions_each_with_thai_and_english() -> None:
    queries = sorted(COMPETENCY_DIR.glob("*.rq"))
    assert len(queries) >= 12
    for path in queries:
        header = path.read_text(encoding="utf-8").splitlines()[:2]
        assert header[0].startswith("# th: ") and header[1].startswith("# en: "), path.name


def test_agencies_and_who_spoke_for_each(engine: Engine) -> None:
    rows = answer(engine, "01-agencies-and-speakers.rq", "agency", "capacity", "person")
    spoke = {(a, p) for a, c, p in rows if c == "Spoke for an agency"}
    assert spoke == {
        ("agency/codi", "person/wichai-nasuwanno"),
        ("agency/nhco", "person/aphichat-rotsom"),
        ("agency/thaihealth", "person/phongthep-wongwatcharaphaibun"),
        ("unit/kpi-civic-politics-promotion-office", "person/chusak-panyamun"),
    }
    partners = {a for a, c, _ in rows if c == "Partner agency"}
    assert partners == {
        "agency/codi", "agency/kpi", "agency/nhco", "agency/thaihealth",
        "unit/nhso-local-health-security-support-group",
    }  # fmt: skip
    assert ("agency/nida", "Co-launcher", "") in rows


def test_year_two_study_provinces(engine: Engine) -> None:
    assert answer(engine, "02-study-provinces.rq", "iso", "nameTh") == [
        ("TH-23", "ตราด"),
        ("TH-37", "อำนาจเจริญ"),
        ("TH-60", "นครสวรรค์"),
        ("TH-76", "เพชรบุรี"),
        ("TH-80", "นครศรีธรรมราช"),
    ]


def test_mechanisms_each_province_uses_or_plans(engine: Engine) -> None:
    rows = answer(engine, "03-province-mechanisms.rq", "iso", "type", "status")
    assert len(rows) == 16
    assert ("TH-76", "Citizen council", "In use") in rows
    assert ("TH-37", "Charter", "Planned") in rows
    assert ("TH-80", "Citizen council", "Planned") in rows
    assert {iso for iso, _, _ in rows} == {"TH-23", "TH-37", "TH-60", "TH-76", "TH-80"}


def test_mechanism_types_shared_by_two_or_more_provinces(engine: Engine) -> None:
    assert answer(engine, "04-shared-mechanism-types.rq", "type", "provinces") == [
        ("Citizen council", "2"),
        ("Common space", "2"),
        ("Community organisation council", "2"),
        ("District-level mechanism", "2"),
    ]


def test_who_promotes_what_phetchaburi_uses(engine: Engine) -> None:
    assert answer(engine, "05-promoters-in-province.rq", "agency", "type", "inferred") == [
        ("King Prajadhipok's Institute", "Civic school", "false"),
        ("King Prajadhipok's Institute", "Political development centre", "false"),
    ]


def test_project_head_is_stated_and_funders_inferred(engine: Engine) -> None:
    assert answer(engine, "06-project-head-and-funder.rq", "relation", "who", "inferred") == [
        ("funder", "National Research Council of Thailand", "true"),
        ("funder", "National Science and Technology Development Agency", "true"),
        ("head", "Banchoet Singkhaneti", "false"),
    ]


def test_themes_of_each_province(engine: Engine) -> None:
    themes = dict(answer(engine, "07-province-themes.rq", "iso", "themes"))
    assert set(themes) == {"TH-23", "TH-37", "TH-60", "TH-76", "TH-80"}
    assert themes["TH-76"] == "Community-based tourism, Economy, Food security"
    assert "Decentralisation" in themes["TH-60"] and "Anti-corruption" in themes["TH-60"]
    assert "Poverty" in themes["TH-37"] and "Social inequality" in themes["TH-37"]


def test_source_and_quote_behind_a_statement(engine: Engine) -> None:
    assert answer(engine, "08-statement-evidence.rq", "source", "line", "quote") == [
        (
            "source/nida-forum-2024-06-11",
            "40",
            "นายวิชัย นะสุวรรณโน รองผู้อำนวยการสถาบันพัฒนาองค์กรชุมชน",
        )
    ]


def test_units_of_codi(engine: Engine) -> None:
    assert [u for (u,) in answer(engine, "09-agency-units.rq", "unit")] == [
        "unit/codi-board",
        "unit/codi-human-resources-bureau",
        "unit/codi-community-civil-society-coordination-office",
    ]


def test_people_roles_as_of_the_forum(engine: Engine) -> None:
    rows = answer(engine, "10-people-and-roles.rq", "person", "role", "asOf", "inferred")
    assert ("Wichai Nasuwanno", "Deputy director", "2024-06-11", "false") in rows
    assert ("Chusak Panyamun", "", "2024-06-11", "true") in rows
    assert len(rows) == 7


def test_who_opened_the_forum(engine: Engine) -> None:
    assert answer(engine, "11-who-opened-the-forum.rq", "honorific", "name") == [
        ("ศาสตราจารย์ ดร.", "บรรเจิด สิงคะเนติ"),
        ("รองศาสตราจารย์ ดร.", "พัทรียา หลักเพ็ชร"),
    ]


def test_commitments_of_each_agency(engine: Engine) -> None:
    rows = answer(engine, "12-agency-commitments.rq", "agency", "commitments", "themes")
    assert all(themes for _, _, themes in rows)  # every agency's commitments name themes
    themes = {agency: set(names.split(", ")) for agency, _, names in rows}
    assert {"Health promotion", "Quality of life"} <= themes["Thai Health Promotion Foundation"]
    assert {agency: count for agency, count, _ in rows} == {
        "Community Organizations Development Institute (Public Organization)": "7",
        "King Prajadhipok's Institute": "7",
        "National Health Commission Office": "8",
        "Thai Health Promotion Foundation": "8",
    }


def test_inferred_statements_are_marked(engine: Engine) -> None:
    rows = answer(engine, "13-inferred-statements.rq", "subject", "predicate", "object")
    assert ("National Health Commission Office", "promotes", "Health assembly") in rows
    assert all("Banchoet" not in " ".join(row) for row in rows)


def test_figures_of_the_related_news(engine: Engine) -> None:
    rows = answer(engine, "14-related-news-figures.rq", "value", "unit")
    assert ("34", "temporary shelters") in rows
    assert ("300000", "households") in rows
    assert ("22817", "households") in rows


@pytest.mark.parametrize("path", sorted(COMPETENCY_DIR.glob("*.rq")), ids=lambda p: p.name)
def test_every_question_has_an_answer(engine: Engine, path: Path) -> None:
    result = engine.query(path.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    assert list(result)
