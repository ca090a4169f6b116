"""Where escalations are delivered, and the HTTP request each destination expects.

Two destinations, each on when its settings are: a generic webhook, signed as Stripe and GitHub
sign theirs, and Zendesk (a ticket per escalation, or an internal note on the ticket that the
context reference names). Building a request is pure; deliveries.py sends it.
"""

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass

from django.conf import settings

from .models import Delivery

WEBHOOK, ZENDESK = Delivery.Destination.WEBHOOK, Delivery.Destination.ZENDESK
SIGNATURE_HEADER = "Wizard-Signature"
TOLERANCE_SECONDS = 300  # how old a signed timestamp a receiver should accept: replays after it are refused
# "ZD-4521", "zd4521", "#4521" or "4521" name Zendesk ticket 4521; any other context is only quoted.
ZENDESK_TICKET = re.compile(r"(?:zd-?|#)?(\d{1,18})", re.IGNORECASE)


@dataclass(frozen=True)
class Outgoing:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


def configured() -> list[str]:
    """The destinations whose settings are given, in the order they are tried."""
    return [name for name, on in ((WEBHOOK, settings.ESCALATION_WEBHOOK_URL), (ZENDESK, settings.ZENDESK_URL)) if on]


def request_for(destination: str, packet: dict, key: str) -> Outgoing:
    """The request that delivers `packet` to `destination`; every attempt carries the same `key`."""
    if destination not in configured():
        raise LookupError(f"no destination called {destination!r} is configured")
    if destination == WEBHOOK:
        return webhook_request(packet, key, settings.ESCALATION_WEBHOOK_URL, settings.ESCALATION_WEBHOOK_SECRET)
    return zendesk_request(packet, key, settings.ZENDESK_URL, settings.ZENDESK_EMAIL, settings.ZENDESK_API_TOKEN)


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<unix time>.<body>">`: the time is signed too, so an old
    request replayed later fails the receiver's tolerance check."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(body: bytes, header: str, secret: str, tolerance: float = TOLERANCE_SECONDS, now: float | None = None) -> bool:
    """What a receiver checks: a `v1` signature of this body and time under `secret`, made within `tolerance`."""
    fields = [part.partition("=") for part in header.split(",")]
    stamps = [value for name, _, value in fields if name.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(body, secret, timestamp).rpartition("v1=")[2]
    return any(name.strip() == "v1" and hmac.compare_digest(value.strip(), expected) for name, _, value in fields)


def webhook_request(packet: dict, key: str, url: str, secret: str) -> Outgoing:
    body = json.dumps({"id": key} | packet).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key,
               SIGNATURE_HEADER: sign(body, secret, int(time.time()))}
    return Outgoing("POST", url, headers, body)


def zendesk_ticket(context: str) -> str | None:
    """The Zendesk ticket a context reference names, or None."""
    found = ZENDESK_TICKET.fullmatch(context or "")
    return found.group(1) if found else None


def zendesk_request(packet: dict, key: str, base_url: str, email: str, token: str) -> Outgoing:
    """An internal note on the ticket a signed context names; otherwise a new ticket holding the note.

    Only a context the host signed names a ticket to write into (context.py); an unsigned one is
    quoted in a new ticket, marked not verified. A signed customer email becomes the new ticket's
    requester. Zendesk's API token authentication is Basic with `<email>/token:<token>`; it honours
    Idempotency-Key when creating tickets.
    """
    note = f"{packet['summary']}\n\nWhat they did, for agents: {packet['agent_url']}"
    verified = bool(packet.get("context_verified"))
    ticket = zendesk_ticket(packet.get("context", "")) if verified else None
    if packet.get("context") and not ticket:
        marked = "" if verified else " (context not verified: the page that opened the wizard did not sign it)"
        note += f"\nTheir context reference: {packet['context']}{marked}"
    comment = {"body": note, "public": False}  # the customer did not write it: agents only
    if ticket:
        method, url, body = "PUT", f"{base_url}/api/v2/tickets/{ticket}.json", {"ticket": {"comment": comment}}
    else:
        subject = f"NetSuite sync error not fixed: {packet['guide']['title']} ({packet['reference']})"
        new_ticket = {"subject": subject[:150], "comment": comment, "external_id": packet["reference"],
                      "tags": ["netsuite-troubleshooter", packet["guide"]["slug"]]}
        customer = packet.get("customer") if verified else None
        if customer and customer.get("email"):
            new_ticket["requester"] = {"email": customer["email"], "name": customer.get("name") or customer["email"]}
        body = {"ticket": new_ticket}
        method, url = "POST", f"{base_url}/api/v2/tickets.json"
    login = base64.b64encode(f"{email}/token:{token}".encode()).decode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key, "Authorization": f"Basic {login}"}
    return Outgoing(method, url, headers, json.dumps(body).encode())
