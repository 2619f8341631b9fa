"""How fast a large network view becomes interactive in headless Chromium.

Builds a synthetic network (preferential attachment, seeded: the same every run) of N nodes
with the seed's kinds, labels, relations and one evidence passage per edge, renders the
standalone page (`phakhi viz`'s output: vis-network inline) into a temporary folder, opens it
from disk in headless Chromium (Debian's, with no network) and reports the time from
navigation to "laid out, frozen and drawn" (body[data-ready=true]: stabilisation done,
physics frozen, first frame painted), which is when the viewer can hover, click and search.

    .venv/bin/python bench/viz_large.py                 # 2,000 nodes, 3 runs
    .venv/bin/python bench/viz_large.py --nodes 500 --runs 1
"""

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from phakhi.graph.network import Network, Projection
from phakhi.viz.network_page import standalone
from phakhi.viz.network_view import KINDS, ViewSpec, build_view

BASE = "https://w3id.org/phakhi/id/"
SOURCE = BASE + "source/synthetic"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RELATIONS = [
    ("promotes", "ส่งเสริม", "promotes"),
    ("member_of", "สมาชิกของ", "member of"),
    ("works_on", "ทำงานด้านประเด็น", "works on"),
    ("in_province", "อยู่ในจังหวัด", "in province"),
    ("participated_in", "เข้าร่วม", "took part in"),
]


def synthetic(nodes: int, seed: int = 7) -> Projection:
    """A network shaped like the seed's, `nodes` nodes and about 2 edges per node."""
    rng = random.Random(seed)
    shape = nx.barabasi_albert_graph(nodes, 2, seed=seed)
    graph = Projection(name="synthetic")
    names: dict[int, str] = {}
    for index in sorted(shape.nodes):
        kind = rng.choice(KINDS)
        ident = f"n{index:05d}"
        iri = f"{BASE}{kind}/{ident}"
        names[index] = iri
        graph.add_node(
            iri,
            iri=iri,
            kind=kind,
            id=ident,
            label=f"หน่วยที่ {index} เครือข่ายพลเมือง",
            label_th=f"หน่วยที่ {index} เครือข่ายพลเมือง",
            label_en=f"Node {index} civic network",
            date="",
        )
    for u, v in sorted(shape.edges):
        relation, th, en = rng.choice(RELATIONS)
        evidence: list[dict[str, Any]] = [
            {
                "source": SOURCE,
                "source_title": "แหล่งข้อมูลสังเคราะห์",
                "quotes": [f"ข้อความที่ยกมาประกอบความสัมพันธ์ {u}–{v}"],
                "line": 1 + (u % 50),
                "inferred": rng.random() < 0.1,
            }
        ]
        graph.add_edge(
            names[u],
            names[v],
            key=relation,
            relation=relation,
            label=th,
            label_th=th,
            label_en=en,
            text_th="",
            text_en="",
            evidence=evidence,
        )
    return graph


def measure(nodes: int, runs: int, lang: str = "th", quiet: bool = False) -> dict[str, float]:
    """Build, render and open the view `runs` times; the figures (seconds, bytes)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    started = time.perf_counter()
    network = Network(synthetic(nodes))
    view = build_view(network, {}, ViewSpec(max_nodes=max(nodes, 1)))
    built = time.perf_counter()
    html = standalone(view, "th" if lang == "th" else "en")
    rendered = time.perf_counter()
    figures: dict[str, float] = {
        "nodes": float(len(view.nodes)),
        "edges": float(len(view.edges)),
        "build_s": built - started,
        "render_s": rendered - built,
        "html_bytes": float(len(html.encode("utf-8"))),
    }
    ready: list[float] = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        path = Path(folder) / "large.html"
        path.write_text(html, encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if route.request.url.startswith(("file:", "data:", "about:"))
                        else route.abort()
                    ),
                )
                clock = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-ready=true]", timeout=120_000)
                wall = time.perf_counter() - clock
                drawn = page.evaluate("window.network.body.data.nodes.length")
                if drawn != len(view.nodes):
                    raise RuntimeError(f"drew {drawn} nodes, expected {len(view.nodes)}")
                ready.append(wall)
                if not quiet:
                    inside = page.evaluate("window.phakhi.readyAt") / 1000
                    print(f"  run: interactive after {wall:.2f} s (page clock {inside:.2f} s)")
                page.close()
        finally:
            browser.close()
    figures["interactive_s_median"] = statistics.median(ready)
    figures["interactive_s_max"] = max(ready)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    figures = measure(args.nodes, args.runs)
    print(
        f"{int(figures['nodes'])} nodes, {int(figures['edges'])} edges: "
        f"view built in {figures['build_s']:.2f} s, page rendered in {figures['render_s']:.2f} s "
        f"({figures['html_bytes'] / 1e6:.1f} MB); interactive in headless Chromium after "
        f"{figures['interactive_s_median']:.2f} s (median of {args.runs}, "
        f"max {figures['interactive_s_max']:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
