"""Fair limits: an office behind one address is served, a flood from one client is slowed, and nothing
that opened no guide is dropped without a count or a log line."""

import logging
from types import SimpleNamespace

import pytest
from django.test import Client, override_settings

from troubleshoot.models import MissingPaste

KNOWN = "NS0109: Failed to login to NetSuite."  # opens a guide
UNKNOWN = "NS0197: Could not reconcile the imported card statement."


@pytest.fixture
def clock(monkeypatch) -> SimpleNamespace:
    """The limits' clock, moved by the test: an hour passes in no time."""
    now = SimpleNamespace(value=1_800_000_000.0)
    monkeypatch.setattr("troubleshoot.limits.time", SimpleNamespace(time=lambda: now.value))
    return now


def test_two_hundred_people_behind_one_address_pasting_a_few_times_an_hour_are_all_served(shipped, clock):
    office = Client(REMOTE_ADDR="198.51.100.7")  # cookie-less browsers: the address is all the server sees
    statuses = []
    for _ in range(3):  # three pastes each in the hour, one every 6 seconds from somebody
        for person in range(200):
            statuses.append(office.post("/find/", {"error": UNKNOWN if person % 4 == 0 else KNOWN}).status_code)
            clock.value += 6
    assert 429 not in statuses and len(statuses) == 600


def test_two_hundred_people_behind_one_address_all_pasting_in_the_same_minute_are_served(shipped, clock):
    office = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [office.post("/find/", {"error": KNOWN}).status_code for person in range(200)]
    assert set(statuses) == {302}


def test_one_client_pasting_thousands_of_times_is_slowed_with_a_page_that_says_to_wait(shipped, clock):
    client = Client(REMOTE_ADDR="203.0.113.5")
    responses = [client.post("/find/", {"error": KNOWN}) for _ in range(2000)]
    statuses = [r.status_code for r in responses]
    assert statuses[:300] == [302] * 300 and set(statuses[300:]) == {429}
    assert responses[-1]["Retry-After"] == "60"
    assert "Wait a minute, then try again." in responses[-1].content.decode()


def test_a_client_that_stopped_flooding_is_served_again_a_minute_later(shipped, clock):
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(301):
        client.post("/find/", {"error": KNOWN})
    assert client.post("/find/", {"error": KNOWN}).status_code == 429
    clock.value += 120
    assert client.post("/find/", {"error": KNOWN}).status_code == 302


def test_a_flood_from_one_address_leaves_other_addresses_served(shipped, clock):
    flood = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(400):
        flood.post("/find/", {"error": KNOWN})
    assert Client(REMOTE_ADDR="198.51.100.7").post("/find/", {"error": KNOWN}).status_code == 302


@override_settings(WRITES_PER_MINUTE={"paste": 1, "refused": 10, "record": 10, "suggest": 3, "feedback": 2, "run": 2})
def test_a_refused_paste_that_opened_no_guide_is_still_counted(shipped, clock):
    client = Client()
    assert client.post("/find/", {"error": UNKNOWN}).status_code == 200
    assert client.post("/find/", {"error": UNKNOWN}).status_code == 429
    assert client.post("/find/", {"error": "NS0777: Another unknown error."}).status_code == 429
    assert client.post("/find/", {"error": KNOWN}).status_code == 429  # would have opened a guide: not missing
    assert dict(MissingPaste.objects.values_list("code", "count")) == {"NS0197": 2, "NS0777": 1}


@override_settings(WRITES_PER_MINUTE={"paste": 1, "refused": 50, "record": 3, "suggest": 3, "feedback": 2, "run": 2})
def test_refused_pastes_add_bounded_new_rows_but_still_count_on_existing_ones(shipped, clock, caplog):
    client = Client()
    client.post("/find/", {"error": UNKNOWN})
    with caplog.at_level(logging.WARNING, logger="troubleshoot"):
        for i in range(20):
            assert client.post("/find/", {"error": f"NS1{i:03d}: made up"}).status_code == 429
            client.post("/find/", {"error": UNKNOWN})
    assert MissingPaste.objects.count() == 3  # the served paste's row and two more: 3 new rows a minute
    assert MissingPaste.objects.get(code="NS0197").count == 21
    assert "not recorded" in caplog.text  # what the limit kept out is logged, once a minute


@override_settings(WRITES_PER_MINUTE={"paste": 1, "refused": 2, "record": 10, "suggest": 3, "feedback": 2, "run": 2})
def test_refused_pastes_beyond_their_own_budget_are_logged_not_counted(shipped, clock, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="troubleshoot"):
        for _ in range(10):
            client.post("/find/", {"error": UNKNOWN})
    assert MissingPaste.objects.get().count == 3  # one served, two refused and counted
    assert caplog.text.count("a flood of pastes from one client") == 1
