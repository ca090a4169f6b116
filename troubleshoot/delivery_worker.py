"""The worker behind `manage.py deliver_escalations`: django-tasks-db's, one thread per destination's
queue, living through database outages.

django-tasks-db's own loop stops on the first OperationalError that is not SQLite's "locked": a
database away for a second ended the worker for good, and escalations queued afterwards stayed
pending. Here each thread waits such errors out with back-off (0.5 s doubling to 5 s), says so once
per outage (troubleshoot/outage.py), and goes on. Each thread notes in DeliveryWorker when it last
looked for work, at most every BEAT_SECONDS: /healthz/deliveries/ answers from it. A housekeeping
thread queues again deliveries whose lease lapsed, marks failed the task rows that killed workers
left "Running", and says once which pending deliveries wait for a destination not configured here.
"""

import logging
import os
import signal
import socket
import threading
import time
from datetime import timedelta

from django.db import OperationalError, close_old_connections, connection
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import deliveries, destinations
from .models import Delivery, DeliveryWorker
from .outage import AWAY, Outage, backoff

log = logging.getLogger(__name__)
BEAT_SECONDS = 5.0  # how often a worker notes that it is looking for work
SETTING = {destinations.WEBHOOK: "ESCALATION_WEBHOOK_URL", destinations.ZENDESK: "ZENDESK_URL"}


def stopped_after() -> float:
    """Seconds without a look for work after which a worker is taken for gone: well past a beat and an attempt."""
    return max(60.0, 3 * deliveries.lease())


class WorkerStopped(Exception):
    """The worker running a task stopped before it finished; the delivery's lease lapses and it is queued again."""


def _close() -> None:
    try:
        connection.close()  # a broken connection is opened afresh on the next query
    except Exception:  # noqa: BLE001 - closing a connection to a database that is gone may fail any way
        pass


class QueueWorker(Worker):
    """django-tasks-db's worker on one queue: its task running as it is, its loop our own."""

    def __init__(self, queue: str, interval: float, stopping: threading.Event, outage: Outage):
        name = f"{socket.gethostname()[:24]}:{os.getpid()}:{queue}"[:64]
        super().__init__(queue_names=[queue], interval=interval, batch=False, backend_name="default",
                         startup_delay=False, max_tasks=None, worker_id=name, excluded_queue_names=[])
        self.queue, self.stopping, self.outage = queue, stopping, outage
        self.beaten = 0.0  # time.monotonic() of the last beat written
        self.unfinished: DBTaskResult | None = None  # a task whose end could not be written

    def run(self) -> None:
        failures, last_error = 0, ""
        while not self.stopping.is_set():
            try:
                task = self.take()
            except AWAY as error:
                failures += 1
                self.outage.failed(error)
                _close()
                self.stopping.wait(backoff(failures))
                continue
            except Exception as error:  # a bug must not end the thread: the deliveries would stop unseen
                failures += 1
                if str(error) != last_error:
                    log.exception("delivery worker %s: could not look for work; trying again with back-off", self.queue)
                last_error = str(error)
                _close()
                self.stopping.wait(backoff(failures))
                continue
            if failures:
                self.outage.ok()
                failures, last_error = 0, ""
            if task is None:
                self.stopping.wait(self.interval)
                continue
            try:
                self.run_task(task)  # records the task's end itself; raises only if it cannot
            except AWAY as error:
                self.unfinished = task
                failures += 1
                self.outage.failed(error)
                _close()

    def take(self) -> DBTaskResult | None:
        """The next due task of this queue, claimed for this worker; None if there is none."""
        close_old_connections()  # a connection the outage broke is checked and replaced here
        if self.unfinished is not None:
            self.unfinished.set_failed(WorkerStopped("the database went away while it ran; its delivery is sent "
                                                     "again when its lease lapses"))
            self.unfinished = None
        self.beat()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name, queue_name=self.queue)
        with exclusive_transaction(tasks.db):
            try:
                task = tasks.get_locked()
            except OperationalError as error:
                if is_locked_database_exception(error):  # SQLite busy: as django-tasks-db does, try again later
                    return None
                raise
            if task is not None:
                task.claim(self.worker_id)
        return task

    def beat(self) -> None:
        now = time.monotonic()
        if now - self.beaten < BEAT_SECONDS:
            return
        at = timezone.now()
        if not DeliveryWorker.objects.filter(name=self.worker_id).update(polled_at=at):
            DeliveryWorker.objects.create(name=self.worker_id, queue=self.queue, started_at=at, polled_at=at)
        self.beaten = now


