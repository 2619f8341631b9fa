"""A View as an HTML page: pyvis builds the vis-network nodes, edges and options, our own
template (viz/templates/network.html, autoescaped) draws them with vis-network 9.1.2 from the
pyvis wheel and viz/static/network.js.

Two ways to get the scripts and styles, never from a CDN and never by writing a lib/ folder:
  assets="inline"   everything inside the file (a standalone file that works from disk)
  assets=<url>      <url>/<name> for each name of ASSETS (the app serves /viz/assets/...)

Nothing from the data reaches HTML unescaped: text goes through Jinja's autoescape, the view's
data travels as JSON in a <script type="application/json"> with <, > and & written as \\u003c…
(so "</script>" cannot end it), and network.js builds tooltips with textContent. Pages carry a
Content-Security-Policy: no inline script but ours (by hash), no request anywhere else.
"""

import base64
import hashlib
import importlib.util
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from phakhi.viz.network_view import MAX_SIZE, MIN_SIZE, Lang, Text, View


def _pyvis_lib() -> Path:
    """pyvis's lib/ folder (where the wheel ships vis-network), found without importing it."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise ImportError("the network views need pyvis (pip install pyvis==0.3.2)")
    return Path(spec.origin).resolve().parent / "lib"


PYVIS_LIB = _pyvis_lib()
VIS_DIR = PYVIS_LIB / "vis-9.1.2"
HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
FONT_MIN, FONT_MAX = 12.0, 34.0
FONT = "Garuda, Loma, 'Noto Sans Thai', Tahoma, 'DejaVu Sans', sans-serif"

# name served under /viz/assets/ → (file, media type)
ASSETS: dict[str, tuple[Path, str]] = {
    "vis-network.min.js": (VIS_DIR / "vis-network.min.js", "text/javascript; charset=utf-8"),
    "vis-network.css": (VIS_DIR / "vis-network.css", "text/css; charset=utf-8"),
    "network.js": (STATIC / "network.js", "text/javascript; charset=utf-8"),
    "network.css": (STATIC / "network.css", "text/css; charset=utf-8"),
}
SCRIPTS = ("vis-network.min.js", "network.js")
STYLES = ("vis-network.css", "network.css")

_TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)

# words of the page and of the tooltips (network.js reads config.ui)
UI: dict[str, Text] = {
    "search": Text("ค้นหา", "Search"),
    "search_hint": Text("ชื่อหรือรหัส", "name or id"),
    "find": Text("ไปที่", "Find"),
    "not_found": Text("ไม่พบ", "Not found"),
    "freeze": Text("หยุดการเคลื่อนไหว", "Freeze physics"),
    "resume": Text("ให้เคลื่อนไหวต่อ", "Resume physics"),
    "png": Text("ดาวน์โหลด PNG", "Download PNG"),
    "html": Text("ดาวน์โหลด HTML", "Download HTML"),
    "json": Text("JSON", "JSON"),
    "views": Text("มุมมองทั้งหมด", "All views"),
    "legend": Text("คำอธิบายสัญลักษณ์", "Legend"),
    "size_degree": Text(
        "ขนาด = จำนวนความเชื่อมโยง (ทั้งเครือข่าย)", "Size = degree (in the whole network)"
    ),
    "size_betweenness": Text(
        "ขนาด = ค่าความเป็นตัวกลาง (ทั้งเครือข่าย)",
        "Size = betweenness (in the whole network)",
    ),
    "size_none": Text("ขนาดเท่ากันทุกหน่วย", "All nodes the same size"),
    "dashed": Text("เส้นประ = ข้อสรุปของผู้จัดทำข้อมูล", "Dashed = the curator's inference"),
    "counts": Text("หน่วย / ความสัมพันธ์", "nodes / edges"),
    "hint_link": Text(
        "ชี้ที่หน่วยหรือเส้นเพื่อดูรายละเอียดและแหล่งข้อมูล คลิกหน่วยเพื่อเปิดหน้าของหน่วยนั้น",
        "Point at a node or edge for details and sources; click a node to open its page.",
    ),
    "hint_nolink": Text(
        "ชี้ที่หน่วยหรือเส้นเพื่อดูรายละเอียดและแหล่งข้อมูล",
        "Point at a node or edge for details and sources.",
    ),
    "settling": Text("กำลังจัดวาง", "Laying out"),
    "ready": Text("พร้อม", "Ready"),
    "source": Text("แหล่งข้อมูล", "Source"),
    "inferred": Text("ข้อสรุปของผู้จัดทำข้อมูล", "Curator's inference"),
    "reference": Text("ข้อมูลอ้างอิง (ไม่มีแหล่งข้อมูล)", "Reference data (no source)"),
    "filters": Text("จำกัดมุมมอง", "Narrow the view"),
    "empty": Text("ไม่มีหน่วยใดตรงกับตัวกรอง", "No node matches the filters"),
    "index_title": Text("มุมมองเครือข่าย", "Network views"),
    "index_intro": Text(
        "ภาพเครือข่ายที่สำรวจได้: ชี้เพื่อดูรายละเอียดและแหล่งข้อมูล คลิกเพื่อเปิดหน้าของหน่วย "
        "ค้นหา ซูม และดาวน์โหลดเป็น HTML หรือ PNG",
        "Network pictures to explore: point for details and sources, click to open an entity's "
        "page, search, zoom, and download as HTML or PNG.",
    ),
    "open": Text("เปิด", "Open"),
    "entity": Text("หน่วย (ประเภท/รหัส)", "Entity (kind/id)"),
    "depth": Text("ระยะ (ขั้น)", "Depth (steps)"),
    "open_with": Text("เปิดมุมมองด้วยตัวกรองนี้:", "Open a view with these filters:"),
    "version": Text("ข้อมูลรุ่น", "Dataset version"),
    "as_of": Text("ณ วันที่", "As of"),
}


ANY = Text("ทั้งหมด", "Any")


@dataclass(frozen=True)
class FormField:
    """A control of the filter form."""

    name: str
    label: Text
    kind: Literal["select", "checkboxes", "number", "date"]
    options: tuple[tuple[str, Text], ...] = ()
    value: tuple[str, ...] = ()
    any_label: Text | None = ANY


@dataclass(frozen=True)
class ServerLinks:
    """What only a served page has: links back to the app and the filter form."""

    index: str
    html_download: str
    json: str
    form_action: str
    fields: tuple[FormField, ...] = ()


@dataclass(frozen=True)
class PageOptions:
    lang: Lang = "th"
    link_base: str | None = None  # clicks open link_base + /id/kind/id; None: no navigation
    assets: str = "inline"  # "inline" or the URL prefix of ASSETS
    server: ServerLinks | None = None
    filename: str = "phakhi-network"


# -- pyvis: nodes, edges, options ------------------------------------------------------------


def _darker(colour: str, factor: float = 0.7) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (red, green, blue)))


def _share(size: float) -> float:
    span = MAX_SIZE - MIN_SIZE
    return min(1.0, max(0.0, (size - MIN_SIZE) / span)) if span else 0.0


def vis_options(view: View) -> dict[str, Any]:
    """vis-network options: a seeded layout, physics that stabilises (then network.js freezes
    it), hover tooltips; lighter settings for large views."""
    count = len(view.nodes)
    large = count > 300
    # stabilisation costs iterations x n log n: fewer, coarser iterations for large views keep
    # a 2,000-node view interactive within a few seconds (bench/viz_large.py)
    iterations = 1000 if count <= 200 else max(100, min(600, 120_000 // count))
    options: dict[str, Any] = {
        "autoResize": True,
        "layout": {"randomSeed": view.seed, "improvedLayout": not large},
        "nodes": {
            "borderWidth": 1,
            "font": {"size": 14, "face": FONT, "strokeWidth": 4, "strokeColor": "#ffffff"},
            # labels smaller than this on screen are not drawn: at first sight only the
            # larger (more central) nodes are named, zooming in names the rest
            "scaling": {"label": {"drawThreshold": 7}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#9a9a9a", "highlight": "#303030", "hover": "#303030"},
            "font": {
                "size": 10,
                "face": FONT,
                "color": "#555555",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
                "align": "middle",
            },
            "smooth": {"enabled": not large, "type": "continuous", "roundness": 0.3},
            "width": 1,
            "selectionWidth": 2,
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            # gravity that does not weaken with distance keeps small components near the
            # main one, so the first fit shows the network large enough to read
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.012,
                "springLength": 110,
                "springConstant": 0.06,
                "damping": 0.5,
                "avoidOverlap": 0.4,
                "theta": 0.9 if count > 500 else 0.5,  # Barnes-Hut approximation
            },
            "minVelocity": 1.0,
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 25,
                "fit": False,  # network.js fits once the layout is frozen
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 100,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "navigationButtons": False,
        },
    }
    if view.layout == "layered":
        options["layout"]["hierarchical"] = {
            "enabled": True,
            "direction": "LR",
            "levelSeparation": 400,
            "nodeSpacing": 60,
            "treeSpacing": 80,
            "sortMethod": "directed",
            "shakeTowards": "roots",
        }
        options["physics"]["solver"] = "hierarchicalRepulsion"
        options["physics"]["hierarchicalRepulsion"] = {
            "nodeDistance": 110,
            "springLength": 120,
            "avoidOverlap": 0.6,
        }
        options["edges"]["smooth"] = {
            "enabled": True,
            "type": "cubicBezier",
            "forceDirection": "horizontal",
            "roundness": 0.4,
        }
    return options


def to_pyvis(view: View, lang: Lang) -> Any:
    """A pyvis Network holding the view's nodes and edges (vis fields plus the view's own, which
    network.js reads for labels, tooltips and links) and options."""
    from pyvis.edge import Edge
    from pyvis.network import Network as PyvisNetwork

    net = PyvisNetwork(directed=True, cdn_resources="remote")  # writes no lib/ folder
    for node in view.nodes:
        extra: dict[str, Any] = {}
        if node.level is not None:
            extra["level"] = node.level
        # label size follows node size (12-28 px), so the central nodes are named first
        font = round(FONT_MIN + (FONT_MAX - FONT_MIN) * _share(node.size), 1)
        extra["font"] = {"size": font}
        if node.centre:
            extra["borderWidth"] = 4
            extra["font"] = {"size": FONT_MAX, "bold": True}
        net.add_node(
            node.id,
            label=node.label_th if lang == "th" else node.label_en,
            shape=node.shape,
            color={
                "background": node.colour,
                "border": _darker(node.colour),
                "highlight": {"background": node.colour, "border": "#000000"},
                "hover": {"background": node.colour, "border": "#000000"},
            },
            size=node.size,
            **extra,
            **node.model_dump(include=_NODE_FIELDS),
        )
    for edge in view.edges:
        attrs: dict[str, Any] = edge.model_dump(include=_EDGE_FIELDS)
        attrs["label"] = edge.label_th if lang == "th" else edge.label_en
        if edge.inferred:
            attrs["dashes"] = True
        if edge.curve:
            attrs["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if edge.curve > 0 else "curvedCCW",
                "roundness": abs(edge.curve),
            }
        # Edge() directly: add_edge's existence checks are linear per edge, and the view only
        # has edges between its nodes
        net.edges.append(Edge(edge.source, edge.target, directed=True, **attrs).options)
    net.options = vis_options(view)
    return net


_NODE_FIELDS = {
    "kind",
    "entity_id",
    "label_th",
    "label_en",
    "kind_th",
    "kind_en",
    "page",
    "score",
    "degree",
    "centre",
}
_EDGE_FIELDS = {
    "id",
    "relation",
    "label_th",
    "label_en",
    "text_th",
    "text_en",
    "inferred",
    "evidence",
}


# -- the page --------------------------------------------------------------------------------


def script_json(data: Any) -> str:
    """JSON that is safe inside <script>: no <, > or & (so no "</script>" or "<!--"), and no
    line separators that old parsers choke on."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@cache
