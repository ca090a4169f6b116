"""Escalations delivered to the helpdesk: queued with the reference, sent by the deliveries worker to a
real local receiver, retried through its failures, signed, and each received once."""

import base64
import hashlib
import hmac
import json
import re
import textwrap
import time
from datetime import timedelta

import jwt
import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from troubleshoot import deliveries, destinations
from troubleshoot.models import Delivery, Run

from .conftest import FIXTURES, hand_off, hand_off_form, login, open_frame, run_manage
from .receiver import Receiver, receiving

ESCALATION = "/guides/login-credentials/v1/bill-com/yes/no/yes/no/"
OTHER_ESCALATIONS = ["/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/", "/guides/ns0023/v1/expensify-classic/yes/not-fixed/not-fixed/"]
SECRET = "whsec-test-0123456789"
HOST_SECRET = "host-secret-for-signed-contexts-0123456789"
REFERENCE = re.compile(r"Your reference: <strong>([0-9A-Z]{5}-[0-9A-Z]{5})</strong>")


@pytest.fixture
def webhook(settings):
    """Deliveries to a webhook at `settings.ESCALATION_WEBHOOK_URL` (each test points it at its receiver)."""
    settings.ESCALATION_WEBHOOK_URL = "http://127.0.0.1:9/unused"
    settings.ESCALATION_WEBHOOK_SECRET = SECRET
    settings.DELIVERY_TIMEOUT_SECONDS = 0.5
    settings.DELIVERY_RETRY_SECONDS = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01]
    return settings


def escalate(path: str = ESCALATION) -> str:
    """Walk to an escalation as a new user and hand it to support; the reference the page then shows."""
    return REFERENCE.search(hand_off(Client(), path)).group(1)


def work(seconds: float = 20) -> None:
    """Run the deliveries worker, as `make run` does, until nothing is pending."""
    deadline = time.monotonic() + seconds
    while Delivery.objects.filter(status=Delivery.Status.PENDING).exists():
        assert time.monotonic() < deadline, list(Delivery.objects.values("status", "attempts", "response"))
        call_command("deliver_escalations", batch=True, interval=0, verbosity=0)
        time.sleep(0.02)


def test_without_a_destination_an_escalation_queues_nothing(shipped):
    client = Client()
    assert "Get a reference</button>" in client.get(ESCALATION).content.decode()
    page = hand_off(client, ESCALATION)
    assert REFERENCE.search(page) and "on their way to the support team" not in page
    assert not Delivery.objects.exists() and not DBTaskResult.objects.exists()


def test_an_escalation_queues_its_packet_for_each_destination_before_the_page_is_sent(shipped, webhook):
    webhook.ZENDESK_URL, webhook.ZENDESK_EMAIL, webhook.ZENDESK_API_TOKEN = "http://127.0.0.1:9", "a@example.com", "t"
    with receiving(receiver := Receiver()) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        reference = escalate()
    assert receiver.attempts == []  # the page did not wait for any receiver
    sent = {d.destination: d for d in Delivery.objects.all()}
    assert set(sent) == {"webhook", "zendesk"}
    queued = DBTaskResult.objects.filter(status="READY").values_list("queue_name", flat=True)
    assert sorted(queued) == ["deliveries-webhook", "deliveries-zendesk"]  # each destination its own queue
    packet = sent["webhook"].packet
    assert packet["reference"] == reference and packet["context"] == ""
    assert packet["guide"]["slug"] == "login-credentials" and packet["guide"]["version"] == 1
    assert packet["platform"] == {"slug": "bill-com", "name": "Bill.com"}
    assert [a["answer"] for a in packet["answers"]] == ["yes", "no", "yes", "no"]
    assert all(a["question"] and a["said"] for a in packet["answers"])
    assert packet["summary"].startswith(f"Reference: {reference}\n") and "What I checked and tried:" in packet["summary"]
    assert packet["link"] == "http://testserver" + ESCALATION
    assert packet["agent_url"] == f"http://testserver/agent/runs/{reference}/"