def mark_stopped() -> int:
    """Task rows left "Running" by workers that no longer look for work (killed): failed, saying why; how many."""
    cutoff = timezone.now() - timedelta(seconds=stopped_after())
    alive = set(DeliveryWorker.objects.filter(polled_at__gte=cutoff).values_list("name", flat=True))
    count = 0
    for task in DBTaskResult.objects.running().filter(queue_name__startswith=deliveries.QUEUE, started_at__lt=cutoff):
        worker = task.worker_ids[-1] if task.worker_ids else "unknown"
        if worker not in alive:
            task.set_failed(WorkerStopped(f"worker {worker} stopped before this task finished"))
            count += 1
    DeliveryWorker.objects.filter(polled_at__lt=timezone.now() - timedelta(days=1)).delete()
    if count:
        log.warning("marked %d task rows failed: the workers running them stopped", count)
    return count


def say_what_waits() -> None:
    """Once at start: the pending deliveries no worker here can send, and the setting they wait for."""
    waiting = (Delivery.objects.filter(status=Delivery.Status.PENDING).exclude(destination__in=destinations.configured())
               .values("destination").annotate(count=Count("id")))
    for row in waiting:
        log.warning("%d deliveries to %s stay pending: %s is not set for this worker", row["count"],
                    row["destination"], SETTING.get(row["destination"], "its destination"))


def housekeeping(stopping: threading.Event, outage: Outage) -> None:
    """Every lease: deliveries left half-sent queued again, killed workers' tasks marked; through outages."""
    failures, said = 0, False
    while True:
        try:
            close_old_connections()
            if not said:
                say_what_waits()
                said = True
            deliveries.requeue_overdue()
            mark_stopped()
            failures, wait = 0, deliveries.lease()
            outage.ok()
        except AWAY as error:
            failures += 1
            outage.failed(error)
            _close()
            wait = backoff(failures)
        except Exception:  # noqa: BLE001 - logged; the next round tries again
            failures += 1
            log.exception("delivery housekeeping failed; trying again")
            wait = backoff(failures, longest=deliveries.lease())
        if stopping.wait(wait):
            return


def serve(interval: float) -> int:
    """Run a worker per queue and the housekeeping until SIGTERM or SIGINT; the exit status."""
    stopping, outage = threading.Event(), Outage(log, "delivery worker")

    def stop(signum, frame):
        if stopping.is_set():  # a second signal: do not wait for an attempt under way
            os._exit(1)
        log.info("%s: stopping after the attempts under way", signal.strsignal(signum))
        stopping.set()

    for quit_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(quit_signal, stop)
    workers = [QueueWorker(queue, interval, stopping, outage) for queue in deliveries.queues()]
    threads = [threading.Thread(target=w.run, name=w.queue) for w in workers]
    threads.append(threading.Thread(target=housekeeping, args=(stopping, outage), name="housekeeping", daemon=True))
    for thread in threads:
        thread.start()
    log.info("delivering escalations to %s from queues %s", ", ".join(destinations.configured()) or "no destination",
             ", ".join(deliveries.queues()))
    while not stopping.is_set():
        stopping.wait(0.5)
        if not all(t.is_alive() for t in threads):  # cannot happen by design; if it does, let the supervisor restart us
            log.error("a delivery worker thread ended; exiting so that the process is started again")
            os._exit(1)
    for thread in threads[:-1]:
        thread.join()
    return 0
