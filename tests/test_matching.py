"""Recognising pasted errors: real variants of each shipped guide's message, and real messages of
other NetSuite errors that must open no guide (from Expensify's, Bill.com's and Cashflow360's help)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from troubleshoot.matching import Matcher, normalise

from .conftest import shipped_guides

MATCHER = Matcher(shipped_guides().values())

LOG = """2026-11-20 09:14:02 INFO  Export started for report R00123
2026-11-20 09:14:05 ERROR {}
2026-11-20 09:14:05 INFO  Export finished with 1 error"""
EMAIL = """Hi team,

Our nightly sync stopped again. The screen says:

> {}

Can someone have a look?
Thanks, Sam"""

VARIANTS = {
    "ns0109": [
        "NS0109 Sync Error: Failed to login to NetSuite. Please verify your admin credentials.",
        "NS0109: Failed to login to NetSuite. Please verify your admin credentials.",
        "ExpensiError NS0109: Failed to login to NetSuite. Please verify your admin credentials.",
        "ns0109",
        "NS0109 Sync Error: Failed to login to Net",
        "Failed to login to NetSuite. Please verify your admin credentials.",
        "failed   to LOGIN to netsuite.\nplease verify your admin credentials",
        "Failed to login to NetSuite. Please verify",
        LOG.format("NS0109 Sync Error: Failed to login to NetSuite."),
        EMAIL.format("Failed to login to NetSuite. Please verify your admin credentials."),
    ],
    "ns0565": [
        "NS0565 Sync Error: The role linked to your NetSuite access token doesn’t have permission to access Account records. Please confirm the token is assigned to the Expensify Integration role by viewing the “Access Token” in NetSuite.",
        "NS0565: The role linked to your NetSuite access token doesn’t have permission to access Account records. Please confirm the token is assigned to the Expensify Integration role by viewing the ‘Access Token’ in NetSuite.",
        "The role linked to your NetSuite access token doesn't have permission to access Account records.",
        "The role linked to your NetSuite access token doesn’t have permission to access Acc",
        EMAIL.format("The role linked to your NetSuite access token doesn't have permission to access Account records. Please confirm the token is assigned to the Expensify Integration role"),
    ],
    "ns0384": [
        "NS0384 Sync Error: Permission error encountered when querying NetSuite for ‘Classification’. Please confirm the token is assigned to the Expensify Integration role by viewing the ‘Access Token’ in NetSuite.",
        "NS0384: Permission error encountered when querying NetSuite for ‘Classification’.",
        "Permission error encountered when querying NetSuite for 'Classification'",
        "Permission error encountered when querying NetSuite for “Classification”. Please confirm the token",
        LOG.format("Permission error encountered when querying NetSuite for ‘Classification’."),
    ],
    "login-credentials": [
        "Oracle NetSuite Sync Error: Sync didn't finish successfully! Your login credentials are invalid/expired",
        "NetSuite Sync Error: Sync didn't finish successfully! Your login credentials are invalid/expired",
        "Sync didn’t finish successfully! Your login credentials are invalid/expired",
        "sync didn't finish successfully! your login credentials are",
        "Sync didn't finish successfully! Your login credentials are invalid / expired",
        EMAIL.format("Oracle NetSuite Sync Error: Sync didn't finish successfully!\nYour login credentials are invalid/expired"),
    ],
}

# Errors no guide documents (made up in the shape of real ones): none may open a guide.
OTHERS = [
    ("NS0244: The saved search for Departments could not be run.", "NS0244"),
    ("NS0244 Sync Error: The saved search for Departments could not be run.", "NS0244"),
    ("The saved search for Departments could not be run.", ""),
    ("NS0197: Could not reconcile the imported card statement.", "NS0197"),
    ("ExpensiError NS0026: Unknown Subsidiary Filter", "NS0026"),
    ("Could not reconcile the imported card statement.", ""),
]


@pytest.mark.parametrize(("slug", "text"), [(slug, text) for slug, texts in VARIANTS.items() for text in texts])
def test_each_variant_opens_its_guide(slug, text):
    assert MATCHER.match(text).guide.slug == slug


@pytest.mark.parametrize(("text", "code"), OTHERS)
def test_other_errors_open_no_guide(text, code):
    found = MATCHER.match(text)
    assert found.guide is None and not found.choices
    assert found.code == code


def test_a_code_without_a_guide_suggests_the_closest_but_opens_nothing():
    found = MATCHER.match("NS0244: Permission error encountered when querying NetSuite for ‘Classification’.")
    assert found.guide is None and found.code == "NS0244"
    assert found.suggestions[0].slug == "ns0384"


def test_a_code_wins_over_words():
    found = MATCHER.match("NS0565: Failed to login to NetSuite. Please verify your admin credentials.")
    assert found.guide.slug == "ns0565"


def test_the_platform_is_taken_from_the_text_when_it_names_one():
    text = "Bill.com: Oracle NetSuite Sync Error: Sync didn't finish successfully! Your login credentials are invalid/expired"
    assert MATCHER.match(text).platform == "bill-com"
    assert MATCHER.match("Cashflow360 says: " + text.split(": ", 1)[1]).platform == "cashflow360"
    assert MATCHER.match(text.split(": ", 1)[1]).platform == ""
    assert MATCHER.match("Expensify: NS0109 Sync Error").platform == ""  # web or mobile: still asked


def test_two_guides_equally_close_are_offered_to_pick():
    twin = shipped_guides()["login-credentials"]
    other = type(twin)(**{**twin.__dict__, "slug": "login-credentials-copy", "title": "A copy"})
    found = Matcher([twin, other]).match("Sync didn't finish successfully! Your login credentials are invalid/expired")
    assert found.guide is None
    assert {g.slug for g in found.choices} == {"login-credentials", "login-credentials-copy"}


def test_unrelated_text_opens_nothing():
    for text in ("hello", "The printer is on fire", "NetSuite", "x" * 20_000):
        found = MATCHER.match(text)
        assert found.guide is None and not found.choices


def test_normalise_folds_quotes_dashes_case_and_spaces():
    assert normalise("  ‘Quoted’ “TEXT”\u2014dash\n\tend ") == "'quoted' \"text\"-dash end"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_matching_never_raises_and_always_answers_the_same(text):
    assert MATCHER.match(text) == MATCHER.match(text)


CODED = [(slug, t) for slug, texts in VARIANTS.items() for t in texts if t.upper().startswith(("NS0", "EXPENSIERROR"))]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",))), st.sampled_from(CODED))
def test_surrounding_text_without_codes_never_changes_what_a_code_opens(noise, case):
    slug, text = case
    assert MATCHER.match(f"{noise}\n{text}\n{noise}").guide.slug == slug


def test_expensify_in_a_message_names_no_platform_but_classic_by_name_does():
    guide = shipped_guides()["ns0023"]
    assert MATCHER.match(guide.error).platform == ""  # "between NetSuite and Expensify"
    assert MATCHER.match(guide.error + " (in Expensify Classic)").platform == "expensify-classic"