def test_a_hand_off_sent_three_times_and_reloaded_is_delivered_once(shipped, webhook):
    client = Client()
    page = client.get(ESCALATION).content.decode()
    assert "Send my answers to support</button>" in page and not REFERENCE.search(page)
    action, fields = hand_off_form(page)
    answers = [client.post(action, fields) for _ in range(3)]
    assert {a.status_code for a in answers} == {303} and len({a["Location"] for a in answers}) == 1
    first = client.get(answers[0]["Location"]).content.decode()
    assert "Your answers are on their way to the support team under this reference." in first
    again = client.get(answers[0]["Location"]).content.decode()
    assert REFERENCE.search(first).group(1) == REFERENCE.search(again).group(1)
    assert "Send my answers to support" not in again
    assert Delivery.objects.count() == 1 and Run.objects.filter(outcome="escalated").count() == 1


def test_an_escalation_queued_twice_is_sent_once(transactional_db, shipped, webhook):
    receiver = Receiver(secret=SECRET)
    with receiving(receiver) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        escalate()
        deliveries.queue(Delivery.objects.get().packet)  # its run recorded again without its cookie
        assert Delivery.objects.count() == 1 and DBTaskResult.objects.count() == 2
        work()
    assert len(receiver.attempts) == 1 and len(receiver.packets()) == 1


def test_an_unsigned_embed_context_travels_with_the_packet_marked_not_verified(shipped, webhook, settings):
    settings.EMBED_ORIGINS = ["https://help.example.com"]
    page = hand_off(Client(), "/embed/ZD-4521/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/")
    assert "on their way to the support team under this reference." in page and "Your case: <strong>ZD-4521" in page
    packet = Delivery.objects.get().packet
    assert packet["context"] == "ZD-4521" and packet["context_verified"] is False and packet["customer"] is None
    assert packet["link"] == "http://testserver/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/"  # the public page


def test_an_agent_trying_a_guide_sends_nothing(shipped, webhook, django_user_model):
    agent = login(django_user_model, "ann", "support agents")
    page = agent.get(ESCALATION).content.decode()
    assert "on their way to the support team" not in page and 'class="hand-off' not in page
    assert not Delivery.objects.exists()


def test_when_the_database_refuses_neither_the_reference_nor_a_delivery_is_written(shipped, webhook, monkeypatch):
    def broken(packet):
        raise OperationalError("disk I/O error")  # after the run's row was written

    monkeypatch.setattr(deliveries, "queue", broken)
    client = Client()
    action, fields = hand_off_form(client.get(ESCALATION).content.decode())
    answer = client.post(action, fields)
    page = answer.content.decode()
    assert answer.status_code == 503 and "Your reference" not in page and "Try handing it over again" in page
    assert not Run.objects.filter(reference__isnull=False).exists() and not Delivery.objects.exists()


def test_deliveries_through_a_failing_receiver_arrive_once_each_signed(transactional_db, shipped, webhook):
    receiver = Receiver(failures=["500", "close", "hang", "503 retry", "500"], secret=SECRET, hang_seconds=1.5)
    with receiving(receiver) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        references = {escalate(path) for path in [ESCALATION, *OTHER_ESCALATIONS]}
        work()
    assert len(references) == 3
    assert sorted(p["reference"] for p in receiver.packets()) == sorted(references)  # each once, none lost
    assert receiver.bad_signatures == 0 and len(receiver.attempts) >= 3 + 5
    for delivery in Delivery.objects.all():
        assert delivery.status == "delivered" and delivery.response_status == 201
        assert receiver.accepted[str(delivery.key)]["json"] == {"id": str(delivery.key)} | delivery.packet


