"""Handing a walk to support is a POST and only a POST: no GET of any URL writes a reference, an
escalated run, a delivery or anything to another system; the POST does it once per walk; a host's
signed context names the ticket to write into, and nothing else does."""

import base64
import json
import re
import time

import jwt
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from troubleshoot.engine import walk
from troubleshoot.models import Delivery, Run
from troubleshoot.run_writer import writer

from .conftest import hand_off, hand_off_form, open_frame
from .receiver import Receiver, receiving
from .test_shipped_guides import GUIDES, every_path

HOST = "https://help.example.com"
HOST_SECRET = "host-secret-for-signed-contexts-0123456789"
WEBHOOK_SECRET = "whsec-hand-off-test-0123"
ESCALATION = "/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/"
REFERENCE = re.compile(r"Your reference: <strong>([0-9A-Z]{5}-[0-9A-Z]{5})</strong>")


@pytest.fixture
def destinations(settings):
    """A webhook and a Zendesk, both a real local receiver each test points them at."""
    settings.ESCALATION_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.ZENDESK_EMAIL, settings.ZENDESK_API_TOKEN = "agent@example.com", "zendesk-token"
    settings.EMBED_ORIGINS = [HOST]
    settings.EMBED_CONTEXT_SECRET = HOST_SECRET
    settings.DELIVERY_TIMEOUT_SECONDS = 2
    settings.DELIVERY_RETRY_SECONDS = [0.01, 0.01]
    receiver = Receiver()
    with receiving(receiver) as url:
        settings.ESCALATION_WEBHOOK_URL = url + "/hook"
        settings.ZENDESK_URL = url
        yield receiver


def work() -> None:
    """The deliveries worker, as `make run` starts it, until nothing it can do is left."""
    writer.flush()
    for _ in range(20):
        call_command("deliver_escalations", batch=True, interval=0, verbosity=0)
        if not Delivery.objects.filter(status="pending").exists():
            return


def escalations(guide) -> list[tuple[str, tuple[str, ...]]]:
    """Every way to an escalation of a guide, on every platform: (platform, answers).

    Paths through the same nodes that differ only in which checklist items were ticked are one way
    (ns0384's checklists alone make 9,800 such URLs): the first of them stands for the rest."""
    ways = {}
    for answers in every_path(guide):
        if walk(guide, answers).node.kind == "escalation":
            ways.setdefault(tuple(walk(guide, answers[:i]).node.slug for i in range(len(answers) + 1)), answers)
    return [(p.slug, answers) for p in guide.platforms for answers in ways.values()]


def signed(context: str, secret: str = HOST_SECRET, seconds: int = 300, **claims) -> str:
    return jwt.encode({"context": context, "exp": int(time.time()) + seconds, **claims}, secret, algorithm="HS256")


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_no_get_of_any_escalation_url_hands_anything_over(shipped, destinations, settings, slug):
    settings.WRITES_PER_MINUTE = {**settings.WRITES_PER_MINUTE, "run": 10**9}
    browser = Client()
    frames = {p.slug: open_frame(Client(), slug.upper(), p.slug, context="ZD-1",
                                 context_token=signed("ZD-1")).rsplit("/guides/", 1)[0]
              for p in GUIDES[slug].platforms} if re.fullmatch(r"ns[0-9]{4}", slug) else {}
    ends = escalations(GUIDES[slug])
    assert ends
    for number, (platform, answers) in enumerate(ends):
        path = f"/guides/{slug}/v1/{platform}/" + "".join(f"{a}/" for a in answers)
        for client in (Client(), browser):  # a crawler with no cookie; a browser that walks on
            page = client.get(path).content.decode()
            assert 'class="hand-off' in page and not REFERENCE.search(page), path
        framed = Client().get(frames.get(platform, "/embed/ZD-1") + path, follow=True)
        assert framed.status_code == 200 and 'class="hand-off' in framed.content.decode(), path
        api = Client().get(f"/api/v1/guides/{slug}/1/{platform}", {"answers": "/".join(answers)})
        assert api.status_code == 200 and api.json()["kind"] == "escalation", path
        if number == 0:  # the other forms of one page: a fragment, a forged note of a hand-off, a thanks
            browser.get(path, headers={"HX-Request": "true"})
            browser.get(path + "?handed=forged&thanks=1")
    writer.flush()
    # The worker sends only what its task rows name: none may be there. (Run in this test's transaction, the
    # worker's batch would close the connection on PostgreSQL; the hand-off tests below run it for real.)
    assert not DBTaskResult.objects.exists() and not Delivery.objects.exists()
    assert not Run.objects.exclude(reference=None).exists() and not Run.objects.filter(outcome="escalated").exists()
    assert destinations.attempts == []


