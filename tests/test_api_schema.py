"""schemathesis over the schema the API serves, against a real gunicorn: every answer it gets must be one
the schema documents, with the body and headers it documents, for valid and invalid requests alike."""

import subprocess
import sys

from .conftest import gunicorn, scratch_database

# Rejections schemathesis counts as right for a request that breaks the schema: its defaults, and 413,
# our one answer to a text over the 10,000 characters the schema allows (api.TOO_LONG). Any warning
# (an operation it could not reach, say) fails the run too.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

[warnings]
fail-on = true
"""
EXAMPLES = 50  # per operation and phase: about 15 s of 600 cases here, bounded so that `make test` stays quick
SEED = 20  # the same cases each run, so a failure reproduces; run `st run` with other seeds to explore


def test_schemathesis_finds_nothing(tmp_path, tmp_path_factory):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    with scratch_database(tmp_path_factory) as database, gunicorn(tmp_path_factory, database | {"RATE_LIMITS": "off"}) as (url, _):
        found = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{url}/api/v1/openapi.json",
             "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "2"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300)  # cwd: its .hypothesis/ stays out of the code
    report = found.stdout[-6000:] + found.stderr[-2000:]
    assert found.returncode == 0 and "No issues found" in found.stdout, report
    assert "Stateful" in found.stdout and "generated" in found.stdout, report  # every phase ran
