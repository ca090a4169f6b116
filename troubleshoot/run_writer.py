"""Runs written in batches, off the request path.

Every step of every walk changes its run. Written in its own request, that write cost more than
the rest of a step together: a commit each time and, on SQLite, workers queueing for one lock.
So each process keeps the newest state of every run it has seen and writes them all in one
transaction every RUN_WRITE_SECONDS, from a thread of its own.

Each write is an upsert that only a newer step may overwrite, so the steps of one walk that
different processes (or hosts) saw end in the right state whichever writes first. What is
pending is written when the process exits cleanly (gunicorn's stops and restarts); if the database
is away then, it is kept in a spool file (RUN_SPOOL_DIR) that the next process started on this host
takes up (gunicorn's post_worker_init). A killed process loses at most its last RUN_WRITE_SECONDS of
steps, or all it held through an outage. An outage is logged once when it starts and once when it
ends (outage.py), not at every retry. RUN_WRITE_SECONDS = 0 writes in the request instead: the
tests do, since their transaction is invisible to another thread.
"""

import atexit
import contextlib
import functools
import hashlib
import json
import logging
import os
import threading
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction

from .models import Run
from .outage import Outage

log = logging.getLogger(__name__)
FIELDS = ("key", "guide_id", "version", "platform", "answers", "node", "solution", "outcome", "reference",
          "feedback", "started_at", "updated_at", "context", "context_verified")
CHANGED = ("platform", "answers", "node", "solution", "updated_at", "context", "context_verified")
SPOOL_LOOK_SECONDS = 2.0  # how often a served process looks for runs spooled by exiting ones
MAX_PENDING = 50_000  # runs held per process while the database is away; beyond it new ones are dropped


@functools.cache
def _upsert_sql(vendor: str) -> str:
    """The upsert for this kind of database, built once: escalations run it in their request."""
    q = connection.ops.quote_name
    table = q(Run._meta.db_table)
    return (
        f"INSERT INTO {table} ({', '.join(q(f) for f in FIELDS)}) VALUES ({', '.join(['%s'] * len(FIELDS))}) "
        f"ON CONFLICT ({q('key')}) DO UPDATE SET "
        + ", ".join(f"{q(f)} = excluded.{q(f)}" for f in CHANGED)
        # A run handed to support stays so: reloading a page after the hand-off must not undo it.
        + f", {q('outcome')} = CASE WHEN {table}.{q('outcome')} = '{Run.Outcome.ESCALATED.value}'"
        + f" THEN {table}.{q('outcome')} ELSE excluded.{q('outcome')} END"
        # A run keeps its reference once it has reached an escalation, as it kept it before batching.
        + f", {q('reference')} = COALESCE(excluded.{q('reference')}, {table}.{q('reference')})"
        # Only a newer step of the same guide version moves a run.
        + f" WHERE {table}.{q('updated_at')} <= excluded.{q('updated_at')}"
        + f" AND {table}.{q('guide_id')} = excluded.{q('guide_id')} AND {table}.{q('version')} = excluded.{q('version')}"
    )


def write(rows: list[dict]) -> None:
    """Upsert these runs now, in this thread's connection; one statement for one run."""
    adapt = connection.ops.adapt_datetimefield_value
    params = [[adapt(row[f]) if f.endswith("_at") else row[f] for f in FIELDS] for row in rows]
    sql = _upsert_sql(connection.vendor)
    if len(params) == 1:
        with connection.cursor() as cursor:
            cursor.execute(sql, params[0])
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def merged(row: dict, other: dict) -> dict:
    """Two states of one run: the newer step's, keeping the earliest start and any reference."""
    newer, older = (row, other) if row["updated_at"] >= other["updated_at"] else (other, row)
    escalated = Run.Outcome.ESCALATED in (row["outcome"], other["outcome"])
    return newer | {"started_at": min(row["started_at"], other["started_at"]),
                    "reference": newer["reference"] or older["reference"],
                    "outcome": Run.Outcome.ESCALATED if escalated else newer["outcome"]}


