"""What delivering escalations adds to an escalation page, in one process: the page with no
destination, then with a webhook and Zendesk set (each page then writes a delivery per destination
and its task with the reference). Nothing is sent: no worker runs here.

    python -m benchmarks.escalations [--requests 500] [--rounds 5]
"""

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wizard.settings")
os.environ.pop("DATABASE_URL", None)
os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="wizard-escalations-")) / "db.sqlite3")
os.environ["RATE_LIMITS"] = "off"  # one client makes every walk

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from troubleshoot.models import Delivery  # noqa: E402

ESCALATION = "/guides/ns0109/v1/expensify-web/token/not-fixed/"
DESTINATIONS = {"ESCALATION_WEBHOOK_URL": "http://127.0.0.1:9/hook", "ESCALATION_WEBHOOK_SECRET": "bench",
                "ZENDESK_URL": "http://127.0.0.1:9", "ZENDESK_EMAIL": "a@example.com", "ZENDESK_API_TOKEN": "bench"}


def per_page(client: Client, requests: int) -> float:
    """Milliseconds per escalation page, each a new walk (no cookie)."""
    started = time.perf_counter()
    for _ in range(requests):
        client.cookies.clear()
        assert client.get(ESCALATION).status_code == 200
    return (time.perf_counter() - started) / requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_guides", stdout=io.StringIO())
    client = Client()
    per_page(client, 50)  # warm the caches
    for name, changes in (("no destination", {}), ("webhook", {k: v for k, v in DESTINATIONS.items() if "ZENDESK" not in k}),
                          ("webhook and Zendesk", DESTINATIONS)):
        with override_settings(**changes):
            times = [per_page(client, args.requests) for _ in range(args.rounds)]
        print(f"{name:22} {statistics.median(times):6.2f} ms a page (median of {args.rounds} rounds of {args.requests}; "
              f"best {min(times):.2f})")
    print(f"deliveries written: {Delivery.objects.count():,}")


if __name__ == "__main__":
    main()
