"""Issue 21, second reading (review2): what the second reader changed, held by the shipped guides.

Each test walks a shipped guide with the engine and asserts the path or text the NS articles give.
"""

from troubleshoot.guide import NOT_FIXED

from .conftest import node_after, shipped_guides

GUIDES = shipped_guides()




def test_ns0109_unsure_which_credentials_changed_goes_to_concierge():
    # NS0109: "If you are unsure which credentials changed ... reach out to Concierge".
    assert node_after("ns0109", "role", "yes", "unsure") == "escalate"
    # Credentials that all match still get a new token first.
    assert node_after("ns0109", "role", "yes", "match") == "new-token"


def test_ns0295_unsure_export_type_checks_both_records_then_hands_off():
    guide = GUIDES["ns0295"]
    assert node_after("ns0295", "unsure") == "both-emails"
    text = "\n".join(s.text for s in guide.expanded(guide.nodes["both-emails"]))
    assert "**Lists > Employees**" in text and "**Lists > Vendors**" in text
    assert node_after("ns0295", "unsure", NOT_FIXED) == "escalate"
    # The question no longer says where the export type is shown; neither article does.
    assert "under **Accounting**" not in guide.nodes["export-type"].help


def test_error_wordings_are_only_those_the_articles_give():
    # Each guide's `messages` held wordings none of its NS articles gives; only the articles' stay.
    dropped = {
        "ns0109": ["NetSuite Login Failed", "Login Error. Please check your credentials."],
        "ns0077": ["Error Creating Employee: Your Role Does Not Have Permission to Access This Record"],
        "ns0079": ["Transaction Date Outside Accounting Period"],
        "ns0085": ["Expense Lacks Permissions to Set Exchange Rate"],
        "ns0123": ["Expensify Integration Not Enabled"],
    }
    for slug, wordings in dropped.items():
        guide = GUIDES[slug]
        for wording in wordings:
            assert wording not in guide.messages, (slug, wording)
        assert guide.messages, slug