def asset_text(name: str) -> str:
    path, _ = ASSETS[name]
    return path.read_text(encoding="utf-8")


def _inline_script(text: str) -> str:
    """Script text safe to inline: "</script" and "<!--" can only occur in its strings, where
    "<\\/" and "<\\!" mean the same."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _inline_style(text: str) -> str:
    if "</style" in text.lower():
        raise ValueError("a stylesheet that closes its <style> element")
    return text


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(inline_scripts: Sequence[str] = (), *, header: bool = True) -> str:
    """The policy of a page: scripts only from the app (or the inline ones, by hash), images
    only from data:/blob: (the PNG export), no connections, forms only back to the app.
    (frame-ancestors only works in a header, not in a <meta>.)"""
    scripts = " ".join(["'self'", *(_hash(s) for s in inline_scripts)])
    policy = (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'none'; "
        "form-action 'self'; base-uri 'none'"
    )
    return policy + "; frame-ancestors 'self'" if header else policy


def bilingual(text: Text, lang: Lang, tag: str = "span") -> Markup:
    """<span data-th=… data-en=…>text</span>: network.js swaps the text on a language switch."""
    return Markup(
        f'<{tag} data-th="{escape(text.th)}" data-en="{escape(text.en)}">'
        f"{escape(text.get(lang))}</{tag}>"
    )


def page_data(view: View, options: PageOptions) -> dict[str, Any]:
    """What network.js gets: nodes, edges and options from pyvis, and the page's config."""
    net = to_pyvis(view, options.lang)
    nodes, edges, _, _, _, _ = net.get_network_data()
    return {
        "nodes": nodes,
        "edges": edges,
        "options": net.options,
        "sources": {iri: source.model_dump() for iri, source in view.sources.items()},
        "config": {
            "lang": options.lang,
            "linkBase": options.link_base,
            "served": options.server is not None,
            "filename": options.filename,
            "title": {"th": view.title_th, "en": view.title_en},
            "centre": view.centre,
            "ui": {key: {"th": t.th, "en": t.en} for key, t in UI.items()},
        },
    }


