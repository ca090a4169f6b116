"""`make bench`: every kind of public page of the wizard as production serves it, beside Django's two
floors (benchmarks/floor.py), under wrk.

The three apps run under the same gunicorn settings as `make run` (2 workers, DEBUG off) on loopback,
the wizard on a scratch SQLite database. Ratios to the floors are the figures to quote: machines are
noisy, so in each round every page is driven right after a run of the default-middleware floor and
its ratio taken against that run; the bare floor runs once a round, and each page's ratio to it is
taken within the round. The median of the rounds is reported.

    python -m benchmarks.http [--seconds 2] [--rounds 3] [--connections 8] [--json FILE]
"""

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wizard.settings")
django.setup()

from django.conf import settings  # noqa: E402

from benchmarks import pages, wrk  # noqa: E402
from benchmarks.generated import guide_document  # noqa: E402

WORKERS = "2"  # as `make run`
SERVERS = {"wizard": "wizard.wsgi", "bare floor": 'benchmarks.floor:application("bare")',
           "default floor": 'benchmarks.floor:application("default")'}
PUBLISH = """
import time
from troubleshoot import document, publishing
from troubleshoot.models import Guide
started = time.perf_counter()
version = publishing.publish(Guide.objects.get(slug="{slug}"), note="make bench")
published = time.perf_counter() - started
guide = document.load(version.document)
started = time.perf_counter()
document.lint(guide)
print(f"{{published:.2f}} {{time.perf_counter() - started:.2f}}")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server stopped before answering:\n{log.read_text()[-1500:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port}")


def worker_rss_kib(master: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)))
    return sorted(sizes)


def fetch(url: str, headers: dict | None = None) -> tuple[bytes, dict]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as response:
        return response.read(), dict(response.headers)


RUN_COOKIE = """
from django.utils import timezone
from troubleshoot.runs import cookie_signer, new_key
print(cookie_signer().sign(f"{new_key(timezone.now())}:ns0109:1"))
"""


def prepare(env: dict, scratch: Path) -> tuple[dict[str, str], str]:
    """The scratch database with the shipped and generated guides; how long publishing took, and a run
    cookie signed with the served app's key."""
    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                              capture_output=True, text=True, check=True).stdout

    manage("migrate", "--noinput")
    manage("load_guides")
    times = {}
    for size in (10, 5000):
        path = scratch / f"generated-{size}.json"
        path.write_text(json.dumps(guide_document(size)))
        times[f"import {size}"] = re.search(r"in ([\d.]+) s", manage("import_guide", str(path), "--publish")).group(1)
    # What an author waits for: publishing the drafts (build, lint, store), and the lint alone.
    # Both guides get a version 2, so their newest versions are served alike.
    for size in (10, 5000):
        times[f"publish {size}"], times[f"lint {size}"] = manage("shell", "-v", "0", "-c", PUBLISH.format(slug=f"generated-{size}")).split()
    return times, manage("shell", "-v", "0", "-c", RUN_COOKIE).strip()


def check_floor(name: str, url: str) -> None:
    """Each floor renders the page; the default one must leave the session, user and CSRF token untouched."""
    body, headers = fetch(url)
    if b"<h1>Floor</h1>" not in body or "Set-Cookie" in headers or "Cookie" in headers.get("Vary", ""):
        raise SystemExit(f"make bench: the {name} did not answer as a floor should: {headers}")


