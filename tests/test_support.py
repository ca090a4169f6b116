import re

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError
from django.test import Client

from troubleshoot.models import Run
from troubleshoot.runs import reference_for

from .conftest import hand_off, hand_off_form

HTMX = {"HX-Request": "true"}
START = "/guides/login-credentials/v1/bill-com/"
ESCALATION = START + "yes/no/yes/no/"


@pytest.fixture
def agent(shipped, django_user_model) -> Client:
    user = django_user_model.objects.create_user("alex", password="pw")
    user.groups.add(Group.objects.get(name="support agents"))
    client = Client()
    client.force_login(user)
    return client


def escalate(client: Client) -> str:
    """Walk to the escalation the way a user does, and return the reference shown."""
    for i in range(5):
        client.get(START + "".join(a + "/" for a in ["yes", "no", "yes", "no"][:i]), headers=HTMX if i % 2 else {})
    assert "Your reference" not in client.get(ESCALATION).content.decode()  # reaching it hands nothing over
    page = hand_off(client, ESCALATION)
    return re.search(r"Your reference: <strong>([0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})</strong>", page).group(1)


# Runs


def test_a_walk_is_one_run_recorded_through_full_pages_and_swaps(client, shipped):
    client.get(START)
    client.get(START + "yes/", headers=HTMX)
    client.get(START + "yes/no/")
    run = Run.objects.get()
    assert (run.version, run.platform, run.answers, run.node, run.outcome) == (1, "bill-com", "yes/no", "native-admin", "left")


def test_outcomes_follow_what_the_user_said(client, shipped):
    client.get(START + "no/")
    assert Run.objects.get().solution == "reconnect"
    client.get(START + "no/not-fixed/")
    assert Run.objects.get().outcome == "not_fixed"
    client.get(START + "no/fixed/")
    run = Run.objects.get()
    assert (run.outcome, run.solution) == ("fixed", "reconnect")


def test_recorded_times_compare_like_the_orms(client, shipped):
    from datetime import timedelta

    from django.utils import timezone

    client.get(START)
    now = timezone.now()
    assert Run.objects.filter(started_at__gte=now - timedelta(minutes=1), started_at__lt=now + timedelta(minutes=1)).count() == 1
    assert Run.objects.filter(updated_at__gt=now + timedelta(seconds=1)).count() == 0
    assert abs(Run.objects.get().started_at - now) < timedelta(minutes=1)


def test_another_guide_or_version_starts_another_run(client, shipped):
    client.get(START)
    client.get("/guides/ns0109/v1/expensify-web/")
    assert Run.objects.count() == 2


