// Suggestions as you type in the search box, from /api/search. Every element is built
// with DOM text (never HTML), so a title holding markup stays text.
"use strict";
(function () {
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  let selected = -1, latest = 0, timer = 0;

  function close() { list.hidden = true; list.replaceChildren(); selected = -1; }

  function show(hits) {
    list.replaceChildren();
    selected = -1;
    for (const hit of hits) {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      const link = document.createElement("a");
      link.href = hit.url;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind;
      link.append(kind, " ", hit.label);
      if (hit.matched !== hit.label) {
        const also = document.createElement("span");
        also.className = "count";
        also.textContent = " as \u201c" + hit.matched + "\u201d";
        link.append(also);
      }
      item.append(link);
      list.append(item);
    }
    list.hidden = hits.length === 0;
  }

  async function suggest() {
    const text = input.value.trim();
    const mine = ++latest;
    if (!text) { close(); return; }
    try {
      const answer = await fetch("/api/search?q=" + encodeURIComponent(text) + "&limit=8");
      if (!answer.ok || mine !== latest) return;
      show((await answer.json()).hits);
    } catch (error) { /* the server went away: the form still submits */ }
  }

  function move(step) {
    const items = list.querySelectorAll("li");
    if (!items.length) return;
    if (selected >= 0) items[selected].removeAttribute("aria-selected");
    selected = (selected + step + items.length) % items.length;
    items[selected].setAttribute("aria-selected", "true");
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 80); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && selected >= 0) {
      event.preventDefault();
      window.location.href = list.querySelectorAll("li a")[selected].href;
    }
  });
  document.addEventListener("click", (event) => { if (!list.contains(event.target)) close(); });
})();

// Drawings: vis-network over positions laid out on the server (no physics here). Hovering
// a node dims all but its neighbours; a click opens its page. Tooltips are DOM text.
(function () {
  if (typeof vis === "undefined") return;
  for (const holder of document.querySelectorAll("div.drawing")) {
    const source = document.getElementById(holder.dataset.source);
    if (!source) continue;
    const data = JSON.parse(source.textContent);
    for (const node of data.nodes) {
      const tip = document.createElement("div");
      tip.textContent = node.title;
      node.title = tip;
    }
    const nodes = new vis.DataSet(data.nodes);
    const edges = new vis.DataSet(data.edges);
    const network = new vis.Network(holder, { nodes, edges }, {
      physics: false,
      layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 120, navigationButtons: false },
      nodes: { font: { size: 14, face: "system-ui, sans-serif", strokeWidth: 3,
                       strokeColor: "#ffffff" } },
      edges: { smooth: false, color: { inherit: false } },
    });
    const colours = new Map(data.nodes.map((n) => [n.id, n.color]));
    network.on("hoverNode", (event) => {
      const near = new Set(network.getConnectedNodes(event.node).concat([event.node]));
      nodes.update(data.nodes.map((n) => ({ id: n.id,
        color: near.has(n.id) ? colours.get(n.id) : "#e3e6ea",
        font: { color: near.has(n.id) ? "#1d2330" : "#b8bec6" } })));
    });
    network.on("blurNode", () => {
      nodes.update(data.nodes.map((n) => ({ id: n.id, color: colours.get(n.id),
                                           font: { color: "#1d2330" } })));
    });
    network.on("click", (event) => {
      if (event.nodes.length) window.location.href = nodes.get(event.nodes[0]).url;
    });
    holder.network = network;  // for tests and the console
    network.once("afterDrawing", () => {
      const arrived = performance.getEntriesByType("navigation")[0];
      holder.dataset.drawnAt = String(performance.now());  // ms after navigation began
      // ... and after the page's last byte arrived (the server's time excluded)
      holder.dataset.drawnAfter = String(performance.now() - (arrived ? arrived.responseEnd : 0));
      holder.dataset.drawn = "true";
    });
  }
})();