def report(urls: dict[str, str], master: int, seconds: int, rounds: int, connections: int, publish: dict,
           out: str | None, scratch: Path, run_cookie: str) -> None:
    app, bare_url, default_url = urls["wizard"], urls["bare floor"], urls["default floor"]
    for name in ("bare floor", "default floor"):
        check_floor(name, urls[name])
    driven = pages.PAGES + [pages.walk_under_way(run_cookie, scratch), pages.hand_off(app, scratch)]
    for page in driven:
        pages.check(app, page)
    print(f"the floors and the wizard's {len(driven)} pages each answer as the page they are named for")
    for page in driven:  # warm every worker's caches, so memory is measured after, not during
        for _ in range(40):
            if not page.path.endswith(("/find/", "/handoff/")):  # GETs only: the POSTs were checked above
                fetch(app + page.path, page.headers)
    for _ in range(4):  # and with the whole catalogue loaded: every guide's first step on every platform
        for path in pages.every_first_step():
            fetch(app + path)
    rss_before = worker_rss_kib(master)
    # Each page is driven right after a run of the default floor, and its ratio taken against that
    # run: the machine's speed drifts within seconds, far less within one pair. The bare floor runs
    # once a round, first.
    names = [page.name for page in driven]
    runs = {name: [] for name in names}
    paired = {name: [] for name in names}
    bare = []
    for _ in range(rounds):
        bare.append(wrk.run(bare_url, seconds, connections))
        for page in driven:
            paired[page.name].append(wrk.run(default_url, seconds, connections))
            runs[page.name].append(wrk.run(app + page.path, seconds, connections, page.script))
    rss_after = worker_rss_kib(master)
    served = sum(r["requests"] for rs in runs.values() for r in rs)
    defaults = [run for r in range(rounds) for run in (paired[name][r] for name in names)]
    results = {
        # The bare floor against the default floor's run right after it, the first page's pair.
        "bare floor": wrk.summary(bare, paired[names[0]], bare),
        "default floor": wrk.summary(defaults, defaults, [b for b in bare for _ in names]),
    } | {name: wrk.summary(runs[name], paired[name], bare) for name in names}

    print(f"{rounds} rounds, each page {seconds} s right after {seconds} s of the default-middleware floor, and "
          f"the bare floor once a round; medians of the rounds; 'range': the lowest and highest 'vs default'")
    print(f"{'page':36} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs default':>10} {'range':>10} "
          f"{'p99 x default':>13} {'vs bare':>7} {'errors':>6}")
    for name, r in results.items():
        print(f"{name:36} {r['rps']:7.0f} {r['p50']:7.2f} {r['p99']:7.2f} {r['ratio']:10.2f} "
              f"{r['lowest']:5.2f}-{r['highest']:.2f} {r['p99 ratio']:13.2f} {r['bare ratio']:7.2f} {r['errors']:6d}")
    size_ratio = statistics.median(big["rps"] / ten["rps"] for big, ten in zip(
        runs["5,000-node guide, deepest question"], runs["10-node guide, deepest question"]))
    weight = page_weight(app)
    htmx = next(page for page in pages.PAGES if page.name == "htmx fragment")
    fragment, _ = fetch(app + htmx.path, htmx.headers)
    lines = [
        f"5,000-node step throughput / 10-node (median of rounds): {size_ratio:.2f}",
        f"publishing drafts (build, lint, store): 10 nodes {publish['publish 10']} s, 5,000 nodes {publish['publish 5000']} s; "
        f"lint alone: {publish['lint 10']} s, {publish['lint 5000']} s",
        f"importing a document (replace every draft, then publish): 10 nodes {publish['import 10']} s, "
        f"5,000 nodes {publish['import 5000']} s",
        f"worker memory (RSS, KiB) before {rss_before} after {rss_after} over {served:,} requests",
        f"first page load, all assets, compressed: {weight / 1024:.1f} kB; htmx step fragment: {len(fragment) / 1024:.1f} kB",
    ]
    for line in lines:
        print(line)
    if out:
        Path(out).write_text(json.dumps(
            {"pages": results, "rounds": runs, "default floor": paired, "bare floor": bare, "notes": lines}, indent=2))


def page_weight(app: str) -> int:
    """Bytes on the wire for the home page and everything it loads, as a browser asks (gzip)."""
    html, headers = fetch(app + "/", {"Accept-Encoding": "gzip"})
    total = len(html) if headers.get("Content-Encoding") == "gzip" else len(gzip.compress(html))
    body = gzip.decompress(html) if headers.get("Content-Encoding") == "gzip" else html
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', body):
        data, _ = fetch(app + asset.decode(), {"Accept-Encoding": "gzip"})
        total += len(data)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark every kind of page of the wizard against Django's "
                                                 "floors with wrk; prints throughput, latency and ratios.")
    parser.add_argument("--seconds", type=int, default=2, help="How long wrk drives each page in each round.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", dest="out", help="Also write the figures to this file.")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    scratch = Path(tempfile.mkdtemp(prefix="wizard-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "SQLITE_PATH": str(scratch / "bench.sqlite3"), "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "wizard.settings",
        "RATE_LIMITS": "off"}  # one client sends everything; every step must still write its run
    servers = {}
    log = open(scratch / "servers.log", "w")  # a line per request: a pipe nobody reads would fill and block
    try:
        publish_times, run_cookie = prepare(env, scratch)
        urls = {}
        for name, app in SERVERS.items():
            port = free_port()
            # No control socket: three masters at once would share the one in ~/.gunicorn; serving is the same.
            servers[name] = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", WORKERS,
                 "--no-control-socket"],
                cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
            wait_for(port, servers[name], scratch / "servers.log")
            urls[name] = f"http://127.0.0.1:{port}"
        report(urls, servers["wizard"].pid, args.seconds, args.rounds, args.connections, publish_times, args.out,
               scratch, run_cookie)
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=30)
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
