// Draws a guide's nodes and answers on its admin page; each node opens its edit page.
//
// Readable at any size up to 60 nodes or so: dagre lays the nodes out in ranks from top to bottom;
// each answer's words are a small node of their own between the two nodes they join, so dagre keeps
// them clear of every box; lines run only through the gaps between ranks. Boxes are sized from their wrapped
// labels, and the picture is drawn at a zoom between MIN_ZOOM and 1: the box grows with the guide and
// scrolls beyond MAX_HEIGHT or the page's width, rather than shrinking the text.
"use strict";

const MIN_ZOOM = 0.6;
const MAX_HEIGHT = 1600;
const MIN_HEIGHT = 320;
const PADDING = 16;

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("guide-graph");
  const canvas = box && box.querySelector(".guide-graph-canvas");
  const data = document.getElementById("guide-graph-data");
  if (!canvas || !data || typeof cytoscape === "undefined") return;
  const graph = JSON.parse(data.textContent);
  // Kinds in calm colours; red is kept for errors alone, as the legend above the graph says.
  const colours = { question: "#205493", checklist: "#6b4f00", solution: "#1e6b30", escalation: "#4b4453" };
  const nodes = graph.nodes.map((n) => ({ data: n, classes: [n.kind, n.problem || "", n.start ? "start" : ""].join(" ") }));
  const ways = graph.edges.flatMap((e, i) => {
    const via = `answer-${i}`;
    return [
      { data: { id: via, label: e.label }, classes: "answer" },
      { data: { id: `e${i}-from`, source: e.source, target: via }, classes: "from" },
      { data: { id: `e${i}-to`, source: via, target: e.target }, classes: "to" },
    ];
  });
  const cy = cytoscape({
    container: canvas,
    elements: [...nodes, ...ways],
    // The box scrolls instead: the page's wheel and drag stay the page's.
    userZoomingEnabled: false, userPanningEnabled: false, boxSelectionEnabled: false, autoungrabify: true,
    style: [
      { selector: "node", style: {
        shape: "round-rectangle", label: "data(label)", "text-wrap": "wrap", "text-max-width": 190,
        "text-valign": "center", "text-halign": "center", "font-size": 13, "line-height": 1.3, color: "#fff",
        width: (n) => n.data("boxWidth") || 40, height: (n) => n.data("boxHeight") || 20,
        "background-color": (n) => colours[n.data("kind")] || "#4b4453" } },
      { selector: "node.start", style: { "border-width": 6, "border-style": "double", "border-color": "#000" } },
      { selector: "node.warning", style: { "border-width": 4, "border-color": "#e0a800" } },
      { selector: "node.error", style: { "background-color": "#ba2121" } },
      { selector: "node.answer", style: {
        shape: "round-rectangle", "font-size": 11, "line-height": 1.2, color: "#333", "text-max-width": 150,
        "background-color": "#fff", "border-width": 1, "border-color": "#999" } },
      { selector: "node.bend", style: { width: 1, height: 1, "background-opacity": 0, label: "" } },
      { selector: "edge", style: { "curve-style": "straight", width: 1.5, "line-color": "#999", "target-arrow-color": "#999" } },
      { selector: "edge[turn]", style: {
        "curve-style": "taxi", "taxi-direction": "data(direction)", "taxi-turn": "data(turn)", "taxi-turn-min-distance": 0 } },
      { selector: "edge.to", style: { "target-arrow-shape": "triangle" } },
    ],
  });
  // Boxes from their labels, as Cytoscape wraps them, with room around the text.
  cy.nodes().forEach((n) => {
    if (n.hasClass("bend")) return;
    const label = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
    const room = n.hasClass("answer") ? 6 : 12;
    n.data({ boxWidth: Math.ceil(label.w) + 2 * room, boxHeight: Math.ceil(label.h) + 2 * room });
  });
  // Dagre keeps boxes apart but draws a line across several ranks straight, under any box on its way:
  // such lines are broken at small bends of their own, and laid out again, until each line joins
  // neighbouring ranks only, through the gap between them.
  const layout = () => cy.layout({ name: "dagre", rankDir: "TB", nodeSep: 20, edgeSep: 10, rankSep: 36, fit: false }).run();
  layout();
  for (let pass = 0, bends = 0; pass < 6; pass++) {
    const ys = [...new Set(cy.nodes().map((n) => Math.round(n.position("y"))))].sort((a, b) => a - b);
    const rank = (n) => ys.indexOf(Math.round(n.position("y")));
    const long = cy.edges().filter((e) => Math.abs(rank(e.source()) - rank(e.target())) > 1);
    if (!long.length) break;
    long.forEach((e) => {
      const steps = Math.abs(rank(e.source()) - rank(e.target())) - 1;
      let from = e.source().id();
      for (let i = 0; i < steps; i++) {
        const bend = `bend-${bends++}`;
        cy.add([{ data: { id: bend }, classes: "bend" }, { data: { id: `${bend}-in`, source: from, target: bend } }]);
        from = bend;
      }
      cy.add({ data: { id: `${e.id()}-end`, source: from, target: e.target().id() }, classes: e.classes() });
      e.remove();
    });
    layout();
  }

  // Each line leaves its node straight up or down and turns across the gap between the two ranks, never
  // through a rank's boxes; lines from different nodes turn at different heights within the gap.
  const ys = [...new Set(cy.nodes().map((n) => Math.round(n.position("y"))))].sort((a, b) => a - b);
  const rank = (n) => ys.indexOf(Math.round(n.position("y")));
  const top = ys.map(() => Infinity), bottom = ys.map(() => -Infinity);
  cy.nodes().forEach((n) => {
    const r = rank(n), half = n.outerHeight() / 2;
    top[r] = Math.min(top[r], n.position("y") - half);
    bottom[r] = Math.max(bottom[r], n.position("y") + half);
  });
  const gaps = new Map();
  cy.edges().forEach((e) => {
    const gap = Math.min(rank(e.source()), rank(e.target()));
    if (!gaps.has(gap)) gaps.set(gap, new Map());
    gaps.get(gap).set(e.source().id(), e.source().position("x"));
  });
  cy.edges().forEach((e) => {
    const source = e.source(), down = rank(e.target()) > rank(source);
    const gap = Math.min(rank(source), rank(e.target()));
    const sources = [...gaps.get(gap).entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    const y = bottom[gap] + (top[gap + 1] - bottom[gap]) * (sources.indexOf(source.id()) + 1) / (sources.length + 1);
    const edge = source.position("y") + (down ? 1 : -1) * source.outerHeight() / 2;
    e.data({ direction: down ? "downward" : "upward", turn: Math.max(0, Math.abs(y - edge)) });
  });

  // Never below MIN_ZOOM and never above 1; as tall as the picture within limits, as wide as the page.
  function size() {
    const bb = cy.elements().boundingBox();
    const room = box.clientWidth - 2 * PADDING;
    const zoom = Math.max(MIN_ZOOM, Math.min(1, room / bb.w, (MAX_HEIGHT - 2 * PADDING) / bb.h));
    const width = Math.max(box.clientWidth, Math.ceil(bb.w * zoom + 2 * PADDING));
    const height = Math.max(MIN_HEIGHT, Math.ceil(bb.h * zoom + 2 * PADDING));
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    cy.resize();
    cy.zoom(zoom);
    cy.pan({ x: (width - bb.w * zoom) / 2 - bb.x1 * zoom, y: PADDING - bb.y1 * zoom });
  }
  size();
  window.addEventListener("resize", size);
  cy.on("tap", "node", (event) => {
    const url = event.target.data("url");
    if (url) window.location.href = url;
  });
  box._cy = cy;  // for the browser tests
});
