"""NetSuite's own errors and the other apps' documented sync errors (issue 23): pasted as people paste
them, with and without an app's lead-in, each opens its own guide and never another's."""

import pytest

from troubleshoot.matching import Matcher

from .conftest import shipped_guides

GUIDES = shipped_guides()
MATCHER = Matcher(GUIDES.values())

# Each guide's own wordings, then the same inside the wrappers apps and logs put around them.
OWN = {
    "ns-integration-record": ["UnknownIntegration", "IntegrationBlocked", "consumer_key_refused", "consumer_key_unknown",
                              'error="consumer_key_refused"', "TBA authorization failed: UnknownIntegration"],
    "ns-token-login": ["InvalidTimestamp", "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.", "FeatureDisabled",
                       "[Login] Error code: FAILED_AUTHENTICATION Login failed",
                       "INVALID_LOGIN_CREDENTIALS: You have entered an invalid email address or account number.",
                       "Login Audit Trail detail: EntityOrRoleDisabled", "InvalidIntegration"],
    "ns-role-permission": [
        "Your current role does not have permission to perform this action.",
        'NetSuite bad request error: 400 "detail": "Your current role does not have permission to perform this '
        'action." "o:errorCode": "USER_ERROR"',
        "INSUFFICIENT_PERMISSION", "soapenv:Server.userException InsufficientPermissionFault"],
    "ns-required-field": ["Please enter value(s) for: Subsidiary.", "USER_ERROR: Please enter value(s) for: Department",
                          "Please enter value(s) for"],
    "billcom-reason-null": ["Oracle NetSuite Sync Error: Reason: Null", "Reason: Null", "Sync error. Reason: null"],
    "cashflow360-could-not-apply": [
        "Oracle NetSuite Sync Error: COULD_NOT_APPLY: Could not apply 10422. It may not yet be synced, or it may have "
        "been applied by another payment.",
        "COULD_NOT_APPLY",
        "Could not apply 10422. It may not yet be synced, or it may have been applied by another payment."],
    "cashflow360-po-out-of-bounds": [
        "Oracle NetSuite Sync Error: Bill 2291 cannot be created in Bill.com - Purchase Order quantity billed out of bounds",
        "Bill 2291 cannot be created in Bill.com - Purchase Order quantity billed out of bounds",
        "Purchase Order quantity billed out of bounds"],
}
PREFIXES = ["", "Boomi: ", "Celigo integrator.io error - ", "2026-12-05 09:14:05 ERROR ", "Workato job failed: "]
CASES = [(slug, prefix + text) for slug, texts in OWN.items() for text in texts for prefix in PREFIXES]


@pytest.mark.parametrize(("slug", "text"), CASES)
def test_each_wording_opens_its_own_guide(slug, text):
    found = MATCHER.match(text)
    assert found.guide is not None and found.guide.slug == slug, (text, found)


@pytest.mark.parametrize("slug", sorted(OWN))
def test_each_guides_own_error_and_messages_open_it(slug):
    guide = GUIDES[slug]
    own_codes = [c for c in guide.codes if not any(c in g.codes for g in GUIDES.values() if g is not guide)]
    for text in (guide.error, *guide.messages, *own_codes):
        assert MATCHER.match(text).guide.slug == slug, text


def test_code_words_report_their_own_spelling():
    assert MATCHER.match("TBA said InvalidTimestamp").code == "InvalidTimestamp"
    assert MATCHER.match("got consumer_key_refused").code == "consumer_key_refused"


def test_a_code_word_inside_a_longer_word_is_not_that_code():
    for text in ("NOT_USER_ERROR_REALLY", "MyInvalidTimestampHandler crashed", "consumer_key_refused_x"):
        assert MATCHER.match(text).code == "", text


def test_a_code_two_guides_share_without_their_words_asks_which():
    found = MATCHER.match("USER_ERROR")
    assert found.guide is None and found.code == "USER_ERROR"
    assert {g.slug for g in found.choices} == {"ns-role-permission", "ns-required-field"}


def test_the_role_message_no_longer_opens_the_employee_guide():
    text = "Your current role does not have permission to perform this action."
    assert MATCHER.match(text).guide.slug == "ns-role-permission"
    assert MATCHER.match("Improvado: " + text).guide.slug != "ns0077"


