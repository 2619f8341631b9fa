"""Where the project's own files are: the repository this package is installed from (editable)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "phakhi.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
EXTERNAL_LABELS_FILE = ONTOLOGY_DIR / "external-labels.ttl"
COMPETENCY_DIR = ONTOLOGY_DIR / "competency"
COOKBOOK_DIR = ROOT / "docs" / "cookbook"
DIST_DIR = ROOT / "dist"