@dataclass(frozen=True)
class Rendered:
    html: str
    csp: str


def render_page(view: View, options: PageOptions) -> Rendered:
    """The page of a view, and the Content-Security-Policy it needs."""
    lang = options.lang
    inline = options.assets == "inline"
    scripts = [_inline_script(asset_text(name)) for name in SCRIPTS] if inline else []
    html = _TEMPLATES.get_template("network.html").render(
        view=view,
        lang=lang,
        data=Markup(script_json(page_data(view, options))),
        inline=inline,
        scripts=[Markup(s) for s in scripts],
        styles=[Markup(_inline_style(asset_text(n))) for n in STYLES] if inline else [],
        script_urls=[f"{options.assets}/{n}" for n in SCRIPTS] if not inline else [],
        style_urls=[f"{options.assets}/{n}" for n in STYLES] if not inline else [],
        server=options.server,
        link_base=options.link_base,
        title=Text(view.title_th, view.title_en),
        description=Text(view.description_th, view.description_en),
        notices=[Text(n.th, n.en) for n in view.notices],
        legend=[(entry, Text(entry.label_th, entry.label_en)) for entry in view.legend],
        capped=any(n.code == "capped" for n in view.notices),
        size_text=UI[f"size_{view.size}"],
        ui=UI,
        t=lambda key: bilingual(UI[key], lang),
        bi=lambda text, tag="span": bilingual(text, lang, tag),
        csp=content_security_policy(scripts, header=False),
    )
    return Rendered(html, content_security_policy(scripts))


def standalone(view: View, lang: Lang = "th", link_base: str | None = None) -> str:
    """A file that works from disk: every script and style inline, no server links."""
    return render_page(view, PageOptions(lang=lang, link_base=link_base, assets="inline")).html


def index_page(
    *,
    lang: Lang,
    root: str,
    views: Sequence[tuple[str, str, Any]],
    ego: Any,
    entities: list[tuple[str, Text]],
    fields: tuple[FormField, ...],
) -> Rendered:
    """/viz: the views with what each answers, a form for an ego network, the filter form."""
    html = _TEMPLATES.get_template("index.html").render(
        lang=lang,
        root=root,
        views=views,
        ego=ego,
        entities=entities,
        fields=fields,
        ui=UI,
        t=lambda key: bilingual(UI[key], lang),
        bi=lambda text, tag="span": bilingual(text, lang, tag),
        other="en" if lang == "th" else "th",
    )
    return Rendered(html, content_security_policy())
