"""Escalations delivered to the support team's tools, off the request path, retried and never lost.

When a walk is handed to support (handoff.py, a POST), one `Delivery` per configured destination is
written with the run's reference, in one transaction with a django.tasks task to send it (django-tasks-db keeps
tasks in the same database): the page never waits for a receiver, and a delivery is queued
exactly when its reference is written.

`send` makes one attempt. It first claims the delivery under a row lock for a lease (the timeout
twice over), so two tasks for one delivery never send at once and a task that finds it delivered,
failed or held does nothing. A failed attempt queues the next one after a back-off
(DELIVERY_RETRY_SECONDS, or longer when the receiver says Retry-After); after the last it has
failed. An answer that cannot change on retry (400, 401, 403, 404, 410, 422, a redirect) fails it at
once, the answer kept; 408, 409, 425, 429, 5xx, timeouts and closed connections are retried.
Each destination has its own queue (`deliveries-webhook`, ...) and its own worker thread, so a slow
receiver holds back only its own deliveries. A worker killed mid-attempt leaves its delivery pending with a lapsed lease: `requeue_overdue`,
which `deliver_escalations` runs when it starts and then every lease, queues it again.
Every attempt carries the delivery's key as Idempotency-Key, so a receiver that got an attempt
whose answer was lost sees the next one as the same.
"""

import http.client
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from . import destinations
from .context import Context
from .engine import Walk
from .models import Delivery
from .published import GuideVersion

log = logging.getLogger(__name__)
QUEUE = "deliveries"  # tasks queued before each destination had its own queue; workers still take them
RETRIED = {408, 409, 425, 429}  # besides 5xx and no answer at all: the receiver may say yes later
ANSWER_READ = 65_536  # enough of an answer to find the ticket's id in; RESPONSE_LIMIT of it is kept
_unknown_logged: set[str] = set()
CLOCK_SKEW = timedelta(seconds=1)  # hosts' clocks differ a little: a task may run just before its time


def lease() -> float:
    return 2 * settings.DELIVERY_TIMEOUT_SECONDS + 2


def queue_for(destination: str) -> str:
    return f"{QUEUE}-{destination}"


def queues() -> list[str]:
    """The queues a worker here takes tasks from: its configured destinations', and the shared old one."""
    return [QUEUE] + [queue_for(d) for d in destinations.configured()]


def packet(request, version: GuideVersion, current: Walk, platform: str, reference: str, context: Context,
           link: str) -> dict:
    """The escalation as the user handed it over: what an agent needs without opening anything.

    `context` is where an embedded walk came from; only a signed one (`verified`) may name a ticket
    to write into, and only a signed one names the customer."""
    guide = current.guide
    name = guide.platform(platform).name
    return {
        "type": "escalation",
        "reference": reference,
        "escalated_at": timezone.now().isoformat(),
        "guide": {"slug": guide.slug, "title": guide.title, "version": version.number, "error": guide.error},
        "platform": {"slug": platform, "name": name},
        "answers": [{"question": a.node.title, "answer": a.answer, "said": a.said} for a in current.trail],
        "summary": current.summary(name, link, reference),
        "link": link,
        "agent_url": request.build_absolute_uri(reverse("troubleshoot:agent_run", args=[reference])),
        "context": context.reference,
        "context_verified": context.verified,
        "customer": {"email": context.email, "name": context.name} if context.verified and context.email else None,
    }


def queue(packet: dict) -> None:
    """One delivery per configured destination, each with its task; none twice for one reference.

    Call it in the transaction that writes the reference: both are written, or neither.
    """
    rows = [Delivery(reference=packet["reference"], destination=d, packet=packet) for d in destinations.configured()]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)  # one statement, and no savepoint for the rare repeat
    for row in rows:
        send.using(queue_name=queue_for(row.destination)).enqueue(str(row.key))  # a row that was there already kept its own key: this task finds nothing


@task(queue_name=QUEUE)
def send(key: str) -> str:
    """One attempt at the delivery with this key; what became of it."""
    destination = Delivery.objects.filter(key=key).values_list("destination", flat=True).first()
    if destination is not None and destination not in destinations.configured():
        # Not this worker's to spend attempts on: it waits, pending, for a worker that has the settings.
        if destination not in _unknown_logged:
            _unknown_logged.add(destination)
            log.warning("deliveries to %s wait: no destination called %r is configured in this worker", destination,
                        destination)
        return "left pending: its destination is not configured here"
    delivery = claim(key)
    if delivery is None:
        return "nothing to do"
    settle(delivery, *post(destinations.request_for(delivery.destination, delivery.packet, str(delivery.key))))
    return delivery.status


