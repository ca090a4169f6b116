"""The guide's graph on its admin page is readable: boxes fit their labels, answers sit clear of boxes,
and the text is drawn at a readable zoom, for shipped guides and for a guide of 60 nodes."""

import json
import os
from pathlib import Path

import pytest

from ..conftest import gunicorn, scratch_database, shipped_guides, small_document
from .conftest import AUTHOR, log_in

SCREENSHOTS = os.environ.get("GRAPH_SCREENSHOTS")  # a folder to keep the pictures in, to look at them


def sixty_nodes() -> dict:
    """A guide of 60 nodes: 20 questions three ranks deep and more, checklists, solutions that fall back
    on one another and on escalations several ranks away, with long titles and answers."""
    questions = [f"q{i}" for i in range(1, 21)]
    solutions = [f"fix-{i}" for i in range(1, 31)]
    checklists = [f"check-{i}" for i in range(1, 5)]
    escalations = [f"escalate-{i}" for i in range(1, 7)]
    leaves = iter(solutions[:23] + checklists)
    nodes = []
    for i, slug in enumerate(questions, start=1):
        children = [questions[c - 1] for c in (2 * i, 2 * i + 1) if c <= len(questions)]
        while len(children) < 2:
            children.append(next(leaves))
        if i % 3 == 0:
            children.append(next(leaves))
        nodes.append({
            "slug": slug, "kind": "question", "help": "Look in NetSuite.",
            "title": f"Question {i}: is the role's permission for this record set to Full in NetSuite's role setup?",
            "choices": [{"slug": f"a{n}", "label": ["Yes, it is set to Full", "No", "I can't tell from here"][n],
                         "next": child} for n, child in enumerate(children)],
        })
    for i, slug in enumerate(checklists):
        nodes.append({
            "slug": slug, "kind": "checklist", "title": f"Checklist {i + 1}: do these subsidiaries' settings match?",
            "help": "Compare them.", "items": [{"slug": "a", "label": "Alpha", "expected": "Full"}],
            "if_all_match": solutions[23 + i], "if_any_differ": solutions[27 + i % 3],
        })
    for i, slug in enumerate(solutions):
        fallback = solutions[i + 12] if i + 12 < len(solutions) and i % 4 == 0 else escalations[i % len(escalations)]
        nodes.append({
            "slug": slug, "kind": "solution", "title": f"Solution {i + 1}: give the Expensify Integration role the permission",
            "instructions": [{"text": "Do it."}], "if_not_fixed": fallback,
        })
    for i, slug in enumerate(escalations):
        nodes.append({"slug": slug, "kind": "escalation", "title": f"Ask Concierge to look at the connection ({i + 1})"})
    assert len(nodes) == 60
    return small_document(slug="sixty", title="Sixty nodes", codes=["NS9960"], start="q1", nodes=nodes,
                          platforms=[{"slug": "web", "name": "On the web", "support": "Web support"}])


@pytest.fixture(scope="module")
def graph_server(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("sixty") / "sixty.json"
    path.write_text(json.dumps(sixty_nodes()))
    with (scratch_database(tmp_path_factory) as database,
          gunicorn(tmp_path_factory, database, setup=(["shell", "-c", AUTHOR], ["import_guide", str(path)])) as (url, _)):
        yield url


# What the page's Cytoscape instance says, in rendered (page) pixels.
MEASURE = """() => {
  const cy = document.getElementById("guide-graph")._cy;
  const box = (ele) => ele.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
  const text = (ele) => ele.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
  const fontSize = (ele) => parseFloat(ele.renderedStyle("font-size"));
  // Points along the drawn line, which turns at right angles (Cytoscape's taxi edges).
  const along = (e) => {
    const corners = [e.renderedSourceEndpoint(), ...(e.renderedSegmentPoints() || []), e.renderedTargetEndpoint()];
    const points = [e.renderedMidpoint()];
    for (let i = 0; i + 1 < corners.length; i++) {
      const [a, b] = [corners[i], corners[i + 1]];
      for (let t = 0; t <= 1; t += 0.05) points.push({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) });
    }
    return points;
  };
  return {
    zoom: cy.zoom(),
    nodes: cy.nodes().filter((n) => !n.hasClass("answer") && !n.hasClass("bend")).map((n) => ({ id: n.id(), box: box(n), text: text(n), font: fontSize(n) })),
    answers: cy.nodes(".answer").map((n) => ({ id: n.id(), box: box(n), text: text(n), font: fontSize(n) })),
    edges: cy.edges().map((e) => ({ id: e.id(), source: e.source().id(), target: e.target().id(), points: along(e) })),
    height: document.querySelector("#guide-graph .guide-graph-canvas").getBoundingClientRect().height,
    width: document.querySelector("#guide-graph .guide-graph-canvas").getBoundingClientRect().width,
    box: document.getElementById("guide-graph").getBoundingClientRect().width,
  };
}"""


def inside(point, box, margin=0.0) -> bool:
    return box["x1"] + margin < point["x"] < box["x2"] - margin and box["y1"] + margin < point["y"] < box["y2"] - margin


def overlap(a, b) -> bool:
    return a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]