def test_an_answer_lost_after_the_receiver_accepted_is_sent_again_with_the_same_key(transactional_db, shipped, webhook):
    receiver = Receiver(secret=SECRET)
    with receiving(receiver) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        reference = escalate()
        delivery = Delivery.objects.get()
        outgoing = destinations.request_for("webhook", delivery.packet, str(delivery.key))
        deliveries.post(outgoing)  # an earlier attempt the receiver took, whose answer never came back
        work()
    assert [p["reference"] for p in receiver.packets()] == [reference]
    assert receiver.duplicates == 1  # the receiver saw the key again and kept one


def test_after_its_last_attempt_a_delivery_has_failed_and_can_be_sent_again(transactional_db, shipped, webhook,
                                                                              django_user_model):
    webhook.DELIVERY_RETRY_SECONDS = [0.01, 0.01]
    receiver = Receiver(secret=SECRET)
    receiver.down = True
    with receiving(receiver) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        reference = escalate()
        work()
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 3, 503)
        assert delivery.response == "Server error" and len(receiver.attempts) == 3

        receiver.down = False
        admin = login(django_user_model, "pat", superuser=True)  # a transactional test's database has no groups
        listing = admin.get("/admin/troubleshoot/delivery/?status__exact=failed").content.decode()
        assert reference in listing and "HTTP 503" in listing
        shown = admin.get(f"/admin/troubleshoot/delivery/{delivery.pk}/change/").content.decode()
        assert "Server error" in shown and reference in shown and 'name="_save"' not in shown  # nothing to edit
        other = Delivery.objects.create(reference="00000-00000", destination="webhook", packet={},
                                        status=Delivery.Status.DELIVERED)
        said = admin.post("/admin/troubleshoot/delivery/", {"action": "send_again",
                                                            "_selected_action": [delivery.pk, other.pk]},
                          follow=True).content.decode()
        assert "Queued 1 delivery to be sent again" in said and "1 that had not failed was left alone" in said
        work()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 201)
    assert [p["reference"] for p in receiver.packets()] == [reference]


def test_a_receiver_asking_to_wait_is_not_asked_sooner(shipped, webhook):
    webhook.DELIVERY_RETRY_SECONDS = [0.01, 60]  # it may ask for up to the longest wait
    receiver = Receiver(failures=["503 retry"], secret=SECRET)
    with receiving(receiver) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        escalate()
        before = timezone.now()
        deliveries.send.call(str(Delivery.objects.get().key))
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.next_attempt_at >= before + timedelta(seconds=1)
    assert DBTaskResult.objects.filter(status="READY").latest("enqueued_at").run_after == delivery.next_attempt_at


def test_a_delivery_whose_worker_was_killed_mid_attempt_is_queued_again_once_its_lease_lapses(shipped, webhook):
    escalate()
    key = str(Delivery.objects.get().key)
    delivery = deliveries.claim(key)  # the worker took it, then died before settling it
    assert deliveries.claim(key) is None  # held: no second attempt while the first may be under way
    assert deliveries.requeue_overdue() == 0
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=deliveries.lease() + 1))
    assert deliveries.requeue_overdue() == 1
    assert DBTaskResult.objects.filter(status="READY").count() == 2  # the lost task's row, and the new one
    assert deliveries.claim(key).attempts == delivery.attempts + 1 == 2


def test_a_destination_this_worker_does_not_know_stays_pending_without_spending_attempts(shipped, webhook, caplog):
    escalate()
    webhook.ESCALATION_WEBHOOK_URL = ""  # a worker started without the web's settings
    deliveries._unknown_logged.clear()
    key = str(Delivery.objects.get().key)
    for _ in range(3):
        assert deliveries.send.call(key) == "left pending: its destination is not configured here"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response) == ("pending", 0, "")
    said = [r.getMessage() for r in caplog.records if "no destination called 'webhook'" in r.getMessage()]
    assert len(said) == 1  # logged once, not per task
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=deliveries.lease() + 1))
    assert deliveries.requeue_overdue() == 0  # nor queued again by a worker that cannot send it


