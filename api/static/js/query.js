// The query page: YASQE (from the vendored YASGUI build) as the editor, the competency questions
// as examples, results from /sparql shown as a table of labels and links, downloads in every
// result format, a shareable link (/?query=...&v=<dataset version>) and, for SELECT results with
// a province column, a small map. Without YASQE the plain textarea works; without JavaScript the
// form posts to /sparql. Every text from a result is put in the page with textContent, never as HTML.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("page-data").textContent);
  var words = data.text;
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var holder = document.getElementById("editor");
  var exampleSelect = document.getElementById("example");
  var resultSection = document.getElementById("result");
  var table = document.getElementById("results");
  var statusLine = document.getElementById("status");
  var countLine = document.getElementById("result-count");
  var downloads = document.getElementById("downloads");
  var mapFigure = document.getElementById("result-map");
  var shareInput = document.getElementById("share-link");
  var copyButton = document.getElementById("copy-link");
  var runButton = document.getElementById("run");

  var RESULT_FORMATS = [["json", "JSON", "srj"], ["xml", "XML", "srx"], ["csv", "CSV", "csv"], ["tsv", "TSV", "tsv"]];
  var GRAPH_FORMATS = [["turtle", "Turtle", "ttl"], ["ntriples", "N-Triples", "nt"], ["jsonld", "JSON-LD", "jsonld"], ["rdfxml", "RDF/XML", "rdf"]];
  var PROVINCE = /(\/id\/province\/TH-[0-9]{2}|^TH-[0-9]{2})$/;

  // -- the editor ---------------------------------------------------------------------------

  var editor = null;
  if (window.Yasqe && holder) {
    try {
      editor = new window.Yasqe(holder, {
        value: textarea.value,
        persistenceId: null, // the URL, not localStorage, holds the query
        consumeShareLink: null,
        createShareableLink: null, // the share box below does this
        showQueryButton: false,
        autocompleters: ["variables", "prefixes"], // "property" and "class" would ask the LOV API
        resizeable: true,
        editorHeight: "320px",
        requestConfig: { endpoint: data.endpoint },
        extraKeys: {
          "Ctrl-Enter": function () { run(); },
          "Cmd-Enter": function () { run(); },
        },
      });
      textarea.hidden = true;
      editor.on("change", updateShare);
    } catch (error) {
      console.warn("the SPARQL editor could not start; using the plain text box", error);
      editor = null;
      holder.hidden = true;
    }
  } else if (holder) {
    holder.hidden = true;
  }

  function getQuery() {
    return editor ? editor.getValue() : textarea.value;
  }

  function setQuery(text) {
    textarea.value = text;
    if (editor) editor.setValue(text);
    updateShare();
  }

  // -- the shareable link ---------------------------------------------------------------------

  function pageUrl(query) {
    var params = new URLSearchParams();
    params.set("query", query);
    if (data.lang !== "th") params.set("lang", data.lang);
    if (data.version) params.set("v", data.version); // cite the dataset version it ran on
    return data.root + "/?" + params.toString();
  }

  function updateShare() {
    shareInput.value = window.location.origin + pageUrl(getQuery());
  }

  copyButton.addEventListener("click", function () {
    shareInput.select();
    var done = function () { copyButton.textContent = words.copied; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(shareInput.value).then(done, function () {});
    } else {
      done();
    }
  });

  // -- examples -------------------------------------------------------------------------------

  exampleSelect.addEventListener("change", function () {
    var chosen = data.examples.find(function (e) { return e.name === exampleSelect.value; });
    if (chosen) setQuery(chosen.query);
  });

  // -- running ------------------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });

  var running = 0;

  function run() {
    var query = getQuery();
    textarea.value = query;
    running += 1;
    var ticket = running;
    history.replaceState(null, "", pageUrl(query));
    updateShare();
    resultSection.hidden = false;
    resultSection.setAttribute("aria-busy", "true");
    runButton.disabled = true;
    statusLine.textContent = words.running;
    statusLine.className = "status";
    var body = new URLSearchParams();
    body.set("query", query);
    return fetch(data.endpoint, {
      method: "POST",
      body: body,
      headers: { Accept: "application/sparql-results+json, application/n-triples;q=0.9" },
    })
      .then(function (response) {
        if (!response.ok) {
          return response.json().catch(function () { return null; }).then(function (problem) {
            var message = problem && problem.error ? problem.error.message : response.statusText;
            throw new Error(message + " (" + response.status + ")");
          });
        }
        var type = response.headers.get("content-type") || "";
        if (type.indexOf("application/n-triples") === 0) {
          return response.text().then(function (text) { return triplesResult(text); });
        }
        return response.json().then(function (json) { return solutionsResult(json); });
      })
      .then(function (result) {
        if (ticket !== running) return null;
        return labelsFor(result).then(function (labels) {
          if (ticket !== running) return;
          show(query, result, labels);
          return showMap(result);
        });
      })
      .catch(function (error) {
        if (ticket !== running) return;
        clear();
        statusLine.className = "status error";
        statusLine.textContent = words.error + ": " + error.message;
        downloads.replaceChildren();
      })
      .finally(function () {
        if (ticket === running) {
          runButton.disabled = false;
          resultSection.removeAttribute("aria-busy");
        }
      });
  }

  // A result: {form: "solutions" | "boolean" | "graph", variables, rows (of RDF/JSON terms)}
  function solutionsResult(json) {
    if (Object.prototype.hasOwnProperty.call(json, "boolean")) {
      return { form: "boolean", value: json.boolean, variables: [], rows: [] };
    }
    return { form: "solutions", variables: json.head.vars || [], rows: json.results.bindings || [] };
  }

  var TERM = /<([^>]*)>|_:([A-Za-z0-9_.-]+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?/g;

  function unescapeLiteral(text) {
    return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, function (_, code) {
      if (code.length > 1) return String.fromCodePoint(parseInt(code.slice(1), 16));
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f" }[code] || code;
    });
  }

  function triplesResult(text) {
    var rows = [];
    text.split("\n").forEach(function (line) {
      if (!line.trim() || line.trim()[0] === "#") return;
      var terms = [];
      var match;
      TERM.lastIndex = 0;
      while ((match = TERM.exec(line)) !== null && terms.length < 3) {
        if (match[1] !== undefined) terms.push({ type: "uri", value: unescapeLiteral(match[1]) });
        else if (match[2] !== undefined) terms.push({ type: "bnode", value: match[2] });
        else {
          var term = { type: "literal", value: unescapeLiteral(match[3]) };
          if (match[4]) term["xml:lang"] = match[4];
          if (match[5]) term.datatype = match[5];
          terms.push(term);
        }
      }
      if (terms.length === 3) rows.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    });
    return { form: "graph", variables: ["subject", "predicate", "object"], rows: rows };
  }

  function labelsFor(result) {
    var iris = new Set();
    result.rows.forEach(function (row) {
      result.variables.forEach(function (name) {
        var term = row[name];
        if (term && term.type === "uri") iris.add(term.value);
      });
    });
    if (!iris.size) return Promise.resolve({});
    return fetch(data.labels, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ iris: Array.from(iris).slice(0, 5000), lang: data.lang }),
    })
      .then(function (response) { return response.ok ? response.json() : { labels: {} }; })
      .then(function (json) { return json.labels || {}; })
      .catch(function () { return {}; });
  }

  // -- showing --------------------------------------------------------------------------------

  function clear() {
    table.replaceChildren();
    countLine.textContent = "";
    mapFigure.hidden = true;
    Array.from(mapFigure.querySelectorAll("svg")).forEach(function (svg) { svg.remove(); });
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // Where a result's IRI may link: a page of this site or a web address, never a javascript:,
  // data: or vbscript: IRI (a result is data, and data does not choose what a click runs).
  var LINKABLE = /^(?:(?:https?|ftp|mailto|urn|doi|tag):|\/(?!\/)|#)/i;

  function safeHref(url) {
    return LINKABLE.test(url) ? url : "#";
  }

  function cell(term, labels) {
    var td = element("td");
    if (!term) return td;
    td.dataset.type = term.type;
    if (term.type === "uri") {
      var known = labels[term.value];
      var link = element("a", known && known.href[0] === "/" ? "" : "external", known ? known.label : term.value);
      link.href = safeHref(known ? known.href : term.value);
      link.title = term.value;
      link.dataset.iri = term.value;
      td.appendChild(link);
    } else if (term.type === "literal" || term.type === "typed-literal") {
      var span = element("span", "literal", term.value);
      var lang = term["xml:lang"];
      if (lang) span.lang = lang;
      td.appendChild(span);
      if (lang) td.appendChild(element("span", "tag", "@" + lang));
      else if (term.datatype && !/#string$/.test(term.datatype)) {
        var tag = element("span", "tag", term.datatype.replace(/^.*[#/]/, ""));
        tag.title = term.datatype;
        td.appendChild(tag);
      }
    } else {
      td.appendChild(element("span", "bnode", "_:" + term.value));
    }
    return td;
  }

  function show(query, result, labels) {
    clear();
    statusLine.textContent = "";
    statusLine.className = "status";
    showDownloads(query, result.form === "graph" ? GRAPH_FORMATS : RESULT_FORMATS);
    if (result.form === "boolean") {
      var row = element("tr");
      row.appendChild(element("th", "", words.answer));
      row.appendChild(element("td", "boolean", result.value ? words.yes : words.no));
      table.appendChild(row);
      return;
    }
    var unit = result.form === "graph" ? words.triples : words.rows;
    countLine.textContent = "(" + result.rows.length + " " + unit + ")";
    var head = element("thead");
    var headRow = element("tr");
    headRow.appendChild(element("th", "rownum", "#"));
    result.variables.forEach(function (name) {
      var th = element("th", "", result.form === "graph" ? name : "?" + name);
      th.scope = "col";
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody");
    result.rows.forEach(function (binding, index) {
      var tr = element("tr");
      tr.appendChild(element("td", "rownum", String(index + 1)));
      result.variables.forEach(function (name) { tr.appendChild(cell(binding[name], labels)); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    if (!result.rows.length) statusLine.textContent = words.no_rows;
  }

  function showDownloads(query, formats) {
    downloads.replaceChildren(document.createTextNode(words.download + ": "));
    formats.forEach(function (format, index) {
      if (index) downloads.appendChild(document.createTextNode(" · "));
      var params = new URLSearchParams();
      params.set("query", query);
      params.set("format", format[0]);
      var link = element("a", "", format[1]);
      link.href = data.endpoint + "?" + params.toString();
      link.setAttribute("download", "phakhi-result." + format[2]);
      link.dataset.format = format[0];
      downloads.appendChild(link);
    });
  }

  function showMap(result) {
    if (result.form !== "solutions") return null;
    var rows = result.rows.map(function (binding) {
      var row = {};
      result.variables.forEach(function (name) { if (binding[name]) row[name] = binding[name].value; });
      return row;
    });
    var any = rows.some(function (row) {
      return Object.keys(row).some(function (name) { return PROVINCE.test(row[name]); });
    });
    if (!any) return null;
    return fetch(data.map, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "image/svg+xml" },
      body: JSON.stringify({ variables: result.variables, rows: rows.slice(0, 10000), lang: data.lang }),
    })
      .then(function (response) { return response.status === 200 ? response.text() : null; })
      .then(function (svgText) {
        if (!svgText) return;
        var parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
        var svg = parsed.documentElement;
        if (!svg || svg.nodeName !== "svg") return;
        mapFigure.insertBefore(document.importNode(svg, true), mapFigure.firstChild);
        mapFigure.hidden = false;
      })
      .catch(function () {});
  }

  updateShare();
  if (data.autorun) run();
})();
