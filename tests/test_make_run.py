"""`make run`, the README's promise: it serves the wizard and delivers escalations beside it, and Ctrl-C
stops both."""

import os
import signal
import subprocess
import time
import urllib.request

from .conftest import FIXTURES, free_port, hand_off_over_http
from .receiver import Receiver, receiving

SECRET = "whsec-make-run"


def wait_for(condition, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url).close()
        return True
    except OSError:
        return False


def test_make_run_serves_delivers_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    receiver = Receiver(secret=SECRET)
    with receiving(receiver) as hook, open(tmp_path / "make.log", "w") as log:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "MAKEFLAGS")} | {
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"), "PORT": str(port),
            "ESCALATION_WEBHOOK_URL": hook, "ESCALATION_WEBHOOK_SECRET": SECRET}
        make = subprocess.Popen(["make", "run"], cwd=FIXTURES.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own process group, as a terminal's job is
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(lambda: answers(url + "/healthz/") or make.poll() is not None, "make run served", 120)
            assert make.poll() is None, (tmp_path / "make.log").read_text()[-2000:]
            reference = hand_off_over_http(url, "/guides/login-credentials/v1/bill-com/yes/no/yes/no/")
            wait_for(lambda: receiver.packets(), "the escalation delivered", 30)
            assert [p["reference"] for p in receiver.packets()] == [reference]
        finally:
            os.killpg(make.pid, signal.SIGINT)  # Ctrl-C in the terminal: every process of the job gets it
            make.wait(60)
    left = subprocess.run(["pgrep", "-g", str(make.pid)], capture_output=True, text=True).stdout.split()
    assert left == [], (tmp_path / "make.log").read_text()[-2000:]