def test_zendesk_gets_an_internal_note_on_the_ticket_a_signed_context_names(transactional_db, shipped, webhook):
    webhook.ESCALATION_WEBHOOK_URL = ""
    webhook.ZENDESK_EMAIL, webhook.ZENDESK_API_TOKEN = "agent@example.com", "zendesk-token"
    webhook.EMBED_ORIGINS = ["https://help.example.com"]
    receiver = Receiver()
    with receiving(receiver) as url:
        webhook.ZENDESK_URL = url
        webhook.EMBED_CONTEXT_SECRET = HOST_SECRET
        signed = jwt.encode({"context": "ZD-4521", "exp": int(time.time()) + 300}, HOST_SECRET, algorithm="HS256")
        start = open_frame(Client(), "NS0023", "expensify-web", context="ZD-4521", context_token=signed)
        hand_off(Client(), start + "yes/not-fixed/not-fixed/")
        hand_off(Client(), "/embed/CASE-7/guides/ns0023/v1/expensify-classic/yes/not-fixed/not-fixed/")
        work()
    requests = {r["path"]: r for r in receiver.accepted.values()}
    assert set(requests) == {"/api/v2/tickets/4521.json", "/api/v2/tickets.json"}
    note = requests["/api/v2/tickets/4521.json"]
    assert note["method"] == "PUT" and note["json"]["ticket"]["comment"]["public"] is False
    assert "What I checked and tried:" in note["json"]["ticket"]["comment"]["body"]
    new = requests["/api/v2/tickets.json"]
    assert new["method"] == "POST" and new["json"]["ticket"]["subject"].startswith("NetSuite sync error not fixed:")
    assert "Their context reference: CASE-7 (context not verified" in new["json"]["ticket"]["comment"]["body"]
    login_sent = base64.b64decode(new["headers"]["Authorization"].removeprefix("Basic ")).decode()
    assert login_sent == "agent@example.com/token:zendesk-token"


@pytest.mark.parametrize("context, ticket", [("ZD-4521", "4521"), ("zd4521", "4521"), ("4521", "4521"),
                                             ("#17", "17"), ("CASE-7", None), ("", None), ("ZD-", None)])
def test_which_contexts_name_a_zendesk_ticket(context, ticket):
    assert destinations.zendesk_ticket(context) == ticket


def test_a_signature_holds_for_its_body_secret_and_time_only():
    body = json.dumps({"reference": "ABCDE-FGHJK"}).encode()
    now = int(time.time())
    header = destinations.sign(body, SECRET, now)
    assert destinations.verify(body, header, SECRET)
    assert not destinations.verify(body + b" ", header, SECRET)
    assert not destinations.verify(body, header, "another-secret")
    assert not destinations.verify(body, destinations.sign(body, SECRET, now - 301), SECRET)  # a replay, too late
    assert destinations.verify(body, f"{header},v1=old-secret-signature", SECRET)  # a rotation's second signature
    for malformed in ("", "t=,v1=", "v1=abc", f"t={now}", f"t=x{now},v1=abc", f"t={now},t={now},{header}"):
        assert not destinations.verify(body, malformed, SECRET)


def test_the_agent_sees_where_an_escalation_was_delivered(transactional_db, shipped, webhook, django_user_model):
    with receiving(Receiver(secret=SECRET)) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        reference = escalate()
        work()
    agent = login(django_user_model, "ann")  # staff; a transactional test's database has no groups
    page = agent.get(f"/agent/runs/{reference}/").content.decode()
    assert "<dt>Sent to</dt>" in page and "<li>Webhook: delivered " in page


