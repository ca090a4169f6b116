"""On PostgreSQL only: concurrency, and several app servers sharing one database."""

import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from troubleshoot import publishing
from troubleshoot.models import Guide, Node, Version

from .conftest import FIXTURES, free_port, scratch_database

ROOT = FIXTURES.parent
pytestmark = pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""), reason="needs DATABASE_URL on PostgreSQL")


def together(count: int, work) -> list:
    """Run work(i) in `count` threads released at once; each thread closes its own connection."""
    gate, results = threading.Barrier(count), [None] * count

    def run(i):
        gate.wait()
        try:
            results[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_publishes_at_once_give_two_consecutive_versions(transactional_db, shipped):
    guide = Guide.objects.get(slug="ns0109")
    Node.objects.filter(guide=guide, slug="escalate").update(title="Changed before two publishes")
    numbers = together(2, lambda i: publishing.publish(Guide.objects.get(pk=guide.pk), note=f"publish {i}").number)
    assert sorted(numbers) == [2, 3]
    assert list(Version.objects.filter(guide=guide).order_by("number").values_list("number", flat=True)) == [1, 2, 3]


@pytest.fixture(scope="module")
def two_hosts(tmp_path_factory):
    """Two app servers on one scratch PostgreSQL database, as behind a load balancer."""
    with scratch_database(tmp_path_factory) as database:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | database | {
            "DEBUG": "0", "NEWEST_VERSION_SECONDS": "1", "PROXY_COUNT": "1"}
        for args in (["migrate", "--noinput"], ["load_guides"]):
            subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "manage.py", "shell", "-c",
                        "from django.contrib.auth.models import User; User.objects.create_superuser('root', '', 'pw')"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        hosts, log = [], tempfile.TemporaryFile()
        try:
            for _ in range(2):
                port = free_port()
                hosts.append((f"http://127.0.0.1:{port}", subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "wizard.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)))
            for url, _ in hosts:
                wait(url)
            yield [url for url, _ in hosts], database["DATABASE_URL"]
        finally:
            for _, process in hosts:
                process.terminate()
                process.wait(30)


def test_two_hosts_share_links_and_publishes(two_hosts):
    (a, b), _ = two_hosts
    step = "/guides/ns0565/v1/expensify-mobile/other/"
    assert title(a + step) == title(b + step) == "Give the employee the Expensify Integration role and tie the token to it"

    publish_through(a, "ns0565")
    deadline = time.monotonic() + 5
    while not newest(b, "ns0565").endswith("/v2/"):
        assert time.monotonic() < deadline, "host B never served version 2"
        time.sleep(0.2)
    assert title(b + step) == title(a + step)  # the old link still opens version 1 on both


def test_200_concurrent_feedback_posts_store_200_notes(two_hosts):
    (a, b), url = two_hosts
    fixed = "/guides/ns0109/v1/expensify-web/password/fixed/"
    people = []
    for i in range(200):  # 200 people, each with their own walk, behind one proxy
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        address = {"X-Forwarded-For": f"10.2.{i // 200}.{i % 200}"}
        opener.open(urllib.request.Request((a, b)[i % 2] + fixed, headers=address)).read()
        people.append((opener, address))

    def post(i):
        opener, address = people[i]
        data = urllib.parse.urlencode({"text": f"note {i}", "next": fixed}).encode()
        request = urllib.request.Request((a, b)[i % 2] + "/feedback/", data=data, headers=address)
        return opener.open(request).status

    assert together(200, post) == [200] * 200  # each followed its redirect to the thanks
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        notes = {row[0] for row in db.execute("SELECT feedback FROM troubleshoot_run WHERE feedback <> ''")}
    assert notes == {f"note {i}" for i in range(200)}


def wait(url: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url + "/healthz/", timeout=5)
            return
        except OSError:  # refused, reset, or a worker still booting past the timeout: not up yet
            assert time.monotonic() < deadline, f"{url} never answered"
            time.sleep(0.2)


def title(url: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", urllib.request.urlopen(url).read().decode()).group(1)


def newest(host: str, slug: str) -> str:
    class Stop(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        urllib.request.build_opener(Stop).open(f"{host}/guides/{slug}/")
    except urllib.error.HTTPError as redirect:
        return redirect.headers["Location"]
    return ""


def publish_through(host: str, slug: str) -> None:
    """Sign in to host's admin, change nothing but the note, and publish."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(path: str, fields: dict) -> str:
        page = browser.open(host + path).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(fields | {"csrfmiddlewaretoken": token}).encode()
        return browser.open(urllib.request.Request(host + path, data=data, headers={"Referer": host + path})).read().decode()

    post("/admin/login/?next=/admin/", {"username": "root", "password": "pw", "next": "/admin/"})
    listing = browser.open(host + "/admin/troubleshoot/guide/").read().decode()
    pk = re.search(r'href="/admin/troubleshoot/guide/(\d+)/change/">[^<]*NS0565', listing).group(1)
    result = post(f"/admin/troubleshoot/guide/{pk}/publish/", {"note": "published through host A"})
    assert "as version 2" in result


def test_service_resumes_by_itself_after_the_database_drops_its_connections(two_hosts):
    (a, b), url = two_hosts
    step = a + "/guides/ns0109/v1/expensify-web/unsure/"
    assert status(step) == 200
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres", autocommit=True) as db:
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
    statuses = [status(step) for _ in range(10)] + [status(a + "/healthz/")]
    assert 500 not in statuses
    assert statuses[-3:] == [200, 200, 200]
    # The run writer's connection was dropped too: it reconnects, and the steps it held are not lost.
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        deadline = time.monotonic() + 10
        count = "SELECT count(*) FROM troubleshoot_run WHERE answers = 'unsure'"  # this test's walks alone
        while (runs := db.execute(count).fetchone()[0]) < 11:
            assert time.monotonic() < deadline, f"only {runs} of 11 walks were written"
            time.sleep(0.2)


def status(url: str) -> int:
    try:
        return urllib.request.urlopen(url).status
    except urllib.error.HTTPError as error:
        return error.code