def graph_of(page, server, slug) -> dict:
    page.goto(server + f"/admin/troubleshoot/guide/?q={slug}")
    page.locator("#result_list tbody th a").first.click()
    page.wait_for_url("**/change/**")
    page.wait_for_function("() => document.getElementById('guide-graph')._cy")
    if SCREENSHOTS:
        page.locator("#guide-graph").scroll_into_view_if_needed()
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{slug}.png"))
        page.locator("#guide-graph").screenshot(path=str(Path(SCREENSHOTS) / f"{slug}-graph.png"))
    return page.evaluate(MEASURE)


def assert_readable(graph: dict, expected_nodes: int):
    assert len(graph["nodes"]) == expected_nodes
    assert graph["zoom"] >= 0.6
    assert all(node["font"] * 1 >= 7.5 for node in graph["nodes"])  # 13px text at a zoom of 0.6 or more
    boxes = graph["nodes"] + graph["answers"]
    for node in boxes:  # every label fits its box
        text, box = node["text"], node["box"]
        assert box["x1"] <= text["x1"] and text["x2"] <= box["x2"] and box["y1"] <= text["y1"] and text["y2"] <= box["y2"], node["id"]
    for i, a in enumerate(boxes):  # no box, and no answer's words, on top of another
        for b in boxes[i + 1:]:
            assert not overlap(a["box"], b["box"]), (a["id"], b["id"])
    for edge in graph["edges"]:  # no line runs under a box it does not join
        for node in boxes:
            if node["id"] not in (edge["source"], edge["target"]):
                assert not any(inside(p, node["box"], margin=1) for p in edge["points"]), (edge["id"], node["id"])


def test_a_shipped_guides_graph_is_readable_at_a_comfortable_size(new_page, server):
    page = log_in(new_page(), server)
    graph = graph_of(page, server, "ns0384")
    assert_readable(graph, len(shipped_guides()["ns0384"].nodes))
    assert graph["zoom"] == 1  # a small guide is drawn at full size, not shrunk to fit
    assert 320 <= graph["height"] <= 1600


def test_a_sixty_node_guides_graph_is_readable(new_page, graph_server):
    page = log_in(new_page(), graph_server)
    graph = graph_of(page, graph_server, "sixty")
    assert_readable(graph, 60)
    assert {n["id"] for n in graph["nodes"]} == {n["slug"] for n in sixty_nodes()["nodes"]}


def test_clicking_a_node_opens_its_page(new_page, server):
    page = log_in(new_page(), server)
    graph_of(page, server, "ns0384")
    page.locator("#guide-graph").scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # Cytoscape notices the page scrolled after a moment
    start = page.evaluate("""() => { const cy = document.getElementById("guide-graph")._cy;
      const n = cy.nodes(".start"); const p = n.renderedPosition(); return { id: n.id(), x: p.x, y: p.y }; }""")
    page.locator("#guide-graph .guide-graph-canvas").click(position={"x": start["x"], "y": start["y"]})
    page.wait_for_url("**/admin/troubleshoot/node/*/change/")
    assert start["id"] in page.locator("#content").inner_text()
