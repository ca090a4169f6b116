"""`make bench`: the wizard as production serves it, beside Django's floor, under wrk.

Both apps run under the same gunicorn settings as `make run` (2 workers, DEBUG off) on loopback,
on a scratch SQLite database. Ratios to the floor are the figures to quote: machines are noisy, so
each page is driven right after the floor, its ratio taken against that run of the floor, and the
median of the rounds is reported.

    python -m benchmarks.http [--seconds 2] [--rounds 3] [--connections 8] [--json FILE]
"""

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import socket
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

from benchmarks.generated import deepest_question, guide_document  # noqa: E402

WORKERS = "2"  # as `make run`
SCRIPTS = Path(__file__).resolve().parent
PUBLISH = """
import time
from troubleshoot import document, drafts
from troubleshoot.models import Guide
started = time.perf_counter()
version = drafts.publish(Guide.objects.get(slug="{slug}"), note="make bench")
published = time.perf_counter() - started
started = time.perf_counter()
document.lint(version.document)
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


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50"), "p99": ms("99"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def summary(rounds: list[dict], floors: list[dict]) -> dict:
    """Medians over the rounds; each round's ratios against the floor run paired with it."""
    ratios = [r["rps"] / f["rps"] for r, f in zip(rounds, floors)]
    return {
        "rps": statistics.median(r["rps"] for r in rounds),
        "p50": statistics.median(r["p50"] for r in rounds),
        "p99": statistics.median(r["p99"] for r in rounds),
        "ratio": statistics.median(ratios), "lowest": min(ratios), "highest": max(ratios),
        "p99 ratio": statistics.median(r["p99"] / f["p99"] for r, f in zip(rounds, floors)),
        "requests": sum(r["requests"] for r in rounds), "errors": sum(r["errors"] for r in rounds),
    }


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


def prepare(env: dict, scratch: Path) -> dict[str, str]:
    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                              capture_output=True, text=True, check=True).stdout

    manage("migrate", "--noinput")
    manage("load_guides")
    times = {}
    for size in (10, 5000):
        path = scratch / f"generated-{size}.json"
        path.write_text(json.dumps(guide_document(size)))
        times[f"import {size}"] = re.search(r"in ([\d.]+) s", manage("import_guide", str(path))).group(1)
    # What an author waits for: publishing the drafts (build, lint, store), and the lint alone.
    # Both guides get a version 2, so their newest versions are served alike.
    for size in (10, 5000):
        times[f"publish {size}"], times[f"lint {size}"] = manage("shell", "-v", "0", "-c", PUBLISH.format(slug=f"generated-{size}")).split()
    return times


def report(app: str, floor: str, master: int, seconds: int, rounds: int, connections: int, publish: dict,
           out: str | None) -> None:
    step = app + "/guides/ns0109/v1/expensify-web/"
    pages = {
        "floor": (floor + "/", None),
        "home page": (app + "/", None),
        "question step": (step + "unsure/", None),
        "solution step": (step + "password/", None),
        "htmx fragment": (step + "unsure/yes/", SCRIPTS / "htmx.lua"),
        "paste match": (app + "/find/", SCRIPTS / "paste.lua"),
        "10-node guide, deepest question": (
            app + "/guides/generated-10/v2/web/" + "".join(a + "/" for a in deepest_question(10)), None),
        "5,000-node guide, deepest question": (
            app + "/guides/generated-5000/v2/web/" + "".join(a + "/" for a in deepest_question(5000)), None),
    }
    for url, _ in pages.values():  # warm every worker's caches, so memory is measured after, not during
        for _ in range(40):
            if not url.endswith("/find/"):
                fetch(url)
    rss_before = worker_rss_kib(master)
    # Each page is driven right after a run of the floor, and its ratio taken against that run:
    # the machine's speed drifts within seconds, far less within one pair.
    floor_url = pages.pop("floor")[0]
    runs = {name: [] for name in ["floor", *pages]}
    floors = {name: [] for name in pages}
    for _ in range(rounds):
        for name, (url, script) in pages.items():
            floors[name].append(wrk(floor_url, seconds, connections))
            runs["floor"].append(floors[name][-1])
            runs[name].append(wrk(url, seconds, connections, script))
    rss_after = worker_rss_kib(master)
    served = sum(r["requests"] for name, rs in runs.items() if name != "floor" for r in rs)
    results = {"floor": summary(runs["floor"], runs["floor"])} | {
        name: summary(runs[name], floors[name]) for name in pages}

    print(f"{rounds} rounds, each page {seconds} s right after {seconds} s of the floor; medians; "
          "'range': the lowest and highest ratio of the rounds")
    print(f"{'page':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs floor':>9} {'range':>11} "
          f"{'p99 x':>6} {'errors':>6}")
    for name, r in results.items():
        print(f"{name:36} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['ratio']:9.2f} "
              f"{r['lowest']:5.2f}-{r['highest']:.2f} {r['p99 ratio']:6.2f} {r['errors']:6d}")
    size_ratio = statistics.median(big["rps"] / ten["rps"] for big, ten in zip(
        runs["5,000-node guide, deepest question"], runs["10-node guide, deepest question"]))
    weight = page_weight(app)
    fragment, _ = fetch(step + "unsure/yes/", {"HX-Request": "true"})
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
        Path(out).write_text(json.dumps({"pages": results, "rounds": runs, "notes": lines}, indent=2))


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
    parser = argparse.ArgumentParser(
        description="Benchmark the wizard against Django's floor with wrk; prints throughput, latency and ratios.")
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
    servers = []
    log = open(scratch / "servers.log", "w")  # a line per request: a pipe nobody reads would fill and block
    try:
        publish_times = prepare(env, scratch)
        app, floor = free_port(), free_port()
        for module, port in (("wizard.wsgi", app), ('benchmarks.floor:application("bare")', floor)):
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", module, "--bind", f"127.0.0.1:{port}", "--workers", WORKERS],
                cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
            servers.append(process)
            wait_for(port, process, scratch / "servers.log")
        report(f"http://127.0.0.1:{app}", f"http://127.0.0.1:{floor}", servers[0].pid, args.seconds, args.rounds,
               args.connections, publish_times, args.out)
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=30)
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