def test_the_apps_lead_in_alone_opens_nothing():
    for text in ("Oracle NetSuite Sync Error: Something nobody documented happened",
                 "Oracle NetSuite Sync Error: INVALID_KEY_OR_REF - Invalid Account Reference Key Error.",
                 "Password has expired. Please change your Netsuite password before continuing.",
                 "INVALID_KEY_OR_REF - Invalid Account Reference Key Error.",
                 "WS_CONCUR_SESSION_DISALLWD"):
        found = MATCHER.match(text)
        assert found.guide is None and not found.choices, text


def test_the_app_named_in_the_paste_picks_its_platform():
    text = "Sync didn't finish successfully! Your login credentials are invalid/expired"
    assert MATCHER.match("Cashflow360: " + text).platform == "cashflow360"
    assert MATCHER.match("Bill.com says " + text).platform == "bill-com"
    assert MATCHER.match("Oracle NetSuite Sync Error: Reason: Null").platform == ""  # one platform: picked by the page
    assert MATCHER.match("Bill.com: Reason: Null").platform == "bill-com"


def test_the_app_named_in_the_paste_picks_between_two_apps_guides_of_one_message():
    twin = GUIDES["billcom-reason-null"]
    cashflow = type(twin)(**{**twin.__dict__, "slug": "cashflow360-reason-null",
                             "platforms": (type(twin.platforms[0])("cashflow360", "Cashflow360", "Cashflow360's team"),)})
    matcher = Matcher([twin, cashflow])
    assert matcher.match("Cashflow360: Oracle NetSuite Sync Error: Reason: Null").guide.slug == "cashflow360-reason-null"
    assert matcher.match("Bill.com: Oracle NetSuite Sync Error: Reason: Null").guide.slug == "billcom-reason-null"
    assert {g.slug for g in matcher.match("Oracle NetSuite Sync Error: Reason: Null").choices} == {
        "billcom-reason-null", "cashflow360-reason-null"}


@pytest.mark.parametrize("slug", ["ns-integration-record", "ns-token-login", "ns-role-permission", "ns-required-field"])
def test_netsuites_own_guides_are_for_any_integration_and_hand_off_to_whoever_runs_it(slug):
    guide = GUIDES[slug]
    assert [p.name for p in guide.platforms] == ["NetSuite (any integration)"] and guide.origins == ("NetSuite",)
    escalations = [n for n in guide.nodes.values() if n.kind == "escalation"]
    assert escalations and all("whoever runs the integration" in n.title.lower() and "Send them the full error" in n.help
                               for n in escalations)
    assert all(n.who for n in guide.nodes.values() if n.kind == "solution")


def test_the_integration_record_fix_is_oracles_steps_in_order():
    steps = [i.text for i in GUIDES["ns-integration-record"].instructions_for(
        GUIDES["ns-integration-record"].nodes["enable-record"], "netsuite")]
    assert "**Setup > Integration > Manage Integrations**" in steps[0]
    assert "**Edit**" in steps[1] and "**Blocked** to **Enabled**" in steps[2]


def test_billcom_role_carries_the_permissions_bills_article_lists():
    text = " ".join(i.text for i in GUIDES["billcom-reason-null"].nodes["create-role"].instructions)
    for name in ("Classes", "Departments", "Documents and Files", "Email Template", "Employee Record",
                 "Locations", "Subsidiaries", "Tax Schedules", "SuiteScript Scheduling"):
        assert f"**{name}**" in text
    assert "**Employee Social Security Numbers** at **View**" in text and "**Not required**" in text


def test_an_apps_help_link_may_name_netsuites_code_word(client, shipped):
    response = client.get("/error/InvalidTimestamp/")
    assert response.status_code == 302 and response["Location"].startswith("/guides/ns-token-login/")
    response = client.get("/error/USER_ERROR/", {"message": "Please enter value(s) for: Subsidiary"})
    assert response.status_code == 302 and response["Location"].startswith("/guides/ns-required-field/")
    page = client.get("/error/USER_ERROR/").content.decode()
    assert "/guides/ns-role-permission/" in page and "/guides/ns-required-field/" in page
