"""What the deliveries make of a receiver's answer, the ticket Zendesk made, the worker's health, and the
task rows of workers that were killed: against a real local receiver and the real worker."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from troubleshoot import deliveries, delivery_worker
from troubleshoot.models import Delivery, DeliveryWorker

from .conftest import FIXTURES, gunicorn, login, run_manage, scratch_database
from .receiver import Receiver, receiving
from .test_database_outage import reach_escalation
from .test_deliveries import SECRET, escalate, webhook, work  # noqa: F401 - webhook is a fixture

ZENDESK = {"ZENDESK_EMAIL": "agent@example.com", "ZENDESK_API_TOKEN": "zendesk-token"}


@pytest.mark.parametrize("answer", ["400", "401", "403", "404", "410", "422"])
def test_an_answer_that_cannot_change_fails_the_delivery_at_once_keeping_it(shipped, webhook, answer):
    with receiving(Receiver(failures=[answer], secret=SECRET)) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        escalate()
        assert deliveries.send.call(str(Delivery.objects.get().key)) == "failed"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, int(answer))
    assert delivery.response == "Server error"  # the receiver's own words, kept for the admin
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the escalation's own task; no retry queued


@pytest.mark.parametrize("answer", ["408", "409", "425", "429", "500", "502", "503", "close"])
def test_an_answer_that_may_change_is_tried_again(shipped, webhook, answer):
    with receiving(Receiver(failures=[answer], secret=SECRET)) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        escalate()
        key = str(Delivery.objects.get().key)
        assert deliveries.send.call(key) == "pending"
        time.sleep(0.05)  # the test's back-off: 0.01 s
        assert deliveries.send.call(key) == "delivered"
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.response_status) == (2, 201)


def test_a_timeout_is_tried_again(shipped, webhook):
    with receiving(Receiver(failures=["hang"], secret=SECRET, hang_seconds=1)) as url:
        webhook.ESCALATION_WEBHOOK_URL = url
        escalate()
        assert deliveries.send.call(str(Delivery.objects.get().key)) == "pending"
    assert Delivery.objects.get().response == "No answer within 0.5 s."


def test_the_ticket_zendesk_made_is_kept_and_shown_to_admins_and_agents(transactional_db, shipped, webhook,
                                                                          django_user_model):
    webhook.ESCALATION_WEBHOOK_URL = ""
    webhook.ZENDESK_EMAIL, webhook.ZENDESK_API_TOKEN = ZENDESK["ZENDESK_EMAIL"], ZENDESK["ZENDESK_API_TOKEN"]
    receiver = Receiver()
    receiver.ticket = 987654
    with receiving(receiver) as url:
        webhook.ZENDESK_URL = url
        reference = escalate()
        work()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.ticket) == ("delivered", "987654")
    admin = login(django_user_model, "pat", superuser=True)
    assert "987654" in admin.get("/admin/troubleshoot/delivery/").content.decode()
    assert "987654" in admin.get(f"/admin/troubleshoot/delivery/{delivery.pk}/change/").content.decode()
    page = login(django_user_model, "ann").get(f"/agent/runs/{reference}/").content.decode()
    assert "<li>Zendesk: delivered " in page and ", ticket 987654</li>" in page


@pytest.mark.parametrize("answer, ticket", [('{"ticket": {"id": 35436, "url": "x"}}', "35436"), ('{"ticket": {}}', ""),
                                            ("<html>", ""), ('{"ticket": {"id": "7"}}', ""), ("[]", "")])
def test_which_answers_name_a_ticket(answer, ticket):
    assert deliveries.ticket_in(answer) == ticket


def test_the_health_of_deliveries_says_whether_a_worker_looks_and_what_is_overdue(shipped, webhook):
    answer = Client().get("/healthz/deliveries/")
    assert answer.status_code == 503 and answer.json()["status"] == "no worker"  # a destination, and no worker
    DeliveryWorker.objects.create(name="host:1:deliveries-webhook", queue="deliveries-webhook")
    answer = Client().get("/healthz/deliveries/")
    assert answer.status_code == 200 and answer.json()["status"] == "ok" and answer.json()["overdue"] == 0
    escalate()
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    answer = Client().get("/healthz/deliveries/").json()
    assert (answer["status"], answer["overdue"], answer["pending"]) == ("deliveries overdue", 1, 1)
    DeliveryWorker.objects.update(polled_at=timezone.now() - timedelta(minutes=5))
    assert Client().get("/healthz/deliveries/").json()["status"] == "no worker"
    assert Client().get("/healthz/").status_code == 200  # the balancer's check is the web's own, as before


def test_without_destinations_or_deliveries_no_worker_is_needed(shipped):
    answer = Client().get("/healthz/deliveries/")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_task_rows_of_a_killed_worker_are_marked_failed_and_a_living_one_s_are_left(shipped, webhook):
    escalate()
    escalate("/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/")
    long_ago = timezone.now() - timedelta(seconds=delivery_worker.stopped_after() + 1)
    DeliveryWorker.objects.create(name="alive", queue="deliveries-webhook")
    dead, living = DBTaskResult.objects.all()[:2]
    for task, worker in ((dead, "killed"), (living, "alive")):
        task.claim(worker)
        DBTaskResult.objects.filter(pk=task.pk).update(started_at=long_ago)
    assert delivery_worker.mark_stopped() == 1
    dead.refresh_from_db()
    living.refresh_from_db()
    assert dead.status == "FAILED" and "worker killed stopped before this task finished" in dead.traceback
    assert living.status == "RUNNING"


def test_the_worker_refuses_to_start_on_settings_that_cannot_work():
    result = run_manage("deliver_escalations", ESCALATION_WEBHOOK_URL="https://hooks.example.com/wizard")
    assert result.returncode != 0 and "Set ESCALATION_WEBHOOK_SECRET" in result.stderr


def test_a_slow_destination_does_not_hold_another_back(tmp_path_factory):
    """The webhook hangs on its first attempt; Zendesk, on its own queue and thread, is delivered meanwhile."""
    slow, quick = Receiver(failures=["hang"], secret=SECRET, hang_seconds=8), Receiver()
    with receiving(slow) as hook, receiving(quick) as zendesk, scratch_database(tmp_path_factory) as database:
        env = database | ZENDESK | {"ESCALATION_WEBHOOK_URL": hook, "ESCALATION_WEBHOOK_SECRET": SECRET,
                                    "ZENDESK_URL": zendesk, "DELIVERY_TIMEOUT_SECONDS": "30"}
        with gunicorn(tmp_path_factory, env) as (url, _):
            worker = subprocess.Popen([sys.executable, "manage.py", "deliver_escalations", "--interval", "0.1"],
                                      cwd=FIXTURES.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
                                      | env)
            try:
                reach_escalation(url, "/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/")
                deadline = time.monotonic() + 15
                while not slow.attempts:  # the webhook's first attempt has begun, and hangs for 8 s
                    assert time.monotonic() < deadline, "the webhook was never tried"
                    time.sleep(0.05)
                hanging = time.monotonic()
                while not quick.packets():
                    assert time.monotonic() - hanging < 6, "Zendesk waited for the webhook"
                    time.sleep(0.05)
                assert len(slow.attempts) == 1 and not slow.accepted  # the webhook's attempt still hanging
            finally:
                worker.terminate()
                worker.wait(60)

