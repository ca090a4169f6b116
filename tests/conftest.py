import functools
import html
import io
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from troubleshoot import document
from troubleshoot.engine import walk
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
def quick_passwords(settings):
    """Test accounts need no slow hash: the default one costs a third of a second per account."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def runs_written_in_the_request(settings):
    """A test's own transaction is invisible to another thread, so runs are written in the request;
    test_run_writer.py runs the writer's thread itself."""
    settings.RUN_WRITE_SECONDS = 0


def login(django_user_model, username: str, group: str | None = None, superuser=False) -> Client:
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True, is_superuser=superuser)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def publisher(shipped, django_user_model) -> Client:
    return login(django_user_model, "pat", "guide publishers")


@pytest.fixture
def editor(shipped, django_user_model) -> Client:
    return login(django_user_model, "eddie", "guide editors")


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


@functools.cache
def shipped_library() -> dict:
    """The parts the shipped guides include, by slug."""
    return document.read_parts((FIXTURES / document.PARTS_FILE).read_bytes())


@functools.cache
def shipped_guides() -> dict[str, Guide]:
    return {guide.slug: guide for guide in (document.read(p.read_bytes(), shipped_library())
                                            for p in document.shipped_files(FIXTURES))}


# A shipped guide as its reader sees it, for the tests that hold what each guide says (test_content_*)

def node_after(slug: str, *answers: str) -> str:
    return walk(shipped_guides()[slug], answers).node.slug


def step_texts(slug: str, node: str, platform: str) -> list[str]:
    """A solution's numbered lines on one platform, parts included."""
    guide = shipped_guides()[slug]
    return [line.text for line in guide.instructions_for(guide.nodes[node], platform)]


def every_text(slug: str) -> str:
    """Everything a reader of the guide can read: summary, titles, help, answers, items and every line."""
    guide = shipped_guides()[slug]
    texts = [guide.summary]
    for node in guide.nodes.values():
        texts += [node.title, node.help, *(c.label for c in node.choices), *(i.label for i in node.items)]
        texts += [line.text for line in guide.expanded(node)]
    return "\n".join(texts)


def small_document(**changes) -> dict:
    """A two-platform guide small enough to read in a test: one question, two solutions, one escalation."""
    doc = {
        "slug": "tiny",
        "title": "Tiny guide",
        "codes": ["NS9999"],
        "error": "NS9999 Sync Error: Something tiny went wrong.",
        "messages": ["Something tiny went wrong."],
        "sources": [{"id": "tiny-article", "repo": "Expensify/App", "path": "docs/articles/tiny/NS9999.md",
                     "commit": "0123456789abcdef0123456789abcdef01234567"}],
        "platforms": [
            {"slug": "web", "name": "On the web", "support": "Web support"},
            {"slug": "phone", "name": "On the phone", "support": "Phone support"},
        ],
        "start": "ask",
        "nodes": [
            {
                "slug": "ask", "kind": "question", "title": "Is it plugged in?", "help": "Look at the plug.",
                "sources": ["tiny-article"],
                "choices": [
                    {"slug": "yes", "label": "Yes", "next": "check"},
                    {"slug": "no", "label": "No", "next": "plug"},
                ],
            },
            {
                "slug": "check", "kind": "checklist", "title": "Are these set?", "help": "Compare them.",
                "sources": ["tiny-article"],
                "items": [
                    {"slug": "alpha", "label": "Alpha", "expected": "Full"},
                    {"slug": "beta", "label": "Beta", "expected": "View"},
                ],
                "if_all_match": "escalate", "if_any_differ": "fix",
            },
            {
                "slug": "plug", "kind": "solution", "title": "Plug it in", "who": "Anyone", "sources": ["tiny-article"],
                "instructions": [
                    {"text": "Find the plug."},
                    {"text": "Click **Plug** on the web.", "platform": "web"},
                    {"text": "Tap **Plug** on the phone.", "platform": "phone"},
                ],
                "if_not_fixed": "check",
            },
            {
                "slug": "fix", "kind": "solution", "title": "Set them", "sources": ["tiny-article"],
                "instructions": [{"text": "Set each one."}, {"text": "Save it."}],
                "if_not_fixed": "escalate",
            },
            {"slug": "escalate", "kind": "escalation", "title": "Ask for help"},
        ],
    }
    doc.update(changes)
    return doc


_scratch_numbers = itertools.count()


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
    # One name per call: two servers of one test run (the browser suite's and a test's own) must not
    # drop each other's database.
    name = f"wizard_scratch_{os.getpid()}_{next(_scratch_numbers)}"
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


