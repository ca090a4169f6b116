// Draws a guide's nodes and answers on its admin page; each node opens its edit page.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("guide-graph");
  const data = document.getElementById("guide-graph-data");
  if (!box || !data || typeof cytoscape === "undefined") return;
  const graph = JSON.parse(data.textContent);
  // Kinds in calm colours; red is kept for errors alone, as the legend below the graph says.
  const colours = { question: "#205493", checklist: "#6b4f00", solution: "#1e6b30", escalation: "#4b4453" };
  const cy = cytoscape({
    container: box,
    elements: [
      ...graph.nodes.map((n) => ({ data: n, classes: [n.kind, n.problem || "", n.start ? "start" : ""].join(" ") })),
      ...graph.edges.map((e, i) => ({ data: { id: `e${i}`, ...e } })),
    ],
    style: [
      { selector: "node", style: {
        shape: "round-rectangle", label: "data(label)", "text-wrap": "wrap", "text-valign": "center",
        "font-size": 10, color: "#fff", width: 170, height: 44, "background-color": (n) => colours[n.data("kind")] } },
      { selector: "node.start", style: { "border-width": 6, "border-style": "double", "border-color": "#000" } },
      { selector: "node.warning", style: { "border-width": 4, "border-color": "#e0a800" } },
      { selector: "node.error", style: { "background-color": "#ba2121" } },
      { selector: "edge", style: {
        width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", label: "data(label)",
        "font-size": 8, "text-background-color": "#fff", "text-background-opacity": 1, "line-color": "#999",
        "target-arrow-color": "#999" } },
    ],
    layout: { name: "dagre", rankDir: "TB", nodeSep: 30, rankSep: 60 },
  });
  cy.on("tap", "node", (event) => {
    const url = event.target.data("url");
    if (url) window.location.href = url;
  });
});
