import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from troubleshoot import document
from troubleshoot.guide import Guide
from troubleshoot.published import catalogue

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(autouse=True)
def fresh_cache():
    # Each test's database starts empty, so a cached (guide, version) may belong to another test.
    catalogue.reset()
    cache.clear()  # rate-limit counts
    yield
    catalogue.reset()


@pytest.fixture(autouse=True)
def runs_written_in_the_request(settings):
    """A test's own transaction is invisible to another thread, so runs are written in the request;
    test_run_writer.py runs the writer's thread itself."""
    settings.RUN_WRITE_SECONDS = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The shipped guides, loaded once into the test database the way `make run` loads them; each
    test's transaction is rolled back over them."""
    with django_db_blocker.unblock():
        call_command("load_guides", stdout=io.StringIO())


@pytest.fixture
def shipped(db) -> None:
    """The shipped guides: there from the start, and loaded again after a test that emptied the database."""
    from troubleshoot.models import Guide

    if not Guide.objects.exists():
        call_command("load_guides", stdout=io.StringIO())


def shipped_documents() -> dict[str, dict]:
    """The shipped guides as plain data, to change and write out."""
    return {slug: document.as_data(guide) for slug, guide in shipped_guides().items()}


def shipped_guides() -> dict[str, Guide]:
    return {guide.slug: guide for guide in (document.read(p.read_bytes()) for p in sorted(FIXTURES.glob("*.yaml")))}


def small_document(**changes) -> dict:
    """A two-platform guide small enough to read in a test: one question, two solutions, one escalation."""
    doc = {
        "slug": "tiny",
        "title": "Tiny guide",
        "codes": ["NS9999"],
        "error": "NS9999 Sync Error: Something tiny went wrong.",
        "messages": ["Something tiny went wrong."],
        "platforms": [
            {"slug": "web", "name": "On the web", "support": "Web support"},
            {"slug": "phone", "name": "On the phone", "support": "Phone support"},
        ],
        "start": "ask",
        "nodes": [
            {
                "slug": "ask", "kind": "question", "title": "Is it plugged in?", "help": "Look at the plug.",
                "choices": [
                    {"slug": "yes", "label": "Yes", "next": "check"},
                    {"slug": "no", "label": "No", "next": "plug"},
                ],
            },
            {
                "slug": "check", "kind": "checklist", "title": "Are these set?", "help": "Compare them.",
                "items": [
                    {"slug": "alpha", "label": "Alpha", "expected": "Full"},
                    {"slug": "beta", "label": "Beta", "expected": "View"},
                ],
                "if_all_match": "escalate", "if_any_differ": "fix",
            },
            {
                "slug": "plug", "kind": "solution", "title": "Plug it in", "who": "Anyone",
                "instructions": [
                    {"text": "Find the plug."},
                    {"text": "Click **Plug** on the web.", "platform": "web"},
                    {"text": "Tap **Plug** on the phone.", "platform": "phone"},
                ],
                "if_not_fixed": "check",
            },
            {
                "slug": "fix", "kind": "solution", "title": "Set them",
                "instructions": [{"text": "Set each one."}, {"text": "Save it."}],
                "if_not_fixed": "escalate",
            },
            {"slug": "escalate", "kind": "escalation", "title": "Ask for help"},
        ],
    }
    doc.update(changes)
    return doc


@contextmanager
def scratch_database(tmp_path_factory):
    """A database URL for the served app: a fresh PostgreSQL database when the suite runs on one."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield {"SQLITE_PATH": str(tmp_path_factory.mktemp("db") / "browser.sqlite3")}
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"wizard_browser_{os.getpid()}"
    admin = dict(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], password=config["PASSWORD"],
                 dbname=config["NAME"], autocommit=True)
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name, "SECRET_KEY": "browser-tests-only-" + "k" * 40}
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gunicorn(env: dict, workers: int = 1, stderr=subprocess.DEVNULL, setup: tuple[list[str], ...] = ()):
    """The app as `make run` serves it, on a free port of this machine, with `env` on top of ours and
    `setup`'s manage.py commands run first; yields (base URL, the server process); stopped with
    SIGTERM, as a deploy or restart stops it."""
    root, port = FIXTURES.parent, free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")} | {"DEBUG": "0"} | env
    for args in (["migrate", "--noinput"], ["load_guides"], *setup):
        subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, check=True, capture_output=True)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "wizard.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", str(workers)], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/healthz/").close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn never answered"
                time.sleep(0.2)
        yield url, server
    finally:
        server.terminate()
        server.wait(30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