_prepared: dict[str, Path] = {}


def prepared_sqlite(tmp_path_factory) -> Path:
    """A migrated SQLite database holding the shipped guides, made once per session for servers to copy."""
    if "sqlite" not in _prepared:
        path = tmp_path_factory.mktemp("prepared") / "db.sqlite3"
        manage(["migrate", "--noinput"], {"SQLITE_PATH": str(path)})
        manage(["load_guides"], {"SQLITE_PATH": str(path)})
        _prepared["sqlite"] = path
    return _prepared["sqlite"]


def run_manage(*args, **env) -> subprocess.CompletedProcess:
    """A manage.py command in its own process with `env` on top of ours (no database or key of the suite's)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "HTTPS")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=FIXTURES.parent, env=clean | env,
                          capture_output=True, text=True)


def manage(args: list[str], env: dict) -> None:
    """A manage.py command in its own process, on the database `env` names (SQLite unless it says otherwise)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")} | env
    subprocess.run([sys.executable, "manage.py", *args], cwd=FIXTURES.parent, env=env, check=True, capture_output=True)


@contextmanager
def gunicorn(tmp_path_factory, env: dict, setup: tuple[list[str], ...] = (), workers: int = 1):
    """The app as `make run` serves it, on a free port of this machine, with `env` on top of ours, on a
    fresh database holding the shipped guides (`env` may name a PostgreSQL one), after `setup`'s manage.py
    commands; yields (base URL, the server process); stopped with SIGTERM, as a deploy or restart stops it."""
    env = {"DEBUG": "0"} | env
    if "DATABASE_URL" in env:
        manage(["migrate", "--noinput"], env)
        manage(["load_guides"], env)
    else:
        shutil.copyfile(prepared_sqlite(tmp_path_factory), env["SQLITE_PATH"])
    for args in setup:
        manage(args, env)
    port = free_port()
    # A line per request: to a file, since a pipe nobody reads would fill and block the server.
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "wizard.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--no-control-socket"],  # gunicorn's control socket is one per user: others may be running
            cwd=FIXTURES.parent, env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")} | env,
            stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/healthz/").close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: " + log.read_text()[-2000:]) from None
                time.sleep(0.1)
        yield url, server
    finally:
        server.terminate()
        server.wait(30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Handing a walk to support: the escalation page's form, sent as a browser sends it

HAND_OFF_FORM = re.compile(r'<form class="hand-off[^"]*" method="post" action="([^"]+)">\s*'
                           r'<input type="hidden" name="step" value="([^"]+)">\s*'
                           r'<input type="hidden" name="token" value="([^"]+)">')
REFERENCE_SHOWN = re.compile(r"Your reference: <strong>([0-9A-Z]{5}-[0-9A-Z]{5})</strong>")


def hand_off_form(page: str) -> tuple[str, dict]:
    """The action and fields of the escalation page's hand-off form (it must be there)."""
    found = HAND_OFF_FORM.search(page)
    assert found, "the page has no hand-off form"
    action, step, token = (html.unescape(v) for v in found.groups())
    return action, {"step": step, "token": token}


def hand_off(client: Client, path: str, **headers) -> str:
    """Open an escalation page and press its hand-off button; the page it leads to."""
    action, fields = hand_off_form(client.get(path, follow=True, **headers).content.decode())
    answer = client.post(action, fields, follow=True, **headers)
    assert answer.redirect_chain and answer.redirect_chain[-1][1] == 303, answer.content.decode()[:500]
    return answer.content.decode()


def hand_off_over_http(base_url: str, path: str, opener: urllib.request.OpenerDirector | None = None) -> str:
    """The same through a real server: open the escalation, send its form; the reference shown after."""
    opener = opener or urllib.request.build_opener()
    with opener.open(base_url + path, timeout=30) as answer:
        action, fields = hand_off_form(answer.read().decode())
    data = urllib.parse.urlencode(fields).encode()
    with opener.open(urllib.request.Request(base_url + action, data=data), timeout=30) as answer:
        page = answer.read().decode()
    found = REFERENCE_SHOWN.search(page)
    assert found, page[:500]
    return found.group(1)


def open_frame(client: Client, message: str, platform: str, **params) -> str:
    """Open the embed as a host page does (`/embed/?message=…`); the frame's start URL it leads to."""
    answer = client.get("/embed/", {"message": message, "platform": platform, **params})
    assert answer.status_code == 302, answer.content.decode()[:300]
    return answer["Location"]
