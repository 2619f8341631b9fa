"""Province boundaries: the simplified GeoJSON in data/geo/, projected to SVG path strings.

The file (see data/geo/ATTRIBUTION.md) is loaded once. Longitude/latitude are projected
equirectangularly, longitudes scaled by cos(latitude at the centre of Thailand), which keeps
shapes true enough at this size. Coordinates are written with fixed decimals, so the same
boundaries always give byte-identical paths.
"""

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from phakhi.graph.paths import DATA_DIR

GEOJSON = DATA_DIR / "geo" / "th_adm1.geojson"
CREDIT = (
    "Boundaries: Royal Thai Survey Department / UN OCHA (HDX COD-AB), CC BY-IGO; "
    "simplified by the mapthai project (MIT)."
)
LICENCE = "CC BY-IGO (boundaries), MIT (simplification); see data/geo/ATTRIBUTION.md"

Point = tuple[float, float]
Ring = tuple[Point, ...]


@dataclass(frozen=True)
class Province:
    """One province's boundary in longitude/latitude, keyed by its ISO 3166-2 code."""

    iso: str
    name_th: str
    name_en: str
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: outer ring, then holes

    def points(self) -> Iterator[Point]:
        for polygon in self.polygons:
            for ring in polygon:
                yield from ring


def iso_of(pcode: str) -> str:
    """ADM1_PCODE to ISO 3166-2: TH60 -> TH-60."""
    if len(pcode) != 4 or not pcode.startswith("TH") or not pcode[2:].isdigit():
        raise ValueError(f"not a Thai ADM1 code: {pcode!r}")
    return f"TH-{pcode[2:]}"


def _ring(raw: Any) -> Ring:
    return tuple((float(lon), float(lat)) for lon, lat, *_ in raw)


def _polygons(geometry: dict[str, Any]) -> tuple[tuple[Ring, ...], ...]:
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return (tuple(_ring(ring) for ring in coordinates),)
    if kind == "MultiPolygon":
        return tuple(tuple(_ring(ring) for ring in polygon) for polygon in coordinates)
    raise ValueError(f"unexpected geometry {kind!r}")


@lru_cache(maxsize=4)
def load(path: Path = GEOJSON) -> tuple[Province, ...]:
    """Every province of the file, sorted by ISO code (the order the SVG is drawn in)."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    provinces = []
    for feature in collection["features"]:
        props = feature["properties"]
        provinces.append(
            Province(
                iso=iso_of(props["ADM1_PCODE"]),
                name_th=str(props["ADM1_TH"]),
                name_en=str(props["ADM1_EN"]),
                polygons=_polygons(feature["geometry"]),
            )
        )
    provinces.sort(key=lambda province: province.iso)
    return tuple(provinces)


@dataclass(frozen=True)
class Projection:
    """lon/lat -> SVG x/y (y grows downwards), fitted to a box."""

    west: float
    north: float
    kx: float  # cos(lat0)
    scale: float  # pixels per degree of latitude
    dx: float
    dy: float

    def __call__(self, lon: float, lat: float) -> Point:
        return (
            self.dx + (lon - self.west) * self.kx * self.scale,
            self.dy + (self.north - lat) * self.scale,
        )


def fit(provinces: Sequence[Province], width: float, height: float, pad: float) -> Projection:
    """The projection that fits every province into width x height, pad on each side."""
    lons = [lon for province in provinces for lon, _ in province.points()]
    lats = [lat for province in provinces for _, lat in province.points()]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((north + south) / 2))
    scale = min((width - 2 * pad) / ((east - west) * kx), (height - 2 * pad) / (north - south))
    used_w, used_h = (east - west) * kx * scale, (north - south) * scale
    return Projection(west, north, kx, scale, (width - used_w) / 2, (height - used_h) / 2)


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return "0" if text.strip("-0.") == "" else text  # never "-0.0"


def path_data(province: Province, projection: Projection, decimals: int = 1) -> str:
    """The SVG path `d` of one province: absolute moves and lines, one subpath per ring."""
    parts = []
    for polygon in province.polygons:
        for ring in polygon:
            points = [projection(lon, lat) for lon, lat in ring]
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()
            coords = [f"{_number(x, decimals)},{_number(y, decimals)}" for x, y in points]
            deduped = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
            parts.append("M" + "L".join(deduped) + "Z")
    return "".join(parts)


@lru_cache(maxsize=16)
def paths(
    width: float, height: float, pad: float = 4.0, decimals: int = 1, path: Path = GEOJSON
) -> dict[str, str]:
    """ISO code -> SVG path `d`, for a map fitted into width x height."""
    provinces = load(path)
    projection = fit(provinces, width, height, pad)
    return {p.iso: path_data(p, projection, decimals) for p in provinces}


def names(path: Path = GEOJSON) -> dict[str, tuple[str, str]]:
    """ISO code -> (Thai name, English name) as the boundary file spells them."""
    return {p.iso: (p.name_th, p.name_en) for p in load(path)}
