/*
 * rit-graph's SPARQL query editor: YASQE (the editor) and YASR (the results) from the vendored
 * YASGUI bundle (static/yasgui/), wired to this server's endpoint.
 *
 * The page works without this script (a plain form); with it, the form's text area becomes the
 * editor. Nothing is fetched but from this origin: prefixes, classes and properties are completed from
 * the project (not from prefix.cc or Linked Open Vocabularies), no link is shortened,
 * and neither query nor results are kept in the browser's local storage. Errors are shown in the page;
 * IRIs of the site in the results table link to its pages, in the page's language.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const words = config.words;
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const editorEl = document.getElementById("editor");
  const errorBox = document.getElementById("error");
  const statusEl = document.getElementById("status");
  const downloads = document.getElementById("downloads");
  const resultsEl = document.getElementById("results");
  const endpoint = new URL(form.getAttribute("action"), document.baseURI);
  const siteRoot = new URL(".", endpoint);
  const Yasqe = window.Yasgui.Yasqe;
  const Yasr = window.Yasgui.Yasr;

  // Completion from the project: its prefixes, where YASQE would ask prefix.cc or use its own list, and
  // its ontology's classes and properties, where YASQE would ask Linked Open Vocabularies. Only these and
  // the query's own variables are completed (YASQE's defaults are replaced, not merged: a merge kept LOV's).
  const prefixLines = Object.keys(config.prefixes)
    .sort()
    .map((name) => name + ": <" + config.prefixes[name] + ">");
  const fromProject = {
    projectPrefixes: ["prefixes", prefixLines],
    projectClasses: ["class", config.classes],
    projectProperties: ["property", config.properties],
  };
  for (const [name, [original, list]] of Object.entries(fromProject)) {
    const completer = { name: name, bulk: true, persistenceId: null, get: () => Promise.resolve(list) };
    Yasqe.forkAutocompleter(original, completer, false);
  }
  const completers = [...Object.keys(fromProject), "variables"];
  Yasqe.defaults.autocompleters = completers;

  textarea.hidden = true;
  form.querySelector(".format").hidden = true;
  editorEl.hidden = false;
  const yasqe = new Yasqe(editorEl, {
    value: textarea.value,
    persistenceId: null,
    prefixCcApi: null,
    createShortLink: undefined,
    autocompleters: completers,
    showQueryButton: false,
    resizeable: true,
    // Code scrolls sideways on a phone rather than breaking inside names and IRIs.
    lineWrapping: false,
    editorHeight: "18rem",
    screenReaderLabel: words.editor,
    requestConfig: {
      endpoint: endpoint.href,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "application/n-triples",
    },
  });
  const yasr = new Yasr(resultsEl, {
    persistenceId: null,
    prefixes: config.prefixes,
    pluginOrder: ["table", "boolean", "response"],
    defaultPlugin: "table",
  });

  /** The site page of IRI (its resource, ontology or shapes page), or null for an IRI the site has no page for. */
  function siteLink(iri) {
    if (!config.site || !iri || !iri.startsWith(config.base)) return null;
    const rest = iri.slice(config.base.length);
    const hash = rest.indexOf("#");
    const path = hash < 0 ? rest : rest.slice(0, hash);
    if (!/^id\/./.test(path) && path !== "ontology" && path !== "shapes") return null;
    const link = new URL(path, siteRoot);
    link.searchParams.set("lang", config.lang);
    if (hash >= 0) link.hash = rest.slice(hash + 1);
    return link.href;
  }

  // The table draws its links again on every page of results, sort and filter: each new one that names a
  // resource of the site is pointed at its page.
  new MutationObserver(() => {
    for (const a of resultsEl.querySelectorAll("a.iri:not([data-site])")) {
      a.dataset.site = "";
      const link = siteLink(a.getAttribute("href"));
      if (link) {
        // A page of this site opens here, as every other link of the site does; YASR opens IRIs in a new tab.
        a.title = a.getAttribute("href");
        a.href = link;
        a.removeAttribute("target");
        a.removeAttribute("rel");
      }
    }
  }).observe(resultsEl, { childList: true, subtree: true });

  function showError(message) {
    const heading = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = words.error;
    heading.append(strong);
    const text = document.createElement("pre");
    text.textContent = message;
    errorBox.replaceChildren(heading, text);
    errorBox.hidden = false;
  }

  /** Links to the results of TEXT in every format the endpoint gives for its kind of query. */
  function showDownloads(text, type) {
    const kind = type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "result";
    const list = downloads.querySelector("ul");
    list.replaceChildren();
    for (const format of config.formats[kind]) {
      const url = new URL(endpoint);
      url.searchParams.set("query", text);
      url.searchParams.set("format", format.name);
      const a = document.createElement("a");
      a.href = url.href;
      a.download = "results" + format.extension;
      a.type = format.media_type;
      a.textContent = format.label;
      const item = document.createElement("li");
      item.append(a);
      list.append(item);
    }
    downloads.hidden = false;
  }

  let asked = null;
  yasqe.on("query", () => {
    asked = { text: yasqe.getValue(), type: yasqe.getQueryType() };
    errorBox.hidden = true;
    downloads.hidden = true;
    statusEl.textContent = words.running;
  });
  yasqe.on("queryResponse", (_instance, response, duration) => {
    statusEl.textContent = "";
    if (response instanceof Error || !response || response.ok === false) {
      resultsEl.hidden = true;
      showError((response && (response.message || response.statusText)) || words.error);
      return;
    }
    resultsEl.hidden = false;
    yasr.setResponse(response, duration);
    if (asked) showDownloads(asked.text, asked.type);
  });

  function run() {
    yasqe.query().catch(() => {
      // Shown by the queryResponse handler.
    });
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  // A page of the site links here with a query in the fragment (#query=…), the list a page cuts short:
  // the editor holds it and runs it (read-only, and time-limited as any other).
  const linked = new URLSearchParams(window.location.hash.slice(1)).get("query");
  if (linked) {
    yasqe.setValue(linked);
    run();
  }
  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", () => {
      yasqe.setValue(button.dataset.query);
      editorEl.scrollIntoView({ block: "start" });
      yasqe.focus();
    });
  }
})();
