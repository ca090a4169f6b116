"""On PostgreSQL: `make run` serving while its database goes away and comes back.

The database is taken away as an operator would see it go: new connections refused
(`ALTER DATABASE ... ALLOW_CONNECTIONS false`) and every open one ended (pg_terminate_backend).
Nothing of `make run` is restarted by the tests unless a test says so.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest

from .conftest import FIXTURES, free_port, hand_off_over_http, scratch_database
from .receiver import Receiver, receiving

pytestmark = pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""),
                                reason="needs DATABASE_URL on PostgreSQL: SQLite cannot be taken away from a server")
SECRET = "whsec-outage"
ESCALATIONS = ["/guides/login-credentials/v1/bill-com/yes/no/yes/no/", "/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/",
               "/guides/ns0023/v1/expensify-classic/yes/not-fixed/not-fixed/", "/guides/ns0109/v1/expensify-web/token/not-fixed/"]
WALK = "/guides/login-credentials/v1/bill-com/"  # its steps, served from each process's cache during an outage


def reach_escalation(url: str, path: str) -> str:
    """Hand a walk over to support as a person would; the reference the page shows. The one place the tests
    of this module reach an escalation."""
    return hand_off_over_http(url, path)


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.1)


def status(url: str, data: bytes | None = None, opener=None) -> int:
    try:
        with (opener or urllib.request.build_opener()).open(url, data=data, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code
    except OSError:
        return 0


def admin():
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    return psycopg.connect(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                           password=config["PASSWORD"], dbname=config["NAME"], autocommit=True)


@contextmanager
def database_away(name: str):
    """No connection to `name` while inside: new ones refused, open ones ended."""
    with admin() as connection:
        connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        try:
            yield
        finally:
            connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def query(database: str, sql: str, params=()) -> list:
    import psycopg

    with admin() as connection:
        url = connection.info
        with psycopg.connect(host=url.host, port=url.port, user=url.user, password=url.password, dbname=database,
                             autocommit=True) as scratch:
            return scratch.execute(sql, params).fetchall()


class Served:
    """`make run` on a scratch PostgreSQL database, delivering to a real local receiver."""

    def __init__(self, make: subprocess.Popen, url: str, database: str, receiver: Receiver, log):
        self.make, self.url, self.database, self.receiver, self.log = make, url, database, receiver, log

    def processes(self) -> list[tuple[int, int, str]]:
        """(pid, parent pid, command) of every process of `make run` but its shells (whose commands name the others)."""
        lines = subprocess.run(["ps", "-ww", "-o", "pid=,ppid=,args=", "-g", str(self.make.pid)], capture_output=True,
                               text=True).stdout.splitlines()
        found = [(int(p), int(pp), args) for p, pp, args in (line.split(None, 2) for line in lines)]
        return [(pid, parent, args) for pid, parent, args in found if not args.startswith(("/bin/sh", "make"))]

    def worker_pids(self) -> list[int]:
        return [pid for pid, _, args in self.processes() if "manage.py deliver_escalations" in args]

    def gunicorn(self) -> tuple[int, list[int]]:
        """gunicorn's master and its workers."""
        found = [(pid, parent) for pid, parent, args in self.processes() if "gunicorn wizard.wsgi" in args]
        pids = {pid for pid, _ in found}
        master = next(pid for pid, parent in found if parent not in pids)
        return master, sorted(pid for pid, parent in found if parent == master)

    def log_lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def delivered(self) -> set[str]:
        return {p["reference"] for p in self.receiver.packets()}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outage")
    receiver = Receiver(secret=SECRET)
    with receiving(receiver) as hook, scratch_database(tmp_path_factory) as database:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "MAKEFLAGS")} | database | {
            "PORT": str(port), "DEBUG": "0", "ESCALATION_WEBHOOK_URL": hook, "ESCALATION_WEBHOOK_SECRET": SECRET,
            "DELIVERY_TIMEOUT_SECONDS": "2", "DELIVERY_RETRY_SECONDS": "0.5,0.5,1,1,2", "RUN_SPOOL_DIR": str(folder / "spool")}
        log = folder / "make.log"
        with open(log, "w") as output:
            make = subprocess.Popen(["make", "run"], cwd=FIXTURES.parent, env=env, stdout=output,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: status(url + "/healthz/") == 200 or make.poll() is not None, "make run served", 180)
            assert make.poll() is None, log.read_text()[-3000:]
            served = Served(make, url, database["DATABASE_URL"].rsplit("/", 1)[1], receiver, log)
            wait_for(lambda: status(url + "/healthz/deliveries/") == 200, "the worker polled", 30)
            yield served
        finally:
            os.killpg(make.pid, signal.SIGINT)
            make.wait(60)


def walk_steps(url: str, walks: int) -> tuple[int, int]:
    """`walks` new walks of three steps each, as new visitors; how many steps were served, and how many walks
    had a step served (each is one run to record)."""
    steps = recorded = 0
    for _ in range(walks):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        served = sum(status(url + WALK + answers, opener=opener) == 200 for answers in ("", "yes/", "yes/no/"))
        steps, recorded = steps + served, recorded + (served > 0)
    return steps, recorded


