"""The cases of issue 21 in content4's guides, held as the shipped guides walk them.

Each test reads the real fixtures through the real reader and walks them with the engine: a path
exists, an answer exists, a step is shown on one platform and not on another, a claim is gone.
"""

import re

import pytest

from troubleshoot.engine import walk
from troubleshoot.guide import NOT_FIXED

from .conftest import every_text, shipped_guides, step_texts

GUIDES = shipped_guides()
MINE = ("ns0739", "ns0748", "ns0756", "ns0770", "ns0783", "ns0831", "ns0844", "ns0864", "ns0885",
        "ns0898", "ns0919", "ns0921", "ns0938", "ns0942", "ns0988", "ns0994", "ns0995")
UNSURE = "I'm not sure"






def unsure_leads_to(slug: str, node: str) -> str:
    choice = next(c for c in GUIDES[slug].nodes[node].choices if c.label == UNSURE)
    return choice.next


def test_ns0994_has_no_vendor_record_name_step():
    for node in GUIDES["ns0994"].nodes.values():
        for line in GUIDES["ns0994"].expanded(node):
            assert not re.search(r"vendor record|\*\*Name\*\* field", line.text, re.I), line.text


@pytest.mark.parametrize("platform", ["expensify-web", "expensify-mobile", "expensify-classic"])
def test_ns0994_a_card_on_a_specific_vendor_goes_to_the_edit_export_mapping(platform):
    node = walk(GUIDES["ns0994"], ["specific"]).node
    assert node.kind == "solution"
    assert any("**Edit Export**" in text for text in step_texts("ns0994", node.slug, platform))
    assert walk(GUIDES["ns0994"], ["specific", NOT_FIXED]).node.kind == "escalation"


def test_ns0994_syncs_on_new_expensify_only():
    assert any("**Sync Now**" in t for t in step_texts("ns0994", "set-card-export", "expensify-web"))
    assert any("**Sync Now**" in t for t in step_texts("ns0994", "set-card-export", "expensify-mobile"))
    assert not any("Sync" in t for t in step_texts("ns0994", "set-card-export", "expensify-classic"))
    assert any("**Domain**" in t for t in step_texts("ns0994", "set-card-export", "expensify-classic"))


def test_ns0885_export_type_and_reimbursable_have_i_am_not_sure():
    guide = GUIDES["ns0885"]
    assert guide.nodes[unsure_leads_to("ns0885", "export-type")].kind == "solution"
    assert unsure_leads_to("ns0885", "reimbursable") == "expense-report-form"
    assert walk(guide, ["unsure"]).node.slug == "every-form"


def test_ns0885_adds_no_mechanism_of_its_own():
    text = every_text("ns0885")
    assert "built on its own NetSuite transaction form" not in text
    assert "If NetSuite offers an update" not in text


def test_ns0783_workspace_scriptid_step_on_new_expensify_and_format_check_on_classic():
    web, classic = step_texts("ns0783", "match-scriptid", "expensify-web"), step_texts("ns0783", "match-scriptid", "expensify-classic")
    assert any("Custom Record or Custom Field ScriptID" in t for t in web)
    assert not any("ScriptID" in t for t in classic)
    assert any("`custcol`" in t for t in classic)
    assert not any("`custcol`" in t for t in web)


def test_ns0864_syncs_after_the_approval_level_on_new_expensify_only():
    assert any("**Sync Now**" in t for t in step_texts("ns0864", "approval-level", "expensify-web"))
    assert not any("Sync" in t for t in step_texts("ns0864", "approval-level", "expensify-classic"))


def test_ns0898_starts_with_the_approval_level_and_a_fully_approved_report_is_handed_off():
    guide = GUIDES["ns0898"]
    assert guide.start == "approval-level"
    assert walk(guide, [NOT_FIXED, "yes"]).node.kind == "escalation"


def test_ns0739_soap_permission_path_per_platform_and_sandbox_unsure():
    web, classic = step_texts("ns0739", "soap-permission", "expensify-web"), step_texts("ns0739", "soap-permission", "expensify-classic")
    assert any("Manage Roles" in t for t in web) and not any("Manage Users" in t for t in web)
    assert any("Manage Users" in t for t in classic) and not any("Manage Roles" in t for t in classic)
    assert unsure_leads_to("ns0739", "sandbox") == "sandbox-format"


def test_ns0921_valid_alternative_on_the_report_is_classic_only():
    for node in ("fix-coding", "check-everything"):
        assert any("valid alternative" in t for t in step_texts("ns0921", node, "expensify-classic"))
        assert not any("valid alternative" in t for t in step_texts("ns0921", node, "expensify-web"))


@pytest.mark.parametrize("slug,node,target", [
    ("ns0831", "recent-change", "sync-changes"),
    ("ns0831", "classification-status", "fix-classification"),
    ("ns0844", "token-role", "vendors-full"),
    ("ns0919", "expense-limit", "clear-limit"),
    ("ns0988", "tax-group", "check-tax-group"),
    ("ns0770", "project-status", "change-project"),
    ("ns0938", "custom-record-permission", "grant-custom-records"),
])
def test_questions_a_non_expert_cannot_answer_have_i_am_not_sure(slug, node, target):
    assert unsure_leads_to(slug, node) == target


def test_ns0942_cites_the_current_copies_of_the_moved_article_only():
    paths = [s.path for s in GUIDES["ns0942"].sources]
    assert len(paths) == 2 and all("/Connection-errors/" in p for p in paths)


@pytest.mark.parametrize("slug", MINE)
def test_no_certainty_the_articles_do_not_give(slug):
    text = every_text(slug)
    for claim in ("isn't needed", "not needed", "no need to reconnect", "won't need to reconnect",
                  "does not need to be set up again"):
        assert claim not in text, claim
