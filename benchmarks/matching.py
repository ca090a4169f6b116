"""Benchmark: match pasted text of a given size against many guides, and print the latency spread.

Uses guides in memory (no database): the shipped catalogue, and as many generated guides beside it
as it takes to reach --guides, each a shipped guide under another code with its own message, so the
index is as large and as alike as a real library of that size would be. `--guides 0` times the
shipped catalogue alone.

    python -m benchmarks.matching [--guides 500] [--text-bytes 10000] [--runs 1000]
"""

import argparse
import os
import random
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wizard.settings")
django.setup()

from django.conf import settings  # noqa: E402

from troubleshoot import document  # noqa: E402
from troubleshoot.guide import Guide  # noqa: E402
from troubleshoot.matching import Matcher  # noqa: E402

RECORDS = ["Account", "Classification", "ExpenseCategory", "Department", "Location", "Vendor", "Employee",
           "Currency", "Subsidiary", "Customer", "Project", "Item", "TaxCode", "Term", "Bill", "Invoice"]
VERBS = ["querying", "updating", "creating", "deleting", "exporting", "reading"]


def library(size: int, rng: random.Random) -> list[Guide]:
    folder = settings.BASE_DIR / "fixtures"
    parts = document.read_parts((folder / document.PARTS_FILE).read_bytes())
    shipped = [document.read(p.read_bytes(), parts) for p in document.shipped_files(folder)]
    guides = list(shipped)
    for i in range(size - len(shipped)):
        doc = document.as_data(shipped[i % len(shipped)])
        record, verb = rng.choice(RECORDS) + str(i), rng.choice(VERBS)
        message = f"Permission error encountered when {verb} NetSuite for '{record}'. Please confirm the token role."
        doc |= {"slug": f"guide-{i}", "codes": [f"NS{1000 + i:04d}"], "messages": [message],
                "error": f"NS{1000 + i:04d} Sync Error: {message}"}
        guides.append(document.check(doc))
    return guides


def pasted_text(size: int, rng: random.Random, message: str) -> str:
    lines = []
    while sum(len(line) + 1 for line in lines) < size - len(message):
        lines.append(f"2026-11-20 09:{rng.randrange(60):02d}:{rng.randrange(60):02d} INFO sync step "
                     f"{rng.randrange(10**6)} for report R{rng.randrange(10**5)} finished in {rng.random():.3f}s")
    lines.insert(len(lines) // 2, "ERROR " + message)
    return "\n".join(lines)[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description="Time matching pasted text against a library of generated guides; "
                                                 "prints p50, p99 and max.")
    parser.add_argument("--guides", type=int, default=500)
    parser.add_argument("--text-bytes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(20261121)
    started = time.perf_counter()
    matcher = Matcher(library(args.guides, rng))
    built = time.perf_counter() - started
    # Half the texts carry no code, so the word index does the work; half carry one.
    # (An error that is a code word alone, like "InvalidTimestamp", is the same text either way.)
    texts = [pasted_text(args.text_bytes, rng, rng.choice(matcher.messages).guide.error.split(": ", 1)[-(i % 2)])
             for i in range(20)]
    times = []
    for i in range(args.runs):
        start = time.perf_counter()
        matcher.match(texts[i % len(texts)])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
    print(f"{len(matcher.guides)} guides, {args.text_bytes:,}-byte texts, {args.runs} runs: index built in {built * 1000:.0f} ms; "
          f"match p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