def test_after_an_outage_an_escalation_is_delivered_with_nothing_restarted(served):
    before = served.worker_pids()
    assert reach_escalation(served.url, ESCALATIONS[0]) in wait_until_delivered(served, 1)
    with database_away(served.database):
        time.sleep(1)
        assert status(served.url + "/healthz/") == 503
        time.sleep(3)
    wait_for(lambda: status(served.url + "/healthz/") == 200, "the site back", 30)
    reference = reach_escalation(served.url, ESCALATIONS[1])
    wait_for(lambda: reference in served.delivered(), "the escalation made after the outage delivered", 30)
    assert served.worker_pids() == before  # the same worker lived through it
    assert served.receiver.duplicates == 0 and served.receiver.bad_signatures == 0


def wait_until_delivered(served: Served, count: int) -> set[str]:
    wait_for(lambda: len(served.delivered()) >= count, f"{count} deliveries", 30)
    return served.delivered()


def test_a_killed_worker_is_started_again_and_delivers(served):
    [killed] = served.worker_pids()
    os.kill(killed, signal.SIGKILL)
    wait_for(lambda: served.worker_pids() and served.worker_pids() != [killed], "a new worker", 30)
    reference = reach_escalation(served.url, ESCALATIONS[2])
    wait_for(lambda: reference in served.delivered(), "delivered by the new worker", 30)
    assert f"deliver_escalations ended (status 137); starting it again in 1 s" in served.log.read_text()


def test_a_ten_second_outage_is_a_handful_of_log_lines(served):
    walk_steps(served.url, 2)  # both of gunicorn's workers have the guide cached, probably
    time.sleep(1)
    start = len(served.log_lines())
    with database_away(served.database):
        held, _ = walk_steps(served.url, 10)  # steps served from the cache are held by the run writers
        for _ in range(20):
            status(served.url + "/healthz/")
            time.sleep(0.4)
    wait_for(lambda: status(served.url + "/healthz/") == 200, "the site back", 30)
    wait_for(lambda: "delivery worker: database back after" in "\n".join(served.log_lines()[start:]), "the worker back", 15)
    time.sleep(1)  # the other run writer, if it held runs too
    lines = served.log_lines()[start:]
    print(f"{len(lines)} lines in all, {len(lines) - len([x for x in lines if x.startswith('{')])} not a request's")
    requests = [line for line in lines if line.startswith('{"time"')]
    others = [line for line in lines if not line.startswith('{"time"')]
    assert len(requests) >= 30 + 20 - 5
    assert held > 0, "no step was served during the outage"
    assert len(others) <= 12, "\n".join(others)
    assert any("run writer: database unavailable since" in line and "runs held" in line for line in others)
    assert any("run writer: database back after" in line and "runs written" in line for line in others)
    assert any("delivery worker: database unavailable since" in line for line in others)
    assert any("delivery worker: database back after" in line for line in others)


def test_held_step_records_are_written_after_gunicorn_restarts_its_workers_during_an_outage(served):
    walk_steps(served.url, 6)  # each gunicorn worker opens the guide, likely: it serves its steps from memory
    time.sleep(2)
    [(before,)] = query(served.database, "SELECT count(*) FROM troubleshoot_run")
    master, old_workers = served.gunicorn()
    with database_away(served.database):
        steps, runs = walk_steps(served.url, 10)
        assert runs > 0, "no step was served during the outage"
        os.kill(master, signal.SIGHUP)  # a deploy's reload, while the database is away
        wait_for(lambda: not set(served.gunicorn()[1]) & set(old_workers), "new workers only", 60)
        time.sleep(3)
    wait_for(lambda: status(served.url + "/healthz/") == 200, "the site back", 30)
    wait_for(lambda: query(served.database, "SELECT count(*) FROM troubleshoot_run")[0][0] >= before + runs,
             f"the {runs} runs held written", 30)
    assert query(served.database, "SELECT count(*) FROM troubleshoot_run")[0][0] == before + runs
    assert "runs held kept in" in served.log.read_text()


def test_pages_sent_while_the_database_is_away_say_what_was_not_saved(served):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    for answers in ("", "yes/"):
        opener.open(served.url + WALK + answers).close()
    time.sleep(1)
    with database_away(served.database):
        note = urllib.parse.urlencode({"text": "I tried <twice> & it failed", "next": WALK + "yes/"}).encode()
        page = answer_of(opener, served.url + "/feedback/", note)
        assert page[0] == 503 and "your note is not saved yet" in page[1]
        assert "I tried &lt;twice&gt; &amp; it failed</textarea>" in page[1]
        paste = urllib.parse.urlencode({"error": "NS0109 Sync Error: Failed to login"}).encode()
        found = answer_of(urllib.request.build_opener(NoRedirects), served.url + "/find/", paste)
        if found[0] != 302:  # matching needs no database once a process has its guides; before, it says so
            assert found[0] == 503 and "Your text is below as you pasted it" in found[1]
            assert "NS0109 Sync Error: Failed to login</textarea>" in found[1]
    agent = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = answer_of(agent, served.url + "/accounts/login/")[1]  # the form and its CSRF cookie, before the outage
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    with database_away(served.database):
        login = urllib.parse.urlencode({"username": "ann.agent", "password": "secret", "csrfmiddlewaretoken": token})
        signed = answer_of(agent, served.url + "/accounts/login/", login.encode())
    assert signed[0] == 503 and "We couldn't sign you in: the wizard can't reach its data just now" in signed[1]
    assert 'value="ann.agent"' in signed[1] and "secret" not in signed[1]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def answer_of(opener, url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, refused.read().decode()
