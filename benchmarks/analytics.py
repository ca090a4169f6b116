"""Benchmark: the analytics report of one guide over many recorded runs.

Fills the runs table (of the database DATABASE settings name, so point it at a scratch one) with
runs along the guide's real paths, spread over 90 days, then times the report a few times.

    SQLITE_PATH=/tmp/bench.sqlite3 python manage.py migrate
    SQLITE_PATH=/tmp/bench.sqlite3 python manage.py load_guides
    SQLITE_PATH=/tmp/bench.sqlite3 python -m benchmarks.analytics --runs 1000000
"""

import argparse
import os
import random
import secrets
import statistics
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wizard.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from troubleshoot import analytics  # noqa: E402
from troubleshoot.guide import ALL_MATCH, FIXED, NOT_FIXED  # noqa: E402
from troubleshoot.engine import walk  # noqa: E402
from troubleshoot.models import Guide, Run  # noqa: E402
from troubleshoot.published import catalogue  # noqa: E402


def paths(guide) -> list[tuple[str, str]]:
    """Every prefix of every path through the guide, as (answers, outcome)."""
    found, todo = [], [()]
    while todo:
        answers = todo.pop()
        current = walk(guide, answers)
        outcome = ("fixed" if current.fixed else "escalated" if current.node.kind == "escalation"
                   else "not_fixed" if NOT_FIXED in answers else "left")
        found.append(("/".join(answers), outcome))
        if current.fixed or current.node.kind == "escalation":
            continue
        node = current.node
        nexts = ([c.slug for c in node.choices] if node.kind == "question"
                 else [ALL_MATCH] + [i.slug for i in node.items] if node.kind == "checklist" else [FIXED, NOT_FIXED])
        todo.extend(answers + (a,) for a in nexts)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description="Fill the runs table of one guide and time its analytics report.")
    parser.add_argument("--guide", default="ns0384")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--days", type=int, default=90, help="The report's period; runs are spread over 90 days.")
    args = parser.parse_args()
    row = Guide.objects.filter(slug=args.guide).first()
    number = catalogue.newest_number(args.guide)
    if row is None or number is None:
        raise SystemExit(f"Load the guides first (manage.py load_guides); there is no published '{args.guide}'.")
    have = Run.objects.filter(guide=row).count()
    if have < args.runs:
        fill(row, number, args.runs - have)
    now = timezone.now()
    start, end = now - timedelta(days=args.days), now + timedelta(days=1)
    times = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        result = analytics.report(args.guide, start, end)
        analytics.tables(result)
        times.append(time.perf_counter() - began)
    total = Run.objects.filter(guide=row).count()
    print(f"{connection.vendor}: {total:,} runs of {args.guide}, {result.totals.runs:,} in the last {args.days} days: "
          f"report in median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
          f"over {args.repeat} runs")


def fill(guide: Guide, number: int, count: int) -> None:
    rng = random.Random(1)
    choices = paths(catalogue.guide(guide.slug, number))
    now = timezone.now()
    table, batch = Run._meta.db_table, 20_000
    sql = (f"INSERT INTO {table} (key, guide_id, version, platform, answers, node, solution, outcome, "
           f"feedback, started_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
    began = time.perf_counter()
    for done in range(0, count, batch):
        rows = []
        for _ in range(min(batch, count - done)):
            answers, outcome = rng.choice(choices)
            when = now - timedelta(seconds=rng.randrange(90 * 86400))
            rows.append((secrets.token_hex(16), guide.pk, number, "expensify-web", answers, "-", "", outcome, "", when, when))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    print(f"inserted {count:,} runs in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
