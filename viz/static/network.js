/* Phakhi network views: draws the view embedded in #phakhi-view with vis-network.
 *
 * Text from the data only ever reaches the page through textContent or DOM properties (and the
 * canvas): tooltips are elements built here, never HTML strings.
 *
 * For tests and tools: window.network (the vis Network), window.phakhi = {nodes, edges (the vis
 * DataSets), ready, frozen, setLang(lang), focusNode(id)}; body[data-ready="true"] once the
 * layout has settled and been drawn.
 */
(function () {
  "use strict";

  var payload = JSON.parse(document.getElementById("phakhi-view").textContent);
  var config = payload.config;
  var ui = config.ui;
  var lang = config.lang;
  var sources = payload.sources || {};
  var byId = {};
  payload.nodes.forEach(function (node) {
    byId[node.id] = node;
  });

  function t(key) {
    var entry = ui[key];
    return entry ? entry[lang] : key;
  }

  function other(code) {
    return code === "th" ? "en" : "th";
  }

  function el(tag, className, text) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined && text !== null) {
      element.textContent = String(text);
    }
    return element;
  }

  function label(item) {
    return item["label_" + lang] || item["label_" + other(lang)] || item.id;
  }

  function nodeTitle(node) {
    var box = el("div", "phk-tip");
    box.appendChild(el("div", "phk-tip-title", label(node)));
    var alt = node["label_" + other(lang)];
    if (alt && alt !== label(node)) {
      box.appendChild(el("div", "phk-tip-alt", alt));
    }
    box.appendChild(el("div", "phk-tip-kind", node["kind_" + lang] + " · " + node.entity_id));
    return box;
  }

  function edgeTitle(edge) {
    var box = el("div", "phk-tip");
    box.appendChild(el("div", "phk-tip-title", label(edge)));
    var alt = edge["label_" + other(lang)];
    if (alt && alt !== label(edge)) {
      box.appendChild(el("div", "phk-tip-alt", alt));
    }
    var from = byId[edge.from];
    var to = byId[edge.to];
    box.appendChild(
      el("div", "phk-tip-ends", (from ? label(from) : edge.from) + " → " + (to ? label(to) : edge.to))
    );
    var text = edge["text_" + lang] || edge["text_" + other(lang)];
    if (text) {
      box.appendChild(el("div", "phk-tip-text", text));
    }
    if (edge.inferred) {
      box.appendChild(el("div", "phk-tip-inferred", t("inferred")));
    }
    if (!edge.evidence || !edge.evidence.length) {
      box.appendChild(el("div", "phk-tip-ref", t("reference")));
    }
    (edge.evidence || []).forEach(function (evidence) {
      var item = el("div", "phk-tip-source");
      var source = sources[evidence.source] || { title: evidence.source, tier: null };
      var heading = t("source") + ": " + source.title + (source.tier ? " (" + source.tier + ")" : "");
      item.appendChild(el("div", "phk-tip-source-title", heading));
      evidence.quotes.forEach(function (quote) {
        item.appendChild(el("blockquote", "phk-tip-quote", "“" + quote + "”"));
      });
      if (evidence.inferred && !edge.inferred) {
        item.appendChild(el("div", "phk-tip-inferred", t("inferred")));
      }
      box.appendChild(item);
    });
    return box;
  }

  function visNode(node) {
    return Object.assign({}, node, { label: label(node), title: nodeTitle(node) });
  }

  function visEdge(edge) {
    return Object.assign({}, edge, { label: label(edge), title: edgeTitle(edge) });
  }

  var embedded = false;
  try {
    embedded = window.self !== window.top;
  } catch (error) {
    embedded = true;
  }
  if (embedded) {
    document.body.classList.add("phk-embedded");
  }

  var status = document.getElementById("phk-status");
  var container = document.getElementById("phk-network");
  var nodes = new vis.DataSet(payload.nodes.map(visNode));
  var edges = new vis.DataSet(payload.edges.map(visEdge));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
  var state = { nodes: nodes, edges: edges, ready: false, frozen: false };
  window.network = network;
  window.phakhi = state;

  // a white background, so the PNG export is not transparent
  network.on("beforeDrawing", function (context) {
    context.save();
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, context.canvas.width, context.canvas.height);
    context.restore();
  });

  // -- physics: settle, then freeze (the same data gives the same picture) -----------------
  var freezeButton = document.getElementById("phk-freeze");

  function freeze(on) {
    state.frozen = on;
    network.setOptions({ physics: { enabled: !on } });
    freezeButton.setAttribute("aria-pressed", on ? "true" : "false");
    freezeButton.textContent = t(on ? "resume" : "freeze");
  }

  freezeButton.addEventListener("click", function () {
    freeze(!state.frozen);
  });

  function ready() {
    if (state.ready) {
      return;
    }
    state.ready = true;
    state.readyAt = window.performance.now(); // ms since the page started loading
    status.textContent = payload.nodes.length ? t("ready") : t("empty");
    document.body.setAttribute("data-ready", "true");
  }

  network.on("stabilizationProgress", function (progress) {
    status.textContent = t("settling") + " " + Math.round((100 * progress.iterations) / progress.total) + "%";
  });
  network.once("stabilizationIterationsDone", function () {
    freeze(true);
    // after vis-network has finished its own post-stabilisation work (and sized its canvas)
    window.setTimeout(function () {
      network.fit();
      network.once("afterDrawing", ready);
      network.redraw();
    }, 0);
  });
  if (!payload.nodes.length) {
    ready();
  }

  // a resize (a scroll bar, a frame) before the viewer has moved anything: fit again
  var moved = false;
  ["dragStart", "zoom"].forEach(function (name) {
    network.on(name, function () {
      moved = true;
    });
  });
  network.on("resize", function () {
    if (state.ready && !moved) {
      network.fit();
    }
  });

  // -- click opens the entity page ---------------------------------------------------------
  function open(node, newTab) {
    if (config.linkBase === null || config.linkBase === undefined) {
      return;
    }
    var href = config.linkBase + node.page;
    if (newTab) {
      window.open(href, "_blank", "noopener");
      return;
    }
    try {
      // embedded in an entity page (an iframe): open the entity in the page, not the frame
      window.top.location.href = href;
    } catch (error) {
      window.location.href = href;
    }
  }

  network.on("click", function (params) {
    if (!params.nodes.length) {
      return;
    }
    var node = byId[params.nodes[0]];
    var source = params.event && params.event.srcEvent;
    if (node) {
      open(node, Boolean(source && (source.ctrlKey || source.metaKey)));
    }
  });

  // -- search: focus a node ----------------------------------------------------------------
  var search = document.getElementById("phk-search");
  var list = document.getElementById("phk-search-list");

  function fillList() {
    list.textContent = "";
    payload.nodes.forEach(function (node) {
      var option = document.createElement("option");
      option.value = label(node);
      option.label = node["kind_" + lang];
      list.appendChild(option);
    });
    search.placeholder = search.getAttribute("data-placeholder-" + lang) || "";
  }

  function find(text) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) {
      return null;
    }
    var names = function (node) {
      return [node.label_th, node.label_en, node.entity_id, node.id].map(function (name) {
        return String(name || "").toLowerCase();
      });
    };
    var exact = payload.nodes.filter(function (node) {
      return names(node).indexOf(wanted) >= 0;
    });
    if (exact.length) {
      return exact[0];
    }
    var partial = payload.nodes.filter(function (node) {
      return names(node).some(function (name) {
        return name.indexOf(wanted) >= 0;
      });
    });
    return partial.length ? partial[0] : null;
  }

  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
  }
  state.focusNode = focusNode;

  document.getElementById("phk-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var node = find(search.value);
    if (node) {
      focusNode(node.id);
      status.textContent = label(node);
    } else {
      status.textContent = t("not_found") + ": " + search.value;
    }
  });

  // -- language switch ---------------------------------------------------------------------
  function setLang(next) {
    if (next !== "th" && next !== "en") {
      return;
    }
    lang = next;
    document.documentElement.lang = next;
    document.title = config.title[next] + " · Phakhi";
    nodes.update(
      payload.nodes.map(function (node) {
        return { id: node.id, label: label(node), title: nodeTitle(node) };
      })
    );
    edges.update(
      payload.edges.map(function (edge) {
        return { id: edge.id, label: label(edge), title: edgeTitle(edge) };
      })
    );
    document.querySelectorAll("[data-th][data-en]").forEach(function (element) {
      element.textContent = element.getAttribute("data-" + next);
    });
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-set-lang") === next ? "true" : "false");
    });
    container.setAttribute("aria-label", config.title[next]);
    freezeButton.textContent = t(state.frozen ? "resume" : "freeze");
    document.querySelectorAll("input[name=lang]").forEach(function (input) {
      input.value = next;
    });
    if (config.served) {
      document.querySelectorAll("a[data-lang-link]").forEach(function (link) {
        var url = new URL(link.getAttribute("href"), window.location.href);
        url.searchParams.set("lang", next);
        link.setAttribute("href", url.pathname + url.search);
      });
      var here = new URL(window.location.href);
      here.searchParams.set("lang", next);
      window.history.replaceState(null, "", here.pathname + here.search);
    }
    fillList();
  }
  state.setLang = setLang;

  document.querySelectorAll("[data-set-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      setLang(button.getAttribute("data-set-lang"));
    });
  });

  // -- PNG export --------------------------------------------------------------------------
  document.getElementById("phk-png").addEventListener("click", function () {
    var canvas = container.querySelector("canvas");
    if (!canvas) {
      return;
    }
    var link = document.createElement("a");
    link.href = canvas.toDataURL("image/png");
    link.download = config.filename + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  fillList();
})();
