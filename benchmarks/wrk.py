"""Drive one URL with wrk, and sum up rounds of such runs as ratios to the floors."""

import re
import statistics
import subprocess
from pathlib import Path


def run(url: str, seconds: int, connections: int, script: Path | None = None) -> dict:
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


def summary(runs: list[dict], paired: list[dict], bare: list[dict]) -> dict:
    """Medians of the runs; each run's ratios against the default floor's run just before it (`paired`)
    and against the bare floor's run of the same round (`bare`)."""
    ratios = [r["rps"] / f["rps"] for r, f in zip(runs, paired, strict=True)]
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50": statistics.median(r["p50"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "ratio": statistics.median(ratios), "lowest": min(ratios), "highest": max(ratios),
        "p99 ratio": statistics.median(r["p99"] / f["p99"] for r, f in zip(runs, paired, strict=True)),
        "bare ratio": statistics.median(r["rps"] / b["rps"] for r, b in zip(runs, bare, strict=True)),
        "requests": sum(r["requests"] for r in runs), "errors": sum(r["errors"] for r in runs),
    }
