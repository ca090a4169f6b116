"""Every path of every shipped guide, on every platform, through the real views."""

import re

import pytest
from django.test import Client

from troubleshoot.guide import ALL_MATCH, FIXED, NOT_FIXED
from troubleshoot.engine import Guide, walk
from troubleshoot.templatetags.guide_text import to_html

from .conftest import shipped_guides

GUIDES = shipped_guides()


def answers_at(guide: Guide, node_slug: str) -> list[str]:
    node = guide.nodes[node_slug]
    if node.kind == "question":
        return [c.slug for c in node.choices]
    if node.kind == "checklist":
        return [ALL_MATCH] + [i.slug for i in node.items]
    if node.kind == "solution":
        return [FIXED, NOT_FIXED]
    return []


def every_path(guide: Guide) -> list[tuple[str, ...]]:
    """Every complete list of answers: each ends where the walk ends (fixed, or an escalation)."""
    paths, todo = [], [()]
    while todo:
        answers = todo.pop()
        current = walk(guide, answers)
        nexts = [] if current.fixed else answers_at(guide, current.node.slug)
        if not nexts:
            paths.append(answers)
        todo.extend(answers + (a,) for a in nexts)
    return paths


def steps_on(page: str) -> str:
    return re.search(r'<ol class="instructions">(.*?)</ol>', page, re.S).group(1)


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_every_path_ends_fixed_or_escalated(slug):
    guide = GUIDES[slug]
    paths = every_path(guide)
    assert len(paths) >= 2
    for answers in paths:
        end = walk(guide, answers)
        assert end.fixed or end.node.kind == "escalation"
    reached = {walk(guide, p[:i]).node.slug for p in paths for i in range(len(p) + 1)}
    assert reached == set(guide.nodes)


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_every_solution_on_every_platform_shows_that_platforms_steps_only(shipped, slug):
    guide, client = GUIDES[slug], Client()
    prefixes = sorted({p[:i] for p in every_path(guide) for i in range(len(p))}, key=lambda a: (len(a), a))
    reached = {}  # each solution by the fewest answers that reach it: its page is the same by any path
    for answers in prefixes:
        node = walk(guide, answers).node
        if node.kind == "solution":
            reached.setdefault(node.slug, (answers, node))
    solutions = list(reached.values())
    assert len(solutions) == sum(n.kind == "solution" for n in guide.nodes.values())
    for platform in guide.platforms:
        others = {s.text for p in guide.platforms if p != platform for s in guide_steps(guide, p.slug)}
        for answers, node in solutions:
            url = f"/guides/{slug}/v1/{platform.slug}/" + "".join(a + "/" for a in answers)
            response = client.get(url)
            assert response.status_code == 200, url
            shown = steps_on(response.content.decode())
            own = guide.instructions_for(node, platform.slug)
            assert shown.count("<li>") == len(own), url
            for step in own:
                assert to_html(step.text) in shown, url
            for text in others - {s.text for s in own}:
                assert to_html(text) not in shown, url


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_every_escalation_names_support_and_summarises(shipped, slug):
    guide, client = GUIDES[slug], Client()
    ends = [p for p in every_path(guide) if not walk(guide, p).fixed]
    assert ends
    for platform in guide.platforms:
        answers = ends[0]
        page = client.get(f"/guides/{slug}/v1/{platform.slug}/" + "".join(a + "/" for a in answers)).content.decode()
        assert platform.support.replace("'", "&#x27;") in page
        assert "Where I see it: " + platform.name in page
        assert len(re.findall(r"^- .+ — .+$", page, re.M)) == len(answers)


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_every_solution_says_who_may_do_it(slug):
    solutions = [n for n in GUIDES[slug].nodes.values() if n.kind == "solution"]
    assert solutions and all(n.who for n in solutions)


def guide_steps(guide: Guide, platform: str):
    return [s for n in guide.nodes.values() for s in guide.expanded(n) if s.platform == platform]


def test_expensify_guides_escalate_to_concierge():
    for slug in ("ns0109", "ns0565", "ns0384"):
        assert all(p.support.startswith("Concierge") for p in GUIDES[slug].platforms)


def test_ns0384_checklists_hold_the_eighteen_permissions():
    guide = GUIDES["ns0384"]
    lists = {i.label: i.expected for i in guide.nodes["list-permissions"].items}
    setup = {i.label: i.expected for i in guide.nodes["setup-permissions"].items}
    assert len(lists) == 12 and len(setup) == 6
    assert lists["Accounts"] == lists["Departments"] == lists["Employees"] == lists["Vendors"] == "Full"
    assert {k for k, v in lists.items() if v == "View"} == {
        "Classes", "Currency", "Customers", "Expense Categories", "Items", "Locations", "Projects", "Subsidiaries"
    }
    assert set(setup.values()) == {"Full"} and "SOAP Web Services" in setup