def test_the_agent_sees_a_delivery_still_under_way_and_one_that_failed(shipped, webhook, django_user_model):
    webhook.ZENDESK_URL, webhook.ZENDESK_EMAIL, webhook.ZENDESK_API_TOKEN = "http://127.0.0.1:9", "a@example.com", "t"
    reference = escalate()
    Delivery.objects.filter(destination="zendesk").update(status=Delivery.Status.FAILED, attempts=13)
    agent = login(django_user_model, "ann", "support agents")
    page = agent.get(f"/agent/runs/{reference}/").content.decode()
    assert "<li>Webhook: pending, attempt 1 at " in page and "<li>Zendesk: failed after 13 attempts</li>" in page


def test_with_the_shipped_back_off_a_receiver_down_for_twenty_minutes_loses_nothing(transactional_db, shipped, webhook):
    """The shipped waits, let pass rather than slept: each due time is moved to now, and the time skipped counted."""
    from wizard import settings as shipped_settings

    webhook.DELIVERY_RETRY_SECONDS = shipped_settings.DELIVERY_RETRY_SECONDS
    receiver = Receiver(secret=SECRET)
    receiver.down = True
    with receiving(receiver) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        reference = escalate()
        skipped = 0.0
        while skipped < 20 * 60:
            call_command("deliver_escalations", batch=True, interval=0, verbosity=0)
            delivery = Delivery.objects.get()
            assert delivery.status == "pending", delivery.response
            now = timezone.now()
            skipped += (delivery.next_attempt_at - now).total_seconds()
            Delivery.objects.update(next_attempt_at=now)
            DBTaskResult.objects.filter(status="READY").update(run_after=now)
        receiver.down = False
        work()
    assert [p["reference"] for p in receiver.packets()] == [reference]
    assert Delivery.objects.get().attempts == len(receiver.attempts) >= 6


def test_the_readme_s_way_to_check_a_signature_accepts_ours_only():
    readme = (FIXTURES.parent / "README.md").read_text()
    snippet = textwrap.dedent(re.search(r"```python\n(\s+t, v1 = .*?)\s+```", readme, re.S).group(1))
    body = json.dumps({"id": "k", "reference": "ABCDE-FGHJK"}).encode()
    header = destinations.sign(body, SECRET, int(time.time()))
    for sent, expected in ((body, True), (body.replace(b"ABCDE", b"ABCDF"), False)):
        names = {"hmac": hmac, "hashlib": hashlib, "time": time, "body": sent, "secret": SECRET, "signature_header": header}
        exec(snippet, names)
        assert names["ok"] is expected


@pytest.mark.parametrize("env, said", [
    ({"ESCALATION_WEBHOOK_URL": "https://hooks.example.com/wizard"}, "Set ESCALATION_WEBHOOK_SECRET"),
    ({"ESCALATION_WEBHOOK_URL": "file:///etc/passwd", "ESCALATION_WEBHOOK_SECRET": "s"},
     "ESCALATION_WEBHOOK_URL must be an http:// or https:// address"),
    ({"ZENDESK_URL": "https://acme.zendesk.com"}, "Set ZENDESK_EMAIL and ZENDESK_API_TOKEN"),
    ({"DELIVERY_RETRY_SECONDS": "10,soon"}, "DELIVERY_RETRY_SECONDS must be seconds"),
    ({"DELIVERY_TIMEOUT_SECONDS": "-1"}, "DELIVERY_TIMEOUT_SECONDS must be seconds"),
])
def test_destination_settings_that_cannot_work_stop_the_start_with_a_clear_message(env, said):
    result = run_manage("check", **env)
    assert result.returncode != 0 and said in result.stderr


def test_publishers_watch_deliveries_and_editors_do_not(publisher, editor):
    Delivery.objects.create(reference="ABCDE-FGHJK", destination="zendesk", packet={"reference": "ABCDE-FGHJK"},
                            status=Delivery.Status.FAILED, attempts=13, response_status=401, response="Couldn't authenticate you")
    listing = publisher.get("/admin/troubleshoot/delivery/").content.decode()
    assert "ABCDE-FGHJK" in listing and "HTTP 401" in listing and "send_again" in listing
    assert editor.get("/admin/troubleshoot/delivery/").status_code == 403
