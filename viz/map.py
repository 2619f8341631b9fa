"""The map of Thailand as SVG: provinces coloured by a question's answer, legend, credit line.

`render(data, lang)` gives the full map; `render_mini(data, lang, size)` the small one of entity
pages. Output is deterministic: provinces in ISO order, fixed number formatting, nothing that
depends on time or chance, so the same data gives the same bytes. Every province is
`<path id="TH-60" data-iso="TH-60" class="province highlighted" …>` with a `<title>` holding its
Thai and English names, inside `<a href="{link_base}/id/province/TH-60">` unless link_base is None.
"""

import argparse
import html
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from phakhi.viz import geo
from phakhi.viz.questions import Category, Lang, MapData, Text

NONE_FILL = "#e9e7e1"
STROKE = "#ffffff"
CATEGORICAL = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#882255")
SEQUENTIAL = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
FONT = "Garuda, Loma, 'Noto Sans Thai', Tahoma, 'DejaVu Sans', sans-serif"
SHORT_CREDIT = "Boundaries: RTSD / UN OCHA, CC BY-IGO; mapthai (MIT)"

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NONE_LABEL = Text("ไม่มีข้อมูล", "None")


def esc(text: str) -> str:
    """Text safe inside XML/HTML content and attribute values."""
    return html.escape(_XML_INVALID.sub("", text), quote=True)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Swatch:
    """One legend entry: a fill and its label."""

    fill: str
    label: Text


@dataclass(frozen=True)
class Colouring:
    fills: dict[str, str]  # iso -> fill, for provinces with a value
    labels: dict[str, Text]  # iso -> what the value means, for the hover title
    legend: tuple[Swatch, ...]


def _categorical(data: MapData) -> Colouring:
    fills_of: dict[str, str] = {}
    spare = iter(CATEGORICAL * 4)
    for category in data.categories:
        fills_of[category.key] = category.colour or next(spare)
    by_key: dict[str, Category] = {c.key: c for c in data.categories}
    fills, labels = {}, {}
    for iso, keys in sorted(data.values.items()):
        known = [key for key in keys if key in by_key]
        if not known:
            continue
        fills[iso] = fills_of[known[0]]
        names = [by_key[key].label for key in known]
        labels[iso] = Text(", ".join(n.th for n in names), ", ".join(n.en for n in names))
    legend = tuple(Swatch(fills_of[c.key], c.label) for c in data.categories)
    return Colouring(fills, labels, legend)


def count_bins(largest: int) -> list[tuple[int, int]]:
    """Up to five bins covering 1..largest, equal width (whole numbers)."""
    if largest <= 0:
        return []
    width = max(1, math.ceil(largest / len(SEQUENTIAL)))
    return [(low, min(low + width - 1, largest)) for low in range(1, largest + 1, width)]


def _count(data: MapData) -> Colouring:
    bins = count_bins(max(data.counts.values(), default=0))
    if len(bins) == 1:
        shades = [SEQUENTIAL[3]]
    else:
        last = len(SEQUENTIAL) - 1
        shades = [SEQUENTIAL[round(i * last / (len(bins) - 1))] for i in range(len(bins))]
    fills, labels = {}, {}
    for iso, count in sorted(data.counts.items()):
        for (low, high), shade in zip(bins, shades, strict=True):
            if low <= count <= high:
                fills[iso] = shade
                labels[iso] = Text(str(count), str(count))
    legend = []
    for (low, high), shade in zip(bins, shades, strict=True):
        span = str(low) if low == high else f"{low}–{high}"
        legend.append(Swatch(shade, Text(span, span)))
    return Colouring(fills, labels, tuple(legend))


def colouring(data: MapData) -> Colouring:
    return _count(data) if data.scale == "count" else _categorical(data)


def _name(iso: str, data: MapData, fallback: dict[str, tuple[str, str]]) -> Text:
    if iso in data.names:
        return data.names[iso]
    th, en = fallback.get(iso, (iso, iso))
    return Text(th, en)


def _hover(iso: str, name: Text, value: Text | None, lang: Lang) -> str:
    other: Lang = "en" if lang == "th" else "th"
    title = f"{name.get(lang)} — {name.get(other)} ({iso})"
    return title + (f": {value.get(lang)}" if value is not None else "")


def _provinces(
    data: MapData,
    lang: Lang,
    width: float,
    height: float,
    dx: float,
    dy: float,
    link_base: str | None,
    id_prefix: str,
    stroke_width: float = 0.6,
) -> list[str]:
    paths = geo.paths(width, height)
    fallback = geo.names()
    colours = colouring(data)
    out = [
        f'<g class="provinces" transform="translate({_num(dx)},{_num(dy)})" '
        f'stroke="{STROKE}" stroke-width="{_num(stroke_width)}" stroke-linejoin="round">'
    ]
    for iso, d in sorted(paths.items()):
        fill = colours.fills.get(iso)
        classes = "province highlighted" if fill else "province"
        value = ""
        if data.scale == "count" and iso in data.counts:
            value = str(data.counts[iso])
        elif iso in data.values:
            value = " ".join(data.values[iso])
        hover = _hover(iso, _name(iso, data, fallback), colours.labels.get(iso), lang)
        element = (
            f'<path id="{esc(id_prefix + iso)}" data-iso="{iso}" class="{classes}" '
            f'data-value="{esc(value)}" fill="{fill or NONE_FILL}" d="{d}">'
            f"<title>{esc(hover)}</title></path>"
        )
        if link_base is not None:
            element = f'<a href="{esc(link_base)}/id/province/{iso}">{element}</a>'
        out.append(element)
    out.append("</g>")
    return out


