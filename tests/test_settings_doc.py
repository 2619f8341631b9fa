"""Every setting is documented in docs/settings.md, and the page names no setting that is gone."""

import re

from phakhi.api.settings import Settings
from phakhi.graph.paths import ROOT

PAGE = ROOT / "docs" / "settings.md"


def test_every_setting_is_on_the_settings_page() -> None:
    listed = set(re.findall(r"^\| `PHAKHI_([A-Z_]+)` \|", PAGE.read_text(), re.MULTILINE))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_the_readme_points_to_the_settings_page() -> None:
    assert "docs/settings.md" in (ROOT / "README.md").read_text()
