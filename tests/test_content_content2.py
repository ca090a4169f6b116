"""Issue 21's cases in content2's guides: what the articles say, on the platforms they say it for.

Each test walks the shipped guide (the engine, or the real page for a platform) and asserts a path, an
answer or a step the NS articles give, or that a claim they do not make is gone.
"""

import re

from django.test import Client

from troubleshoot.guide import NOT_FIXED

from .conftest import every_text, node_after, shipped_guides

GUIDES = shipped_guides()




def steps(slug: str, node: str, platform: str) -> str:
    guide = GUIDES[slug]
    return "\n".join(s.text for s in guide.instructions_for(guide.nodes[node], platform))




def labels(slug: str, node: str) -> dict[str, str]:
    return {c.label: c.next for c in GUIDES[slug].nodes[node].choices}


# ns0109 ---------------------------------------------------------------------------------------------

def test_ns0109_credentials_that_look_right_lead_to_a_new_token_before_support():
    assert node_after("ns0109", "role", "yes", "match") == "new-token"
    assert node_after("ns0109", "role", "yes", "match", NOT_FIXED) == "escalate"


def test_ns0109_compares_all_six_credential_fields():
    help_text = GUIDES["ns0109"].nodes["details-match"].help
    for field in ("account ID", "role ID", "consumer key", "consumer secret", "token ID", "token secret"):
        assert field in help_text
    assert "All six match" in labels("ns0109", "details-match")


def test_ns0109_keeps_the_do_not_disconnect_caution():
    guide = GUIDES["ns0109"]
    assert "unless Concierge tells you to" in guide.nodes["escalate"].help
    assert "only do it if Concierge asks you to" in guide.nodes["update-connection"].help


def test_ns0109_states_no_mechanism_the_articles_do_not():
    text = every_text("ns0109")
    assert "Most NS0109 errors begin" not in text
    assert "signs in as this admin account" not in text


def test_ns0109_new_token_steps_follow_each_platforms_article():
    web, classic = steps("ns0109", "new-token", "expensify-web"), steps("ns0109", "new-token", "expensify-classic")
    assert "**Setup > Users/Roles > Access Tokens**" in web and "**Sync Now**" in web
    assert "**Access Token Management**" in classic and "**Sync now**" in classic
    assert "Users/Roles" not in classic and "Token ID" not in classic


def test_ns0109_every_answer_of_the_first_question_has_a_path_and_unsure_checks_the_login():
    assert node_after("ns0109", "unsure") == "admin-login"
    assert node_after("ns0109", "token") == "new-token"
    assert node_after("ns0109", "role", "role-off") == "restore-role"


def test_ns0109_setup_guide_comparison_only_on_classic():
    assert "setup guide" in steps("ns0109", "update-connection", "expensify-classic")
    assert "setup guide" not in steps("ns0109", "update-connection", "expensify-web")


# ns0228 ---------------------------------------------------------------------------------------------

def test_ns0228_a_listed_role_goes_to_the_sync_before_support():
    assert node_after("ns0228", "matches", "listed") == "sync"
    assert node_after("ns0228", "matches", "listed", NOT_FIXED) == "escalate"
    assert "Sync Now" in steps("ns0228", "sync", "expensify-web")


def test_ns0228_not_sure_of_the_user_or_the_role_has_a_way_on():
    assert node_after("ns0228", "role-unsure-user") == "user-role"
    assert node_after("ns0228", "unsure") == "user-role"
    assert node_after("ns0228", "unsure", "unsure") == "assign-role"


def test_ns0228_each_platform_gets_its_articles_netsuite_path():
    assert "**Lists > Employees**" in steps("ns0228", "assign-role", "expensify-web")
    classic = steps("ns0228", "assign-role", "expensify-classic")
    assert "**Setup > Users/Roles > Manage Users**" in classic and "Lists > Employees" not in classic


# ns0384 ---------------------------------------------------------------------------------------------

def test_ns0384_not_sure_of_the_token_user_leads_to_the_permission_tables():
    assert labels("ns0384", "token")["I'm not sure, or I can't see the token"] == "list-permissions"


def test_ns0384_new_token_names_no_fields_the_articles_do_not():
    for platform in ("expensify-web", "expensify-classic"):
        text = steps("ns0384", "new-token", platform)
        assert "**Access Tokens**" in text
        assert "Token ID" not in text and "Token Secret" not in text


# Steps only on the platform whose article gives them ------------------------------------------------

def test_sync_steps_only_where_the_new_expensify_article_gives_them():
    for slug, node in (("ns0144", "sync-and-retry"), ("ns0091", "enable-tax"), ("ns0336", "clean-merchants"),
                       ("ns0079", "enable-next-period"), ("ns0320", "next-open-period")):
        assert "Sync Now" in steps(slug, node, "expensify-web"), slug
        assert "Sync" not in steps(slug, node, "expensify-classic"), slug


def test_ns0091_tax_code_check_only_on_classic():
    assert "tax codes" in steps("ns0091", "enable-tax", "expensify-classic")
    assert "tax codes" not in steps("ns0091", "enable-tax", "expensify-web")


def test_ns0116_other_account_only_on_new_expensify_and_report_check_only_on_classic():
    web, classic = steps("ns0116", "add-subsidiary", "expensify-web"), steps("ns0116", "add-subsidiary", "expensify-classic")
    assert "different account" in web and "different account" not in classic
    assert "right category or export account" in classic and "right category or export account" not in web


def test_ns0196_screen_field_tabs_only_where_the_new_expensify_article_names_them():
    assert "Screen Fields > Apply" in steps("ns0196", "bill-payment-form", "expensify-web")
    assert "Screen Fields" not in steps("ns0196", "bill-payment-form", "expensify-classic")
    assert node_after("ns0196", "yes", NOT_FIXED, "unsure") == "clear-employee-defaults"


def test_ns0318_expense_report_on_classic_is_refresh_and_check_not_a_sync_click():
    classic = steps("ns0318", "refresh-and-sync", "expensify-classic")
    assert "ignore" in classic and "Sync Now" not in classic
    assert "Sync Now" in steps("ns0318", "refresh-and-sync", "expensify-mobile")


# Claims and steps the articles do not give are gone -------------------------------------------------

def test_steps_no_article_gives_are_gone():
    assert "Auto-create employees/vendors" not in every_text("ns0077")
    assert "match-employee" not in GUIDES["ns0077"].nodes
    assert "Screen Fields" not in every_text("ns0085")
    assert "Show Inactives" not in every_text("ns0123") and "State" not in every_text("ns0123")
    assert "General Ledger" not in every_text("ns0079")
    assert "write down any permissions" not in every_text("ns0318")


def test_page_for_ns0109_new_token_on_classic_shows_classic_steps_only(shipped):
    page = Client().get("/guides/ns0109/v1/expensify-classic/token/").content.decode()
    shown = re.search(r'<ol class="instructions">(.*?)</ol>', page, re.S).group(1)
    assert "Access Token Management" in shown and "Users/Roles" not in shown