class RunWriter:
    """The runs this process has seen and not yet written, and the thread that writes them."""

    def __init__(self):
        self._start_afresh()
        atexit.register(self.at_exit)

    def _start_afresh(self) -> None:
        # Also after a fork: a parent's thread does not come along into the child.
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.pending: dict[str, dict] = {}
        self.dropped = 0
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.outage = Outage(log, "run writer")
        self.watching = False  # whether the thread takes up spooled runs (watch_spool)

    def add(self, row: dict) -> None:
        """Note a run's newest state; written within RUN_WRITE_SECONDS (at once when that is 0)."""
        if settings.RUN_WRITE_SECONDS <= 0:
            write([row])
            return
        if self.pid != os.getpid():
            self._start_afresh()
        with self.lock:
            self._keep(row)
            self._start_thread()

    def _start_thread(self) -> None:
        if self.thread is None:  # with the lock held
            self.thread = threading.Thread(target=self._write_every, name="run-writer", daemon=True)
            self.thread.start()

    def _keep(self, row: dict) -> None:
        older = self.pending.get(row["key"])
        if older is not None:
            row = merged(row, older)
        elif len(self.pending) >= MAX_PENDING:
            self.dropped += 1
            return
        self.pending[row["key"]] = row

    def _write_every(self) -> None:
        looked = time.monotonic()
        while not self.stopping.wait(settings.RUN_WRITE_SECONDS):
            try:
                if self.watching and time.monotonic() - looked >= SPOOL_LOOK_SECONDS:
                    looked = time.monotonic()
                    self.take_up_spooled()
                written = self.flush()
            except Exception:  # a bug must not stop the thread: every later walk would go unrecorded
                log.exception("the run writer failed; its batch is lost")
                written = False
            if not written:
                # Idle, or the database is away: hold no connection; the next write opens a fresh one.
                with contextlib.suppress(DatabaseError):
                    connection.close()
        self.flush()
        connection.close()

    def flush(self) -> bool:
        """Write everything pending now; False when there was nothing, or the database was away (it waits)."""
        with self.lock:
            batch, self.pending = list(self.pending.values()), {}
            dropped, self.dropped = self.dropped, 0
        if dropped:
            log.warning("dropped %d runs: more than %d were waiting for the database", dropped, MAX_PENDING)
        if not batch:
            return False
        try:
            write(batch)
        except (OperationalError, InterfaceError) as error:
            with self.lock:
                for row in batch:
                    self._keep(row)
                held = len(self.pending)
            self.outage.failed(error, f"{held} runs held")  # once per outage; retried every RUN_WRITE_SECONDS
            return False
        except DatabaseError:
            self._write_one_by_one(batch)
        if self.outage.away:
            self.outage.ok(f"{len(batch)} runs written")
        return True

    def at_exit(self) -> None:
        """A clean exit (gunicorn's stop or restart): write what is held, or spool it for the next process."""
        if self.pid != os.getpid() or (not self.pending and not self.dropped):
            return
        if self.flush() or not self.pending:
            return
        with self.lock:
            rows, self.pending = list(self.pending.values()), {}
        try:
            path = spool(rows)
        except OSError as error:
            log.error("run writer: %d runs held are lost: the database is away and %s could not be written (%s)",
                      len(rows), spool_dir(), error)
            return
        log.warning("run writer: database still away at exit; %d runs held kept in %s for the next process", len(rows), path)

    def watch_spool(self) -> None:
        """Start the thread now, and let it take up spooled runs every SPOOL_LOOK_SECONDS (gunicorn's workers):
        after a restart, the old workers may spool theirs only after the new ones have started."""
        if self.pid != os.getpid():
            self._start_afresh()
        self.watching = True
        self.take_up_spooled()
        with self.lock:
            self._start_thread()

    def take_up_spooled(self) -> int:
        """Runs that exiting processes here spooled during an outage, now this process's to write; how many."""
        rows = unspool()
        if not rows:
            return 0
        with self.lock:
            for row in rows:
                self._keep(row)
        log.warning("run writer: took up %d runs that an exiting process held during an outage", len(rows))
        return len(rows)

    def _write_one_by_one(self, batch: list[dict]) -> None:
        # A run the database refuses (its guide deleted meanwhile, say) must not hold back the others.
        for row in batch:
            try:
                write([row])
            except DatabaseError:
                log.exception("could not write run %s; dropped", row["key"][:8])

    def stop(self) -> None:
        """Write what is pending and end the thread (tests; a clean exit does it through atexit)."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(30)
        self._start_afresh()


def spool_dir() -> Path:
    """This database's spool folder: servers of other databases on this host keep theirs apart."""
    db = connection.settings_dict
    name = hashlib.sha256(f"{db['ENGINE']}|{db.get('HOST')}|{db.get('PORT')}|{db['NAME']}".encode()).hexdigest()[:16]
    return Path(settings.RUN_SPOOL_DIR) / name


def spool(rows: list[dict]) -> Path:
    """Write held runs to a new file of the spool folder, whole or not at all; its path."""
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"runs-{os.getpid()}-{datetime.now().strftime('%Y%m%dT%H%M%S%f')}.json"
    temporary = path.with_suffix(".part")
    temporary.write_text(json.dumps([row | {f: row[f].isoformat() for f in ("started_at", "updated_at")} for row in rows]))
    temporary.rename(path)  # a reader sees the whole file or none
    return path


def unspool() -> list[dict]:
    """The runs of every spool file, each file taken by one process only (renamed first) and then removed."""
    rows = []
    folder = spool_dir()
    for path in sorted(folder.glob("runs-*.json")) if folder.is_dir() else []:
        taken = path.with_name(f"{path.name}.taken-{os.getpid()}")
        try:
            path.rename(taken)  # another process may take it first: then this one skips it
        except OSError:
            continue
        try:
            for row in json.loads(taken.read_text()):
                rows.append(row | {f: datetime.fromisoformat(row[f]) for f in ("started_at", "updated_at")})
        except (OSError, ValueError, KeyError, TypeError):
            log.exception("run writer: could not read spooled runs from %s; left there", taken)
            continue
        taken.unlink()
    return rows


writer = RunWriter()
