"""The run writer: steps noted in the request, written in batches by a thread of each process."""

import logging
import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from troubleshoot import run_writer
from troubleshoot.models import Guide, Run
from troubleshoot.run_writer import merged, write, writer

START = "/guides/login-credentials/v1/bill-com/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def threaded(transactional_db, shipped, settings):
    """The writer as production runs it; stopped (pending runs written, connection closed) after."""
    settings.RUN_WRITE_SECONDS = 0.05
    yield settings
    writer.stop()


def row(key: str, answers: str, at, guide_id: int, **changes) -> dict:
    return {"key": key, "guide_id": guide_id, "version": 1, "platform": "bill-com", "answers": answers,
            "node": "n", "solution": "", "outcome": "left", "reference": None, "feedback": "",
            "started_at": at, "updated_at": at, "context": "", "context_verified": False} | changes


def failing_once(exception: Exception, monkeypatch) -> None:
    """The writer's first database write raises `exception`; later ones write."""
    real, calls = run_writer.write, []

    def write(rows):
        calls.append(rows)
        if len(calls) == 1:
            raise exception
        real(rows)

    monkeypatch.setattr(run_writer, "write", write)


def wait_until_written(seconds: float = 5) -> None:
    # Reads only the writer's own memory: reading the table while the thread writes it would take
    # SQLite's in-memory test database's table lock.
    deadline = time.monotonic() + seconds
    while writer.pending or not writer.thread:
        assert time.monotonic() < deadline, "the writer never wrote"
        time.sleep(0.01)
    time.sleep(0.2)  # the batch taken is being committed


def test_a_walk_is_written_by_the_thread_as_one_run_in_its_last_state(threaded):
    client = Client()
    client.get(START)
    client.get(START + "yes/", headers=HTMX)
    client.get(START + "yes/no/")
    wait_until_written()
    writer.stop()
    run = Run.objects.get()
    assert (run.answers, run.node, run.outcome) == ("yes/no", "native-admin", "left")


def test_an_older_step_written_after_a_newer_one_does_not_move_the_run_back(shipped):
    # Two processes saw two steps of one walk; the one with the older step wrote last.
    guide_id, now = Guide.objects.get(slug="login-credentials").pk, timezone.now()
    write([row("k" * 32, "yes/no", now + timedelta(seconds=3), guide_id)])
    write([row("k" * 32, "yes", now, guide_id)])
    assert Run.objects.get().answers == "yes/no"


def test_a_step_may_reach_the_database_before_the_walks_first(shipped):
    guide_id, now = Guide.objects.get(slug="login-credentials").pk, timezone.now()
    write([row("k" * 32, "yes", now + timedelta(seconds=3), guide_id, started_at=now)])  # a later step, first
    write([row("k" * 32, "", now, guide_id)])
    run = Run.objects.get()
    assert (run.answers, run.started_at) == ("yes", now)


def test_a_run_keeps_its_reference_when_the_walk_goes_back(shipped):
    guide_id, now = Guide.objects.get(slug="login-credentials").pk, timezone.now()
    write([row("k" * 32, "yes/no/yes/no", now, guide_id, reference="ABCDE-FGHIJ", outcome="escalated")])
    write([row("k" * 32, "yes/no", now + timedelta(seconds=1), guide_id)])
    assert (Run.objects.get().reference, Run.objects.get().outcome) == ("ABCDE-FGHIJ", "escalated")


def test_a_run_of_another_guide_version_is_not_overwritten(shipped):
    guide_id, now = Guide.objects.get(slug="login-credentials").pk, timezone.now()
    write([row("k" * 32, "yes", now, guide_id)])
    write([row("k" * 32, "no", now + timedelta(seconds=1), guide_id, version=2)])
    assert (Run.objects.get().answers, Run.objects.get().version) == ("yes", 1)


def test_two_states_of_one_run_merge_to_the_newer_with_the_first_start_and_any_reference():
    now = timezone.now()
    first = row("k" * 32, "yes/no/yes/no", now, 1, reference="ABCDE-FGHIJ")
    later = row("k" * 32, "yes", now + timedelta(seconds=2), 1, started_at=now + timedelta(seconds=1))
    for a, b in ((first, later), (later, first)):
        assert merged(a, b) == later | {"started_at": now, "reference": "ABCDE-FGHIJ"}
    handed = first | {"outcome": "escalated"}
    for a, b in ((handed, later), (later, handed)):  # a run handed to support stays so
        assert merged(a, b) == later | {"started_at": now, "reference": "ABCDE-FGHIJ", "outcome": "escalated"}


def test_a_note_sent_before_the_step_was_written_still_finds_its_run(threaded):
    threaded.RUN_WRITE_SECONDS = 30  # the thread will not write in time: the note must
    client = Client()
    client.get(START + "no/fixed/")
    assert writer.pending and not Run.objects.exists()
    started = time.monotonic()
    client.post("/feedback/", {"text": "worked", "next": START + "no/fixed/"})
    assert time.monotonic() - started < 1  # saved with its run at once, waiting for no thread
    run = Run.objects.get()
    assert (run.feedback, run.outcome) == ("worked", "fixed")


