import pytest

from troubleshoot.document import check
from troubleshoot.engine import WrongAnswer, checklist_answer, walk
from troubleshoot.guide import Guide

from .conftest import small_document


@pytest.fixture
def guide() -> Guide:
    return check(small_document())


def test_no_answers_is_the_start(guide):
    current = walk(guide, [])
    assert current.node.slug == "ask"
    assert current.trail == ()


def test_answers_lead_to_a_node_with_a_trail(guide):
    current = walk(guide, ["no"])
    assert current.node.slug == "plug"
    assert [(a.node.slug, a.said) for a in current.trail] == [("ask", "No")]


def test_not_fixed_leads_on_and_fixed_ends(guide):
    assert walk(guide, ["no", "not-fixed"]).node.slug == "check"
    done = walk(guide, ["no", "fixed"])
    assert done.fixed and done.node.slug == "plug"


def test_nothing_may_follow_fixed(guide):
    with pytest.raises(WrongAnswer) as raised:
        walk(guide, ["no", "fixed", "yes"])
    assert raised.value.position == 2


def test_unknown_choice_names_its_position(guide):
    with pytest.raises(WrongAnswer) as raised:
        walk(guide, ["yes", "bogus"])
    assert raised.value.position == 1
    assert "not on the checklist" in str(raised.value)


def test_checklist_all_match(guide):
    assert walk(guide, ["yes", "all-match"]).node.slug == "escalate"


def test_checklist_items_that_differ_reach_the_fix_with_them(guide):
    current = walk(guide, ["yes", "alpha+beta"])
    assert current.node.slug == "fix"
    assert [i.label for i in current.changes] == ["Alpha", "Beta"]
    assert current.trail[-1].said == "Different: Alpha, Beta"


def test_changes_belong_to_the_step_right_after_the_checklist(guide):
    assert walk(guide, ["yes", "alpha", "not-fixed"]).changes == ()


def test_checklist_answer_is_canonical(guide):
    node = guide.nodes["check"]
    assert checklist_answer(node, ["beta", "alpha", "alpha", "unknown"]) == "alpha+beta"
    assert checklist_answer(node, []) == "all-match"


def test_repeated_or_unknown_items_are_wrong(guide):
    for answer in ("alpha+alpha", "gamma", "alpha+gamma"):
        with pytest.raises(WrongAnswer):
            walk(guide, ["yes", answer])


def test_nothing_follows_the_escalation(guide):
    with pytest.raises(WrongAnswer, match="ends at the escalation"):
        walk(guide, ["yes", "all-match", "more"])


def test_solution_only_takes_fixed_or_not_fixed(guide):
    with pytest.raises(WrongAnswer, match="Did this fix it"):
        walk(guide, ["no", "maybe"])


def test_instructions_for_a_platform_are_shared_ones_and_its_own(guide):
    texts = [s.text for s in guide.instructions_for(guide.nodes["plug"], "phone")]
    assert texts == ["Find the plug.", "Tap **Plug** on the phone."]


def test_progress_counts_the_longest_way_left(guide):
    # ask → plug → check → fix → (fixed): four answers at most from the start.
    start = walk(guide, [])
    assert (start.done, start.total) == (0, 4)
    deeper = walk(guide, ["no", "not-fixed"])
    assert (deeper.done, deeper.total) == (2, 4)
    end = walk(guide, ["yes", "all-match"])
    assert end.done == end.total == 2