_THAI = re.compile("[\u0e00-\u0e7f]")


def _pieces(word: str, width: int) -> list[str]:
    """A word too long for a line, cut where Thai words end (Thai writes no spaces)."""
    if len(word) <= width or not _THAI.search(word):
        return [word]
    from pythainlp.tokenize import word_tokenize

    return [token for token in word_tokenize(word, keep_whitespace=False) if token]


def wrap(text: str, width: int) -> list[str]:
    """Lines of about `width` characters: break at spaces, and inside long Thai runs at word
    ends; a single longer word stays whole."""
    lines: list[str] = []
    for word in text.split():
        for index, piece in enumerate(_pieces(word, width)):
            joiner = " " if index == 0 else ""  # pieces of one word join without a space
            if lines and len(lines[-1]) + len(joiner) + len(piece) <= width:
                lines[-1] += joiner + piece
            else:
                lines.append(piece)
    return lines or [""]


_STYLE = (
    "<style>"
    ".province:hover{stroke:#1a1a1a;stroke-width:1.5}"
    "a:focus .province{stroke:#1a1a1a;stroke-width:1.5}"
    "a{cursor:pointer}"
    "</style>"
)

# the full map's layout
MAP_W, MAP_H = 360.0, 662.0
LEGEND_W = 230.0
WIDTH = MAP_W + LEGEND_W


def render(data: MapData, lang: Lang = "th", *, link_base: str | None = "") -> str:
    """The full map: title, provinces, legend (right), credit line (bottom left corner)."""
    other: Lang = "en" if lang == "th" else "th"
    head = [(data.title.get(lang), 16, "bold")]
    if data.subtitle is not None:
        head += [(line, 12, "normal") for line in wrap(data.subtitle.get(lang), 80)]
    top = 12 + sum(size + 6 for _, size, _ in head)
    credit_lines = wrap(geo.CREDIT, 96)
    height = top + MAP_H + 12 + 12 * len(credit_lines)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(WIDTH)} {_num(height)}" '
        f'width="{_num(WIDTH)}" height="{_num(height)}" role="img" '
        f'aria-labelledby="map-title" font-family="{esc(FONT)}" '
        f'data-question="{esc(data.question)}" lang="{lang}">',
        f'<title id="map-title">{esc(data.title.get(lang))} — {esc(data.title.get(other))}</title>',
        f"<desc>{esc(geo.CREDIT)}</desc>",
        _STYLE,
        f'<rect width="{_num(WIDTH)}" height="{_num(height)}" fill="#ffffff"/>',
    ]
    y = 12.0
    for text, size, weight in head:
        y += size + 2
        out.append(
            f'<text x="12" y="{_num(y)}" font-size="{size}" font-weight="{weight}" '
            f'fill="#1a1a1a">{esc(text)}</text>'
        )
        y += 4
    out += _provinces(data, lang, MAP_W, MAP_H, 0.0, top, link_base, "")
    out += _legend(data, lang, MAP_W + 10, top + 10)
    y = top + MAP_H + 4
    for line in credit_lines:
        y += 12
        out.append(
            f'<text class="credit" x="12" y="{_num(y)}" font-size="9" '
            f'fill="#555555">{esc(line)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(data: MapData, lang: Lang, x: float, y: float) -> list[str]:
    colours = colouring(data)
    title = {"count": Text("จำนวน", "Count")}.get(data.scale, Text("คำอธิบายสี", "Legend"))
    out = [
        f'<g class="legend" transform="translate({_num(x)},{_num(y)})">',
        f'<text x="0" y="12" font-size="12" font-weight="bold" fill="#1a1a1a">'
        f"{esc(title.get(lang))}</text>",
    ]
    row = 24.0
    for swatch in (*colours.legend, Swatch(NONE_FILL, _NONE_LABEL)):
        lines = wrap(swatch.label.get(lang), 30)
        out.append(
            f'<rect x="0" y="{_num(row)}" width="14" height="14" fill="{swatch.fill}" '
            f'stroke="#999999" stroke-width="0.5"/>'
        )
        for index, line in enumerate(lines):
            out.append(
                f'<text x="20" y="{_num(row + 11 + 14 * index)}" font-size="11" '
                f'fill="#1a1a1a">{esc(line)}</text>'
            )
        row += 8 + 14 * max(1, len(lines))
    out.append("</g>")
    return out


def render_mini(
    data: MapData,
    lang: Lang = "th",
    *,
    size: int = 160,
    link_base: str | None = "",
    id_prefix: str = "mini-",
) -> str:
    """A small map (size = width in px) for entity pages: provinces and a short credit line
    (the full one in its hover title and <desc>); ids are prefixed so it can share a page."""
    ratio = MAP_H / MAP_W
    width, map_h = float(size), round(size * ratio, 1)
    height = map_h + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img" class="map-mini" '
        f'font-family="{esc(FONT)}" data-question="{esc(data.question)}" lang="{lang}">',
        f"<title>{esc(data.title.get(lang))}</title>",
        f"<desc>{esc(geo.CREDIT)}</desc>",
        _STYLE,
    ]
    out += _provinces(data, lang, width, map_h, 0.0, 0.0, link_base, id_prefix, 0.3)
    out.append(
        f'<text class="credit" x="1" y="{_num(height - 2)}" font-size="5" '
        f'fill="#666666"><title>{esc(geo.CREDIT)}</title>{esc(SHORT_CREDIT)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def page(svg: str, data: MapData, lang: Lang = "th") -> str:
    """A standalone HTML file around one map: no scripts, no external assets."""
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(data.title.get(lang))}</title>\n"
        "<style>body{margin:16px;font-family:" + FONT + "}"
        "svg{max-width:100%;height:auto}</style>\n</head>\n<body>\n"
        f"{svg}</body>\n</html>\n"
    )