def test_runs_wait_while_the_database_is_away_and_are_written_when_it_returns(threaded, monkeypatch, caplog):
    threaded.RUN_WRITE_SECONDS = 30  # this test writes by hand
    failing_once(OperationalError("the database is starting up"), monkeypatch)
    Client().get(START)
    Client().get(START)
    with caplog.at_level(logging.WARNING, logger="troubleshoot.run_writer"):
        assert writer.flush() is False
        assert writer.flush() is True
    assert Run.objects.count() == 2 and not writer.pending
    said = [r.getMessage() for r in caplog.records if r.name == "troubleshoot.run_writer"]
    assert len(said) == 2 and "run writer: database unavailable since " in said[0] and ", 2 runs held" in said[0]
    assert said[1].startswith("run writer: database back after 0 s, 2 runs written")


def test_a_run_the_database_refuses_does_not_hold_back_the_others(threaded, caplog):
    threaded.RUN_WRITE_SECONDS = 30
    Client().get(START)
    with writer.lock:
        writer._keep(row("r" * 32, "", timezone.now(), guide_id=999_999))  # its guide is gone
    with caplog.at_level(logging.ERROR, logger="troubleshoot.run_writer"):
        writer.flush()
    assert Run.objects.count() == 1 and "could not write run rrrrrrrr; dropped" in caplog.text


def test_runs_waiting_for_the_database_are_bounded(threaded, monkeypatch, caplog):
    threaded.RUN_WRITE_SECONDS = 30
    monkeypatch.setattr(run_writer, "MAX_PENDING", 3)
    for _ in range(5):
        Client().get(START)
    assert len(writer.pending) == 3
    with caplog.at_level(logging.WARNING, logger="troubleshoot.run_writer"):
        writer.flush()
    assert Run.objects.count() == 3 and "dropped 2 runs" in caplog.text


def test_a_cookie_from_before_batching_starts_a_new_run(client, shipped):
    from django.core import signing

    from troubleshoot.runs import COOKIE

    earlier = signing.get_cookie_signer(salt=COOKIE + "troubleshoot.run")  # its key random, not timed
    client.cookies[COOKIE] = earlier.sign("a" * 32 + ":login-credentials:1")
    client.get(START)
    assert Run.objects.get().key != "a" * 32


def test_a_walk_continues_with_its_cookie_and_a_forged_one_starts_afresh(client, shipped, settings):
    from troubleshoot.runs import COOKIE

    client.get(START)
    client.get(START + "yes/")
    run = Run.objects.get()
    assert run.answers == "yes"  # the same run, read back from the cookie Django's signer wrote
    key, rest = client.cookies[COOKIE].value.split(":", 1)
    client.cookies[COOKIE] = "f" * 32 + ":" + rest  # another run's key under this cookie's signature
    client.get(START + "no/")
    assert Run.objects.count() == 2 and Run.objects.get(pk=run.pk).answers == "yes"
    settings.SECRET_KEY = "rotated without a fallback"
    client.get(START + "yes/no/")
    assert Run.objects.count() == 3  # an old cookie no longer signs for its walk



def test_a_gunicorn_worker_stopping_writes_the_runs_it_still_holds(tmp_path, tmp_path_factory):
    import sqlite3
    import urllib.request

    from .conftest import gunicorn

    env = {"SQLITE_PATH": str(tmp_path / "db.sqlite3"), "RUN_WRITE_SECONDS": "60"}  # never in time
    with gunicorn(tmp_path_factory, env) as (url, _):
        for _ in range(3):
            urllib.request.urlopen(url + START).read()
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM troubleshoot_run").fetchone()[0] == 3


def test_the_thread_outlives_a_failure_it_did_not_expect(threaded, monkeypatch, caplog):
    failing_once(TypeError("a bug"), monkeypatch)
    with caplog.at_level(logging.ERROR, logger="troubleshoot.run_writer"):
        Client().get(START)
        wait_until_written()
        Client().get(START)
        wait_until_written()
    assert writer.thread.is_alive() and "the run writer failed" in caplog.text
    writer.stop()
    assert Run.objects.count() == 1  # the second walk; the first batch was lost and said so


def test_runs_held_at_a_clean_exit_during_an_outage_are_spooled_and_written_by_the_next_process(
        threaded, monkeypatch, tmp_path, caplog):
    threaded.RUN_WRITE_SECONDS, threaded.RUN_SPOOL_DIR = 30, str(tmp_path)
    real = run_writer.write

    def away(rows):
        raise OperationalError('database "wizard" is not currently accepting connections')

    monkeypatch.setattr(run_writer, "write", away)
    Client().get(START)
    Client().get(START + "yes/")
    with caplog.at_level(logging.WARNING, logger="troubleshoot.run_writer"):
        writer.at_exit()  # gunicorn's restart: the database still away
    assert not writer.pending and len(list(tmp_path.rglob("runs-*.json"))) == 1
    assert "2 runs held kept in" in caplog.text
    monkeypatch.setattr(run_writer, "write", real)
    assert writer.take_up_spooled() == 2  # the next worker, at its start
    assert writer.take_up_spooled() == 0  # taken once only
    writer.flush()
    assert sorted(Run.objects.values_list("answers", flat=True)) == ["", "yes"]
    assert not list(tmp_path.rglob("runs-*"))
