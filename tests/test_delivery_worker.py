"""The deliveries worker as `make run` runs it, beside gunicorn, on a real database: killed mid-attempt
and started again, with the receiver down meanwhile, every escalation arrives once."""

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

from .conftest import FIXTURES, gunicorn, hand_off_over_http, scratch_database
from .receiver import Receiver, receiving

ESCALATIONS = ["/guides/login-credentials/v1/bill-com/yes/no/yes/no/", "/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/",
               "/guides/ns0023/v1/expensify-classic/yes/not-fixed/not-fixed/"]
SECRET = "whsec-worker-test"


def escalate(url: str) -> str:
    base, _, path = url.partition("/guides/")
    return hand_off_over_http(base, "/guides/" + path)


@contextmanager
def worker(env: dict):
    """`manage.py deliver_escalations`, as `make run` starts it; stopped as Ctrl-C stops it."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_escalations", "--interval", "0.1"], cwd=FIXTURES.parent,
        env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")} | env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(30)


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)


def test_every_escalation_arrives_once_through_a_killed_worker_and_a_receiver_that_was_down(tmp_path_factory):
    receiver = Receiver(failures=["hang"], secret=SECRET, hang_seconds=30)  # the first attempt never gets an answer
    with receiving(receiver) as hook, scratch_database(tmp_path_factory) as database:
        env = database | {"ESCALATION_WEBHOOK_URL": hook, "ESCALATION_WEBHOOK_SECRET": SECRET,
                          "DELIVERY_TIMEOUT_SECONDS": "1", "DELIVERY_RETRY_SECONDS": "0.2,0.2,0.5,0.5,1,1,2,2,2,2,2,2"}
        with gunicorn(tmp_path_factory, env) as (url, _):
            references = [escalate(url + ESCALATIONS[0])]
            with worker(env) as first:
                wait_for(lambda: len(receiver.attempts) == 1, "the first attempt began")
                first.kill()  # SIGKILL mid-attempt, as the out-of-memory killer would
                first.wait()
            receiver.down = True
            references.append(escalate(url + ESCALATIONS[1]))  # made while no worker runs
            with worker(env):
                references.append(escalate(url + ESCALATIONS[2]))
                wait_for(lambda: len(receiver.attempts) >= 6, "attempts while the receiver is down")
                assert receiver.accepted == {}
                receiver.down = False
                wait_for(lambda: len(receiver.accepted) == 3, "all three delivered")
    assert sorted(p["reference"] for p in receiver.packets()) == sorted(references)
    assert receiver.duplicates == 0 and receiver.bad_signatures == 0