def to_png(svg: str, zoom: float = 2.0) -> bytes:
    """Rasterise a map with resvg (a self-contained wheel: no Cairo, no browser).

    Raises RuntimeError when resvg-py is not installed."""
    try:
        import resvg_py
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise RuntimeError("PNG export needs the resvg-py package") from error
    data: bytes = resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="#ffffff")
    return bytes(data)


# -- the `phakhi map` command ----------------------------------------------------------------


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """`k=v` pairs (from --param) into a dict; ValueError on a pair without '='."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--param {pair!r}: expected key=value")
        params[key.strip()] = value.strip()
    return params


def write(output: Path, data: MapData, lang: Lang, link_base: str | None) -> None:
    """Write the map to output: .svg, .html or .png by its suffix."""
    svg = render(data, lang, link_base=link_base)
    suffix = output.suffix.lower()
    if suffix == ".svg":
        output.write_text(svg, encoding="utf-8")
    elif suffix in (".html", ".htm"):
        output.write_text(page(svg, data, lang), encoding="utf-8")
    elif suffix == ".png":
        output.write_bytes(to_png(svg))
    else:
        raise ValueError(f"{output}: write .svg, .html or .png")


def command(args: argparse.Namespace) -> int:
    """`phakhi map`: answer a question over the seed (or --data files) and write the map."""
    from phakhi.graph.loader import load_files, open_seed
    from phakhi.graph.paths import DATA_DIR, ONTOLOGY_FILE
    from phakhi.graph.problems import SourceErrors
    from phakhi.graph.store import OxigraphStore
    from phakhi.viz.questions import QuestionError, ask

    output = Path(args.output)
    if output.suffix.lower() not in (".svg", ".html", ".htm", ".png"):
        print(f"{output}: write .svg, .html or .png", file=sys.stderr)
        return 2
    try:
        params = parse_params(args.param or [])
        if getattr(args, "as_of", None):
            params["as_of"] = args.as_of
        if args.data:
            engine = OxigraphStore()
            load_files(engine, list(args.data))
        else:
            engine = open_seed(DATA_DIR, ONTOLOGY_FILE)
        data = ask(engine, args.question, params)
        write(output, data, args.lang, args.link_base)
    except SourceErrors as errors:
        for problem in errors.problems:
            print(problem, file=sys.stderr)
        return 1
    except QuestionError as error:
        allowed = f" (one of: {', '.join(error.allowed)})" if error.allowed else ""
        print(f"phakhi map: {error.message}{allowed}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError, OSError) as error:
        print(f"phakhi map: {error}", file=sys.stderr)
        return 1
    shown = ", ".join(data.highlighted()) or "none"
    print(f"wrote {output} ({data.question}; provinces: {shown})")
    return 0


def add_command(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
) -> argparse.ArgumentParser:
    """Add `phakhi map` to the CLI's sub-commands; sets defaults(run=command)."""
    from phakhi.viz.questions import QUESTIONS

    sub = commands.add_parser("map", help="draw a map of Thailand answering a question")
    sub.add_argument("--question", required=True, choices=sorted(QUESTIONS))
    sub.add_argument(
        "--param",
        action="append",
        metavar="K=V",
        help="a parameter of the question (repeatable), e.g. phase=2",
    )
    sub.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="the map as the graph stood on that day (same as --param as_of=YYYY-MM-DD)",
    )
    sub.add_argument("--lang", choices=("th", "en"), default="th")
    sub.add_argument(
        "--link-base",
        default=None,
        metavar="URL",
        help="link provinces to URL/id/province/TH-xx (e.g. a running server); "
        "default: no links, the file stands alone",
    )
    sub.add_argument("--data", nargs="+", type=Path, help="RDF files instead of the seed")
    sub.add_argument("-o", "--output", required=True, help="file.svg, file.html or file.png")
    run: Callable[[argparse.Namespace], int] = command
    sub.set_defaults(run=run)
    return sub