def test_a_failed_write_still_shows_the_step(client, shipped, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("troubleshoot.run_writer.write", broken)
    response = client.get(START)
    assert response.status_code == 200 and "Are the NetSuite login credentials saved in the sync" in response.content.decode()
    assert not Run.objects.exists()


def test_escalation_gives_a_reference_stored_with_the_run(client, shipped):
    reference = escalate(client)
    run = Run.objects.get()
    assert run.reference == reference == reference_for(run.key)
    assert run.outcome == "escalated"
    assert f"Reference: {reference}" in client.get(ESCALATION).content.decode()  # in the summary too


def test_an_ended_walk_reloaded_or_thanked_keeps_its_run_and_reference(client, shipped):
    reference = escalate(client)
    client.post("/feedback/", {"text": "Still broken", "next": ESCALATION})
    for url in (ESCALATION, ESCALATION + "?thanks=1"):
        assert f"Your reference: <strong>{reference}</strong>" in client.get(url).content.decode()
    assert Run.objects.get().feedback == "Still broken"


def test_a_second_walk_after_one_ended_is_a_run_of_its_own(client, shipped):
    client.get(START + "no/fixed/")
    client.post("/feedback/", {"text": "That fixed it", "next": START + "no/fixed/"})
    reference = escalate(client)  # the same error again, days later, in the same browser
    fixed, escalated = Run.objects.order_by("started_at", "key")
    assert (fixed.outcome, fixed.feedback, fixed.reference) == ("fixed", "That fixed it", None)
    assert (escalated.outcome, escalated.feedback, escalated.reference) == ("escalated", "", reference)
    client.get(START + "yes/")  # back from the escalation to change an answer: the escalated run stays as it was
    assert Run.objects.count() == 3 and Run.objects.get(pk=escalated.pk).outcome == "escalated"


def test_a_step_for_everyone_looks_up_no_session_and_a_personal_one_is_private(client, shipped):
    step = client.get(START)
    assert "Cookie" not in step.get("Vary", "") and "private" not in step.get("Cache-Control", "")
    escalation = client.get(ESCALATION)  # holds this walk's reference
    assert "private" in escalation["Cache-Control"]


def test_references_are_not_sequential(shipped):
    assert reference_for("a" * 32) != reference_for("b" * 32)
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", reference_for("a" * 32))


def test_new_references_have_no_look_alike_letters(shipped):
    references = [reference_for(f"{n:032x}") for n in range(2000)]
    letters = set("".join(references).replace("-", ""))
    assert not letters & set("ILOU")
    assert letters == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")  # all 32 of Crockford's, so still 50 bits
    assert all(re.fullmatch(r"\w{5}-\w{5}", r) for r in references)


def test_feedback_is_attached_to_the_run_capped(client, shipped):
    client.get(START + "no/fixed/")
    response = client.post("/feedback/", {"text": "It worked! " + "x" * 5000, "next": START + "no/fixed/"})
    assert response["Location"] == START + "no/fixed/?thanks=1"
    assert Run.objects.get().feedback.startswith("It worked!")
    assert len(Run.objects.get().feedback) == Run.FEEDBACK_LIMIT
    assert "your note is saved" in client.get(response["Location"]).content.decode()


def test_feedback_without_a_walk_says_so(client, shipped):
    response = client.post("/feedback/", {"text": "hello", "next": "https://evil.example/"})
    assert response.status_code == 400
    assert 'href="/"' in response.content.decode()  # the foreign "next" was dropped


# The support side


def test_agent_pages_need_an_agent(client, shipped, django_user_model):
    assert client.get("/agent/")["Location"].startswith("/accounts/login/")
    user = django_user_model.objects.create_user("nobody", password="pw")
    client.force_login(user)
    assert client.get("/agent/").status_code == 403
    assert client.get("/agent/guides/ns0109/").status_code == 403


def test_agent_searches_guides_by_code_title_and_message(agent):
    assert "NS0384: Permission error" in agent.get("/agent/?q=ns0384").content.decode()
    page = agent.get("/agent/?q=invalid/expired").content.decode()
    assert "Sync didn&#x27;t finish" in page and "NS0384" not in page


def test_agent_gets_a_link_to_every_solution_on_every_platform(agent, client):
    page = agent.get("/agent/guides/login-credentials/").content.decode()
    links = re.findall(r'value="(http://testserver/guides/login-credentials/v1/[^"]+)"', page)
    assert len(links) == 4 * 2  # four solutions, two platforms
    for link in links:
        assert "Did this fix it?" in client.get(link.removeprefix("http://testserver")).content.decode()


def test_the_agent_guide_page_shows_each_solutions_steps_for_each_platform(agent):
    page = agent.get("/agent/guides/login-credentials/").content.decode()
    bill_com, cashflow = page.split("<h3>Bill.com</h3>")[1], page.split("<h3>Cashflow360</h3>")[1]
    assert re.search(r"<ol class=\"instructions\"><li><p>In Bill.com, go to <strong>Gear Icon &gt; Settings</strong>", bill_com)
    assert "Click <strong>Save</strong>. This starts a sync in Bill.com." in bill_com.split("</ol>")[0]
    assert "Cashflow360" not in bill_com.split("</ol>")[0]
    assert "In Cashflow360, select <strong>Settings</strong>" in cashflow.split("</ol>")[0]


@pytest.mark.parametrize("path", ["/agent/", "/agent/guides/login-credentials/", "run"])
def test_every_agent_page_has_a_log_out_button_that_logs_out(agent, client, path):
    if path == "run":
        path = f"/agent/runs/{escalate(client)}/"
    page = agent.get(path).content.decode()
    form = re.search(r'<form[^>]*method="post" action="/accounts/logout/">(.*?)</form>', page, re.S)
    assert form and 'name="csrfmiddlewaretoken"' in form.group(1)
    assert '<button class="link" type="submit">Log out</button>' in form.group(1)
    assert agent.post("/accounts/logout/")["Location"] == "/"
    assert agent.get(path)["Location"].startswith("/accounts/login/")


def test_the_escalation_links_to_its_guides_agent_page(agent, client):
    page = agent.get(f"/agent/runs/{escalate(client)}/").content.decode()
    assert '<a href="/agent/guides/login-credentials/">every solution in this guide, with its steps and links</a>' in page


def test_a_solution_behind_a_checklist_links_to_the_checklist(agent):
    page = agent.get("/agent/guides/ns0384/").content.decode()
    assert "Opens the checklist: the customer ticks what differs." in page
    assert "http://testserver/guides/ns0384/v1/expensify-web/correct/&quot;" not in page
    assert 'value="http://testserver/guides/ns0384/v1/expensify-web/correct/"' in page


def test_agent_opens_an_escalation_by_its_reference(agent, client):
    reference = escalate(client)
    client.post("/feedback/", {"text": "<b>still broken</b>", "next": ESCALATION})
    assert agent.get(f"/agent/?reference={reference.lower()}")["Location"] == f"/agent/runs/{reference}/"
    page = agent.get(f"/agent/runs/{reference}/").content.decode()
    assert "Oracle NetSuite Sync Error: Sync didn&#x27;t finish successfully!" in page
    assert "<dd>Bill.com</dd>" in page and "<dd>Escalated</dd>" in page
    assert "Yes, they are correct and current" in page and "No, it is not required" in page
    assert f'value="http://testserver{ESCALATION}"' in page
    assert "&lt;b&gt;still broken&lt;/b&gt;" in page


def test_steps_shown_are_listed_for_the_agent(agent, client):
    client.get(START + "no/")
    client.get(START + "no/not-fixed/")
    run = Run.objects.get()
    Run.objects.filter(pk=run.pk).update(reference=reference_for(run.key))
    page = agent.get(f"/agent/runs/{reference_for(run.key)}/").content.decode()
    assert "Enter the sync&#x27;s NetSuite credentials again" in page
    assert "Hover over the gear icon" in page and "Cashflow360" not in page.split("Steps they were shown")[1]


def a_run_with_reference(reference: str) -> Run:
    """An escalated run stored under this reference, as one made before (or after) the alphabet changed."""
    client = Client()
    escalate(client)
    Run.objects.update(reference=reference)
    return Run.objects.get()


@pytest.mark.parametrize("typed", [
    "60CKZ-75QW0", "6ockz-75qwo", "Reference: 6OCKZ75QWO", "  6o ck z 75 q w o ", "60ckz75qw0", "reference:6OCKZ–75QWO.",
])
def test_agents_find_a_reference_however_it_is_typed(agent, typed):
    a_run_with_reference("60CKZ-75QW0")
    response = agent.get("/agent/", {"reference": typed})
    assert response["Location"] == "/agent/runs/60CKZ-75QW0/"
    assert "Escalation 60CKZ-75QW0" in agent.get(response["Location"]).content.decode()


def test_i_and_l_are_read_as_one_in_a_new_reference(agent):
    a_run_with_reference("1ABC1-2DEF1")
    assert agent.get("/agent/", {"reference": "iabcl-2defI"})["Location"] == "/agent/runs/1ABC1-2DEF1/"


def test_an_old_reference_with_the_letter_o_is_still_found(agent):
    old = "6OCKZ-75QWO"  # RFC 4648 base32, as references were made before: the letter O, never a zero
    a_run_with_reference(old)
    for typed in ("6OCKZ-75QWO", "6ockz 75qwo", "Reference: 6OCKZ75QWO", "60CKZ-75QW0", "60ckz75qw0"):  # zeros for O too
        assert agent.get("/agent/", {"reference": typed})["Location"] == f"/agent/runs/{old}/"
    assert "Escalation 6OCKZ-75QWO" in agent.get(f"/agent/runs/{old}/").content.decode()


def test_a_reference_typed_into_the_address_opens_the_run_under_its_own(agent):
    a_run_with_reference("60CKZ-75QW0")
    assert agent.get("/agent/runs/6ockz75qwo/")["Location"] == "/agent/runs/60CKZ-75QW0/"
    assert agent.get("/agent/runs/6ockz 75qwo/")["Location"] == "/agent/runs/60CKZ-75QW0/"


@pytest.mark.parametrize("typed", ["hello", "60CKZ-75QW", "60CKZ-75QW0X", "60CKZ-75QW!", "Ref 60CKZ-75QW0"])
def test_a_reference_of_the_wrong_form_says_what_one_looks_like(agent, typed):
    page = agent.get("/agent/", {"reference": typed}).content.decode()
    assert "is not a reference. A reference is ten letters and digits in two groups of five, like 7K3QD-M9XTR" in page


def test_forged_or_malformed_references_are_404s(agent):
    assert agent.get("/agent/runs/AAAAA-AAAAA/").status_code == 404
    assert agent.get("/agent/runs/1/").status_code == 404
    assert "is not a reference" in agent.get("/agent/?reference=hello").content.decode()
    assert "No escalation has the reference AAAAA-AAAAA" in agent.get("/agent/?reference=AAAAA-AAAAA").content.decode()


def test_an_agent_opening_the_customers_link_leaves_the_customers_run_alone(agent, client):
    escalate(client)
    before = Run.objects.values().get()
    agent.get(ESCALATION)
    assert Run.objects.values().get(pk=before["id"]) == before


def test_agents_walking_a_guide_are_not_counted_as_users(agent):
    agent.get(START + "no/")
    assert not Run.objects.exists()


def test_no_reference_is_shown_that_is_not_stored(agent, client, monkeypatch):
    page = agent.get(ESCALATION).content.decode()  # an agent's walk is not recorded
    assert "Your reference" not in page and "Reference:" not in page and "SLOT" not in page

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    action, fields = hand_off_form(client.get(ESCALATION).content.decode())
    monkeypatch.setattr("troubleshoot.runs.write", broken)
    answer = client.post(action, fields)
    page = answer.content.decode()
    assert answer.status_code == 503 and "Not handed over yet" in page and "Your reference" not in page
    assert not Run.objects.exclude(reference=None).exists()
