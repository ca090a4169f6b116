"""What an operator reads on a real gunicorn's standard error: its lines and Django's, whole, from start to stop."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import FIXTURES, free_port

ROOT = FIXTURES.parent
WORKERS = 2
GUNICORN_AT = r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] "  # gunicorn's error log: time, [pid], [level]
DJANGO_AT = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "  # the "plain" formatter of settings.LOGGING: time, level, name


def gunicorn(message: str, pid: int | str = r"\d+", level: str = "INFO") -> str:
    return GUNICORN_AT + rf"\[{pid}\] \[{level}\] " + message + "$"


def django(message: str, level: str = r"[A-Z]+", name: str = r"[\w.]+") -> str:
    return DJANGO_AT + rf"{level} {name} " + message + "$"


def is_json(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def wait_for_port(port: int, server: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert server.poll() is None, "gunicorn stopped before it listened"
            assert time.monotonic() < deadline, "gunicorn never listened"
            time.sleep(0.1)


def health_check_in_each_worker(port: int) -> None:
    """/healthz/ answered once by each worker, so that every worker has loaded Django before it stops.

    A sync worker reads one request at a time: the first one, left unfinished, holds one worker while
    the second is answered by the other; then the first is finished.
    """
    held = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        held.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: localhost\r\n")
        with pytest.raises(urllib.error.HTTPError) as other:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=20)
        other.value.close()  # gunicorn waits for the client to close before the worker reads on
        assert other.value.code == 503
        held.sendall(b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := held.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 503 ")
    finally:
        held.close()


# SIGTERM is what a process manager or a deploy sends; SIGINT to the master is `kill -INT`; Ctrl-C in a
# terminal sends SIGINT to every process of the server at once (gunicorn.conf.py says what that broke).
@pytest.mark.parametrize(("stop", "whole_group"), [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
                         ids=["SIGTERM", "SIGINT", "Ctrl-C"])
def test_gunicorn_and_django_lines_are_whole_from_start_to_shutdown(tmp_path, stop, whole_group):
    data = tmp_path / "data"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")} | {
        "SQLITE_PATH": str(data / "db.sqlite3"), "DEBUG": "0",
        "XDG_RUNTIME_DIR": str(tmp_path)}  # gunicorn's control socket, away from any other gunicorn's
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    data.rename(tmp_path / "moved")  # the database's volume went away: /healthz/ cannot reach it
    port, log = free_port(), tmp_path / "stderr.log"
    with open(log, "ab") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "wizard.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
            start_new_session=True)  # its own group, which the SIGKILL below ends whole
    try:
        wait_for_port(port, server)
        health_check_in_each_worker(port)
        if whole_group:
            os.killpg(server.pid, stop)
        else:
            server.send_signal(stop)
        server.wait(30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
    text = log.read_text()
    lines, master = text.splitlines(), server.pid

    for banned in ("--- Logging error ---", "TypeError", "Traceback"):
        assert banned not in text, text
    for line in lines:  # each line one whole record: gunicorn's, Django's or a request's
        assert re.match(gunicorn(".*", level="[A-Z]+"), line) or re.match(django(".*"), line) or is_json(line), line

    assert re.search(gunicorn(r"Starting gunicorn \S+", master), text, re.M), text
    booted = re.findall(gunicorn(r"Booting worker with pid: (\d+)", r"(\d+)"), text, re.M)
    assert len(booted) == WORKERS and all(field == pid for field, pid in booted), text
    workers = {int(pid) for _, pid in booted}
    assert len(workers) == WORKERS and master not in workers, text

    # One request line for each worker's health check, and nothing more: a balancer asks every few seconds,
    # and an outage is said once by the run writer and the worker (tests/test_database_outage.py).
    assert "health check" not in text and "Service Unavailable" not in text, text
    requests = [json.loads(line) for line in lines if is_json(line)]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [("GET", "/healthz/", 503)] * WORKERS, text
    assert all({"time", "ms"} <= r.keys() for r in requests), text

    for pid in workers:
        assert re.search(gunicorn(rf"Worker exiting \(pid: {pid}\)", pid), text, re.M), text
    assert re.search(gunicorn("Shutting down: Master", master), text, re.M), text