def claim(key: str) -> Delivery | None:
    """The delivery, counted as attempted and held for a lease; None if it is not due or not pending."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(
            key=key, status=Delivery.Status.PENDING, next_attempt_at__lte=now + CLOCK_SKEW).first()
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + timedelta(seconds=lease())
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver that redirects has not received it: followed, a POST would become a GET that 'succeeds'."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


def post(outgoing: destinations.Outgoing) -> tuple[int | None, str, str | None]:
    """Send it once: the HTTP status (None when there was no answer), the answer's start or why none
    came, and its Retry-After."""
    request = urllib.request.Request(outgoing.url, data=outgoing.body, headers=outgoing.headers, method=outgoing.method)
    try:
        with _opener.open(request, timeout=settings.DELIVERY_TIMEOUT_SECONDS) as answer:
            return answer.status, _text(answer.read(ANSWER_READ)), answer.headers.get("Retry-After")
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, _text(refused.read(ANSWER_READ)), refused.headers.get("Retry-After")
    except TimeoutError:
        return None, f"No answer within {settings.DELIVERY_TIMEOUT_SECONDS:g} s.", None
    except (OSError, http.client.HTTPException, ValueError) as failed:  # refused, reset, closed, bad URL
        reason = getattr(failed, "reason", failed)
        return None, f"No answer: {reason or type(failed).__name__}.", None


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def worth_retrying(status: int | None) -> bool:
    """Whether another attempt could get another answer: no answer, a 5xx, or a 'not now'."""
    return status is None or status >= 500 or status in RETRIED


def ticket_in(answer: str) -> str:
    """The ticket id in Zendesk's answer (`{"ticket": {"id": 35436, ...}}`), or ""."""
    try:
        ticket = json.loads(answer).get("ticket") or {}
    except (ValueError, AttributeError):
        return ""
    number = ticket.get("id") if isinstance(ticket, dict) else None
    return str(number) if isinstance(number, int) else ""


def settle(delivery: Delivery, status: int | None, response: str, retry_after: str | None) -> None:
    """Record the attempt: delivered on a 2xx; otherwise the next attempt queued, or failed after the last
    or at once on an answer that cannot change."""
    now = timezone.now()
    delivery.response_status, delivery.response = status, response[: Delivery.RESPONSE_LIMIT]
    waits = settings.DELIVERY_RETRY_SECONDS
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at = Delivery.Status.DELIVERED, now
        if delivery.destination == destinations.ZENDESK:
            # A note went to the ticket a signed context names; otherwise Zendesk's answer names the new ticket.
            named = destinations.zendesk_ticket(delivery.packet.get("context", "")) if delivery.packet.get(
                "context_verified") else None
            delivery.ticket = named or ticket_in(response) or ""
    elif not worth_retrying(status):
        delivery.status = Delivery.Status.FAILED
        log.warning("delivery of %s failed: HTTP %s cannot change on retry: %s", delivery, status, response[:200])
    elif delivery.attempts > len(waits):
        delivery.status = Delivery.Status.FAILED
        log.warning("delivery of %s failed after %d attempts: %s", delivery, delivery.attempts, response[:200])
    else:
        wait = waits[delivery.attempts - 1]
        if retry_after and retry_after.strip().isdigit():  # the receiver's own wish, within our longest wait
            wait = max(wait, min(float(retry_after), max(waits)))
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    with transaction.atomic():
        delivery.save(update_fields=["status", "delivered_at", "next_attempt_at", "response_status", "response", "ticket"])
        if delivery.status == Delivery.Status.PENDING:
            send.using(queue_name=queue_for(delivery.destination), run_after=delivery.next_attempt_at).enqueue(
                str(delivery.key))


def send_again(deliveries) -> int:
    """The failed ones among these deliveries queued afresh, their attempts counted from nought; how many.
    Pending ones are on their way already: queued again, one might be sent while an attempt is under way."""
    count = 0
    with transaction.atomic():
        for delivery in deliveries.filter(status=Delivery.Status.FAILED).select_for_update():
            delivery.status, delivery.attempts, delivery.next_attempt_at = Delivery.Status.PENDING, 0, timezone.now()
            delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
            send.using(queue_name=queue_for(delivery.destination)).enqueue(str(delivery.key))
            count += 1
    return count


def requeue_overdue() -> int:
    """Queue again the pending deliveries whose lease lapsed with no attempt after it; how many.
    Only for destinations configured here: the others wait for a worker that has their settings."""
    count = 0
    with transaction.atomic():
        overdue = Delivery.objects.overdue(grace=lease()).filter(destination__in=destinations.configured())
        for delivery in overdue.select_for_update():
            delivery.next_attempt_at = timezone.now()
            delivery.save(update_fields=["next_attempt_at"])
            send.using(queue_name=queue_for(delivery.destination)).enqueue(str(delivery.key))
            count += 1
    if count:
        log.warning("queued %d deliveries again: a worker stopped during their attempts", count)
    return count
