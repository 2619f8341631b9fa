"""`phakhi suggest` drafts a source from a new article; the filled-in draft validates."""

import shutil
import subprocess
import sys
from pathlib import Path

from phakhi.graph.build import check
from phakhi.graph.paths import DATA_DIR
from phakhi.graph.suggest import candidates, dates, thai_date

ARTICLE = Path(__file__).parent / "articles" / "test-article.txt"


def test_thai_dates_become_iso() -> None:
    assert thai_date("๑๑", "มิถุนายน", "๒๕๖๗") == "2024-06-11"
    assert thai_date("7", "ก.ย.", "2567") == "2024-09-07"
    assert thai_date("1", "มกราคม", "2024") == "2024-01-01"
    assert dates("วันนี้ 11 มิถุนายน พ.ศ. 2567 และ 30 ก.ย. 2567") == ["2024-06-11", "2024-09-30"]


def test_people_and_organisations_are_candidates() -> None:
    found = {(c.kind, c.name, c.honorific) for c in candidates(ARTICLE.read_text())}
    assert ("person", "สมมติ ทดสอบดี", "นาย") in found
    assert ("person", "ตัวอย่าง ใจงาม", "นางสาว") in found
    assert any(
        kind == "agency" and name.startswith("เครือข่ายสภาองค์กรชุมชน") for kind, name, _ in found
    )


def suggest(data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phakhi.api.cli", "suggest", str(ARTICLE), "--data", str(data)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_draft_names_known_entities_and_validates_once_filled(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    assert suggest(data).returncode == 0
    draft_path = data / "sources" / "test-article.yaml"
    draft = draft_path.read_text(encoding="utf-8")
    for known in ("codi (agency)", "thaihealth (agency)", "TH-23 (province)",
                  "community-organisation-council (mechanism-type)"):  # fmt: skip
        assert known in draft
    assert "date: 2024-08-15" in draft
    problems = check(data)
    assert problems and all("TODO" in p for p in problems)

    filled = draft.replace("TODO-publisher-id", "codi").replace("en: TODO", "en: Filled in")
    filled = filled.replace("todo-person-", "person-").replace("todo-agency-", "agency-")
    draft_path.write_text(filled, encoding="utf-8")
    assert check(data) == []
    assert suggest(data).returncode == 1  # an existing draft is not overwritten
