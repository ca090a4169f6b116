"""What a user is told to quote, or told was saved, is in the database before the page says so:
even when the worker that said it dies at once, and even though steps are written in batches."""

import http.cookiejar
import os
import re
import signal
import subprocess
import time
import urllib.parse
import urllib.request

from .conftest import gunicorn, hand_off_over_http, scratch_database

ESCALATION = "/guides/login-credentials/v1/bill-com/yes/no/yes/no/"
FIXED = "/guides/login-credentials/v1/bill-com/no/fixed/"


def browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def walk_to(opener, url: str, path: str) -> str:
    """Each step of the path in turn, as a user clicks through it; the last page's HTML."""
    parts = path.strip("/").split("/")
    for i in range(4, len(parts) + 1):  # from the platform's first step on
        page = opener.open(url + "/" + "/".join(parts[:i]) + "/").read().decode()
    return page


def kill_worker(server: subprocess.Popen) -> None:
    """SIGKILL the one worker, as the out-of-memory killer would; the master starts another."""
    workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 1
    os.kill(int(workers[0]), signal.SIGKILL)


def sign_in_as_agent(opener, url: str) -> None:
    deadline = time.monotonic() + 20
    while True:  # the master is starting a new worker
        try:
            form = opener.open(url + "/accounts/login/").read().decode()
            break
        except OSError:
            assert time.monotonic() < deadline, "no worker came back"
            time.sleep(0.2)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"username": "agent", "password": "agent-password-1", "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(url + "/accounts/login/", data.encode(), headers={"Referer": url + "/"}))


def test_a_reference_shown_survives_the_worker_being_killed_at_once(tmp_path_factory):
    agent_account = ["shell", "-c", "from django.contrib.auth.models import Group, User; User.objects.create_user("
                     "'agent', password='agent-password-1').groups.add(Group.objects.get(name='support agents'))"]
    with (scratch_database(tmp_path_factory) as database,
          gunicorn(tmp_path_factory, database | {"RUN_WRITE_SECONDS": "60"}, setup=(agent_account,)) as (url, server)):  # never in time
        customer = browser()
        walk_to(customer, url, ESCALATION)
        reference = hand_off_over_http(url, ESCALATION, customer)
        kill_worker(server)

        agent = browser()
        sign_in_as_agent(agent, url)
        found = agent.open(url + "/agent/?reference=" + reference)
        assert found.url.endswith(f"/agent/runs/{reference}/")
        assert "Bill.com" in found.read().decode()


def test_a_note_acknowledged_survives_the_worker_being_killed_at_once(tmp_path, tmp_path_factory):
    import sqlite3

    path = tmp_path / "db.sqlite3"
    with gunicorn(tmp_path_factory, {"SQLITE_PATH": str(path), "RUN_WRITE_SECONDS": "60"}) as (url, server):
        user = browser()
        walk_to(user, url, FIXED)  # no step of this walk is written yet
        data = urllib.parse.urlencode({"text": "Worked after the password reset", "next": FIXED})
        thanked = user.open(urllib.request.Request(url + "/feedback/", data.encode(),
                                                   headers={"Origin": url, "Sec-Fetch-Site": "same-origin"}))
        assert "your note is saved" in thanked.read().decode()
        kill_worker(server)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT outcome, feedback FROM troubleshoot_run").fetchall() == [
            ("fixed", "Worked after the password reset")]