def test_a_hand_off_sent_three_times_and_reloaded_arrives_once_at_each_destination(transactional_db, shipped,
                                                                                 destinations):
    client = Client()
    action, fields = hand_off_form(client.get(ESCALATION).content.decode())
    answers = [client.post(action, fields) for _ in range(3)]
    assert [a.status_code for a in answers] == [303, 303, 303]
    pages = [client.get(answers[0]["Location"]).content.decode() for _ in range(2)]
    with CaptureQueriesContext(connection) as queries:  # the cookie says it was handed: no look-up
        pages.append(client.get(ESCALATION).content.decode())  # opened again without the note of its reference
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT") and "troubleshoot_run" in q["sql"]]
    assert len({REFERENCE.search(p).group(1) for p in pages}) == 1
    work()
    reference = REFERENCE.search(pages[0]).group(1)
    assert list(Run.objects.values_list("reference", "outcome")) == [(reference, "escalated")]
    assert sorted(Delivery.objects.values_list("destination", "status")) == [("webhook", "delivered"),
                                                                             ("zendesk", "delivered")]
    paths = sorted(a["path"] for a in destinations.accepted.values())
    assert paths == ["/api/v2/tickets.json", "/hook"] and destinations.duplicates == 0


def test_a_hand_off_is_refused_from_another_site_when_forged_or_when_not_at_an_escalation(shipped, destinations):
    client = Client()
    action, fields = hand_off_form(client.get(ESCALATION).content.decode())
    refused = [
        client.post(action, fields, headers={"Sec-Fetch-Site": "cross-site"}),
        client.post(action, fields | {"token": fields["token"][:-2] + "xx"}),
        client.post(action, fields | {"step": "/guides/ns0023/v1/expensify-web/yes/"}),
        client.post(action, {"step": "/guides/ns0023/v1/expensify-web/yes/"}),
        client.post(action, {}),
        client.get(action),
    ]
    assert [r.status_code for r in refused] == [403, 400, 400, 400, 400, 405]
    for answer in refused[:5]:
        page = answer.content.decode()
        assert "Traceback" not in page and ("nothing was sent" in page.lower() or "did not act on it" in page)
    assert not Run.objects.exclude(reference=None).exists() and not Delivery.objects.exists()


def tickets_written(destinations) -> list[tuple[str, str, dict]]:
    return [(a["method"], a["path"], a["json"]["ticket"]) for a in destinations.accepted.values() if a["path"] != "/hook"]


def frame_hand_off(context: str, **params) -> None:
    start = open_frame(Client(), "NS0023", "expensify-web", context=context, **params)
    hand_off(Client(), start + "yes/not-fixed/not-fixed/")


def test_a_signed_context_gets_its_note_once_on_its_ticket(transactional_db, shipped, destinations):
    start = open_frame(Client(), "NS0023", "expensify-web", context="ZD-4521", context_token=signed("ZD-4521"))
    browser = Client()
    page = hand_off(browser, start + "yes/not-fixed/not-fixed/")
    assert "on their way to the support team under this reference and your case." in page
    browser.get(start + "yes/not-fixed/not-fixed/")  # reloaded
    work()
    assert [(m, p) for m, p, _ in tickets_written(destinations)] == [("PUT", "/api/v2/tickets/4521.json")]
    run = Run.objects.get(outcome="escalated")
    assert (run.context, run.context_verified) == ("ZD-4521", True)
    assert Delivery.objects.get(destination="webhook").packet["context_verified"] is True


@pytest.mark.parametrize("how", ["wrong secret", "expired", "altered ticket", "no signature", "bare number"])
def test_a_context_not_signed_by_its_host_writes_to_no_ticket(transactional_db, shipped, destinations, how):
    token = {"wrong secret": signed("ZD-4521", secret="another-host-secret-0123456789abcdef"),
             "expired": signed("ZD-4521", seconds=-120), "altered ticket": signed("ZD-4521"),
             "no signature": "", "bare number": ""}[how]
    context = {"altered ticket": "ZD-4522", "bare number": "4521"}.get(how, "ZD-4521")
    if how == "altered ticket":  # the ticket in the signed claims changed, the signature kept
        head, body, mac = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["context"] = "ZD-4522"
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        token = ".".join([head, body, mac])
    frame_hand_off(context, context_token=token)
    work()
    written = tickets_written(destinations)
    assert [(m, p) for m, p, _ in written] == [("POST", "/api/v2/tickets.json")]  # a new ticket, no note on one
    assert "context not verified" in written[0][2]["comment"]["body"] and "requester" not in written[0][2]
    assert Run.objects.get(outcome="escalated").context_verified is False


def test_a_signed_email_becomes_the_new_tickets_requester(transactional_db, shipped, destinations):
    frame_hand_off("CASE-7", context_token=signed("CASE-7", email="pat@example.com", name="Pat Lee"))
    work()
    [(method, path, ticket)] = tickets_written(destinations)
    assert (method, path) == ("POST", "/api/v2/tickets.json")
    assert ticket["requester"] == {"email": "pat@example.com", "name": "Pat Lee"}
    assert "Their context reference: CASE-7\n" in ticket["comment"]["body"] + "\n"


def test_agents_see_where_a_walk_came_from_and_whether_it_was_signed(transactional_db, shipped, destinations,
                                                                     django_user_model):
    from .conftest import login
    frame_hand_off("ZD-77", context_token=signed("ZD-77"))
    frame_hand_off("ZD-78")
    agent = login(django_user_model, "ann", superuser=True)
    signed_run, plain_run = Run.objects.get(context="ZD-77"), Run.objects.get(context="ZD-78")
    page = agent.get(f"/agent/runs/{signed_run.reference}/").content.decode()
    assert "ZD-77 in another app's panel · signed by that app" in page
    page = agent.get(f"/agent/runs/{plain_run.reference}/").content.decode()
    assert "ZD-78 in another app's panel · <strong>not verified</strong>" in page
