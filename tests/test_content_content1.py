"""The cases issue 21 names for ns0012, ns0019, NS0021, NS0023, NS0024, NS0029, NS0034, NS0046 and
login-credentials, held as walks of the shipped guides: a path exists, a step is on one platform and
not another, a claim is gone."""

import pytest

from troubleshoot import facts
from troubleshoot.document import lint
from troubleshoot.engine import walk
from troubleshoot.guide import NOT_FIXED

from .conftest import FIXTURES, every_text, shipped_guides, step_texts

GUIDES = shipped_guides()
EXPENSIFY = ("expensify-web", "expensify-mobile", "expensify-classic")






def test_ns0012_unsure_reaches_multiple_currencies_for_a_non_oneworld_user():
    guide = GUIDES["ns0012"]
    assert walk(guide, ["unsure"]).node.slug == "subsidiary-currency"
    assert walk(guide, ["unsure", "no-subsidiary"]).node.slug == "enable-multiple-currencies"
    assert "Multiple Currencies" in step_texts("ns0012", "enable-multiple-currencies", "expensify-classic")[1]


def test_ns0012_does_not_say_reconnecting_is_not_needed():
    assert "reconnecting is not needed" not in every_text("ns0012")
    assert "usually isn't needed" in GUIDES["ns0012"].summary


def test_ns0019_card_mapping_has_no_app_steps_and_a_way_on_when_unsure():
    guide = GUIDES["ns0019"]
    assert walk(guide, ["unsure"]).node.slug == "export-type"
    mobile = " ".join(step_texts("ns0019", "map-card", "expensify-mobile"))
    assert "Tap" not in mobile and "tap " not in mobile
    assert "web browser" in mobile and "**Edit Export**" in mobile
    # where an article does give app steps (the sync), the app gets them
    assert any("tap **Sync Now**" in t for t in step_texts("ns0012", "sync-and-retry", "expensify-mobile"))


def test_ns0021_tax_group_setup_is_reached_from_a_correct_mapping_and_after_the_fix():
    guide = GUIDES["ns0021"]
    assert walk(guide, ["purchase-codes"]).node.slug == "tax-group-setup"
    assert walk(guide, ["sales-codes", NOT_FIXED]).node.slug == "tax-group-setup"
    steps = " ".join(step_texts("ns0021", "tax-group-setup", "expensify-web"))
    assert "**Set Up Taxes**" in steps and "**Tax Groups**" in steps and "**GST/VAT**" in steps


def test_ns0023_access_dates_and_expense_report_currencies_come_after_the_match():
    guide = GUIDES["ns0023"]
    assert walk(guide, ["yes", NOT_FIXED]).node.slug == "more-employee-checks"
    steps = " ".join(step_texts("ns0023", "more-employee-checks", "expensify-classic"))
    assert "**Restrict Access to Expensify**" in steps
    assert "**Human Resources > Expense Report Currencies**" in steps
    assert "hire date" in steps


def test_ns0024_cross_subsidiary_is_a_classic_step_only():
    guide = GUIDES["ns0024"]
    assert walk(guide, ["yes", NOT_FIXED]).node.slug == "loosen-restriction"
    classic = " ".join(step_texts("ns0024", "loosen-restriction", "expensify-classic"))
    assert "**Cross-Subsidiary Customers/Projects**" in classic
    assert "**Limit time and expenses to resources**" in classic
    for platform in ("expensify-web", "expensify-mobile"):
        steps = " ".join(step_texts("ns0024", "loosen-restriction", platform))
        assert "Cross-Subsidiary" not in steps and "**Show Projects Only For Time And Expense Entry**" in steps


def test_ns0029_keeps_the_caution_and_claims_no_certainty():
    text = every_text("ns0029")
    assert "Don't disconnect the NetSuite integration either, unless Concierge tells you to" in text
    assert "often all it takes" not in text


def test_ns0034_report_id_place_is_given():
    assert "**Details**" in GUIDES["ns0034"].nodes["existing-record"].help


def test_ns0046_classic_billable_view_is_a_classic_step_only():
    classic = " ".join(step_texts("ns0046", "apply-tag", "expensify-classic"))
    assert "**Split report by: Billable**" in classic and "**Group by: Tag**" in classic
    assert "Split report by" not in " ".join(step_texts("ns0046", "apply-tag", "expensify-web"))
    assert walk(GUIDES["ns0046"], ["unsure"]).node.slug == "apply-tag"


def test_login_credentials_has_no_steps_the_seeds_lack():
    text = every_text("login-credentials")
    assert "Sign in to NetSuite yourself" not in text and "I can sign in with them" not in text
    assert "Run the sync again" not in text
    assert "**Submit**" in " ".join(step_texts("login-credentials", "turn-off-two-factor", "bill-com"))


def test_login_credentials_names_the_seeds_on_every_node_that_states_something():
    guide = GUIDES["login-credentials"]
    assert {s.seed for s in guide.sources} == {"002_e55a11cfee392ac3.txt", "003_e6c250022827fc93.txt"}
    for node in guide.nodes.values():
        if node.kind != "escalation":
            assert set(node.sources) == {"seed-billcom", "seed-cashflow360"}, node.slug


@pytest.mark.parametrize("slug, answers, node", [
    ("login-credentials", ["yes", "unsure"], "subsidiary-entered"),
    ("login-credentials", ["yes", "no", "yes", "unsure"], "turn-off-two-factor"),
    ("ns0042", ["same", "unsure"], "fix-subsidiary"),
    ("ns0042", ["same", "same", "active"], "other-vendor-options"),
    ("ns0023", ["unsure"], "match-record"),
])
def test_im_not_sure_leads_on(slug, answers, node):
    assert walk(GUIDES[slug], answers).node.slug == node


CONTENT1 = ["login-credentials", "ns0005", "ns0012", "ns0019", "ns0021", "ns0023", "ns0024", "ns0029", "ns0033",
            "ns0034", "ns0037", "ns0042", "ns0045", "ns0046", "ns0055", "ns0056", "ns0059", "ns0061", "ns0068"]


@pytest.mark.parametrize("slug", CONTENT1)
def test_content1_guides_pass_lint_and_the_facts_check(slug):
    guide = GUIDES[slug]
    problems = facts.shipped(guide, lint(guide), facts.load(FIXTURES / "facts"))
    assert [str(p) for p in problems] == []
