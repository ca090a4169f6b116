"""What the second reading (issue 21 item 3) changed in its guides, held as walks of the shipped
guides: where "I'm not sure" leads, a step present on every platform, a claim gone or added."""

from troubleshoot.engine import walk
from troubleshoot.guide import NOT_FIXED

from .conftest import shipped_guides, step_texts

GUIDES = shipped_guides()
EXPENSIFY = ("expensify-web", "expensify-mobile", "expensify-classic")




def test_ns0034_unsure_compares_the_record_before_anything_is_deleted():
    # NS0034's articles: only delete the record if the report must go again; a correct one stays.
    guide = GUIDES["ns0034"]
    assert walk(guide, ["unsure"]).node.slug == "keep-record"
    assert walk(guide, ["unsure", NOT_FIXED]).node.slug == "delete-and-reexport"


def test_ns0068_unsure_checks_the_journal_entry_form_and_then_the_export_types_form():
    guide = GUIDES["ns0068"]
    assert walk(guide, ["unsure"]).node.slug == "journal-entry-form"
    assert walk(guide, ["unsure", NOT_FIXED]).node.slug == "preferred-form"
    assert walk(guide, ["no"]).node.slug == "preferred-form"


def test_ns0046_billable_coding_is_synced_before_the_export_is_tried_again():
    for platform in EXPENSIFY:
        steps = step_texts("ns0046", "apply-tag", platform)
        sync = next(i for i, t in enumerate(steps) if "**Sync" in t)
        retry = next(i for i, t in enumerate(steps) if t.startswith("Export it to NetSuite again"))
        assert sync < retry, platform


def test_ns0023_match_offers_the_workspace_side_the_classic_overview_gives():
    guide = GUIDES["ns0023"]
    node = guide.nodes["match-record"]
    assert "classic-overview" in node.sources
    steps = " ".join(step_texts("ns0023", "match-record", "expensify-web"))
    assert "change the subsidiary the Workspace's connection uses" in steps


def test_summaries_claim_no_more_than_their_articles():
    assert "connection itself is fine" not in GUIDES["ns0061"].summary
    assert "reconnecting usually isn't needed" in GUIDES["ns0061"].summary
    # NS0024's Classic overview offers Cross-Subsidiary Customers/Projects, so a subsidiary can matter
    assert "subsidiary problem" not in GUIDES["ns0024"].summary
    assert "usually a subsidiary setting" in GUIDES["ns0059"].summary


def test_ns0042_email_fix_also_matches_the_vendor_name_as_the_overview_asks():
    guide = GUIDES["ns0042"]
    assert "classic-overview" in guide.nodes["fix-email"].sources
    steps = " ".join(step_texts("ns0042", "fix-email", "expensify-web"))
    assert "correct the name" in steps and "**Email**" in steps
