"""The API's own links reach every state of a walk and open what they name, ticks of a checklist included."""

from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from troubleshoot.guide import ALL_MATCH
from troubleshoot.models import Delivery, Run

from .conftest import shipped_guides

GUIDES = shipped_guides()


def follow(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()


def links_of(step: dict) -> list[str]:
    return [c["next"] for c in step["choices"]] + [i["next"] for i in step["items"]]


@override_settings(RATE_LIMITS=False)
@pytest.mark.parametrize("platform", ["expensify-web", "expensify-mobile"])
def test_every_state_of_ns0384_is_reached_by_the_apis_own_links(client, shipped, platform):
    """From the start, by `next` links only; at each checklist also the walk with two ticks that a client
    writes as the schema says (slugs joined with '+'), from which only links are followed again."""
    guide = GUIDES["ns0384"]
    start = follow(client, f"/api/v1/guides/ns0384/1/{platform}")
    queue, expanded, nodes, links = [start], set(), set(), 0
    while queue:
        step = queue.pop()
        nodes.add(step["node"])
        ticked = any("+" in answer for answer in step["answers"])
        if (step["node"], step["kind"], ticked) in expanded:
            continue
        expanded.add((step["node"], step["kind"], ticked))
        for url in links_of(step):
            after = follow(client, url)
            links += 1
            # The link opens the state it names: its answers come back as they were sent, ticks and all.
            assert "/".join(after["answers"]) == urlsplit(url).query.removeprefix("answers=").replace("%2B", "+")
            assert after["answers"][: len(step["answers"])] == step["answers"]
            queue.append(after)
        if step["kind"] == "checklist" and not ticked:
            two = "+".join(item["slug"] for item in step["items"][:2])
            answers = "/".join([*step["answers"], two])
            queue.append(follow(client, f"/api/v1/guides/ns0384/1/{platform}?answers={answers.replace('+', '%2B')}"))
    assert nodes == set(guide.nodes), set(guide.nodes) - nodes
    assert {(kind, ticked) for _, kind, ticked in expanded} >= {("solution", True), ("escalation", True)}
    assert links > 50


def test_a_checklist_offers_a_link_per_line_and_one_for_everything_matching(client, shipped):
    step = follow(client, "/api/v1/guides/ns0384/1/expensify-web?answers=correct")
    assert step["kind"] == "checklist" and [c["answer"] for c in step["choices"]] == [ALL_MATCH]
    accounts = next(i for i in step["items"] if i["slug"] == "accounts")
    assert follow(client, accounts["next"])["answers"] == ["correct", "accounts"]


def test_a_link_whose_ticks_came_back_as_spaces_still_opens(client, shipped):
    """`?answers=correct/accounts+classes/not-fixed`, as links were written before they were encoded."""
    step = follow(client, "/api/v1/guides/ns0384/1/expensify-web?answers=correct/accounts+classes/not-fixed")
    assert step["answers"] == ["correct", "accounts+classes", "not-fixed"]
    assert all("%2B" in c["next"] for c in step["choices"])


@override_settings(RATE_LIMITS=False)
def test_no_escalation_reached_through_the_api_writes_anything(client, shipped):
    """Every escalation of every shipped guide, on every platform, by the API: no run, reference or delivery."""
    opened = 0
    for slug, guide in GUIDES.items():
        for platform in guide.platforms:
            step = follow(client, f"/api/v1/guides/{slug}/1/{platform.slug}")
            for _ in range(60):
                if not step["choices"]:
                    break
                step = follow(client, step["choices"][-1]["next"])
            opened += step["kind"] == "escalation"
    assert opened > 50
    assert not Run.objects.exists() and not Delivery.objects.exists()
