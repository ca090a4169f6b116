"""Send escalations to the configured destinations: django-tasks-db's worker on the deliveries queue,
beside a thread that queues again what a killed worker left half-sent (deliveries.requeue_overdue).

`make run` starts it beside gunicorn; in production run one or more, under a process manager. With
no destination configured it has nothing to do, and costs one small query a second.
"""

import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection

from troubleshoot import deliveries


class Command(BaseCommand):
    help = "Deliver escalations to the configured webhook and Zendesk, retrying with back-off."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks for a task to run while there is none (default: 1).")
        parser.add_argument("--batch", action="store_true", help="Run the tasks that are due, then stop.")

    def handle(self, *args, interval: float, batch: bool, verbosity: int, **options):
        deliveries.requeue_overdue()
        if not batch:
            threading.Thread(target=self.watch, name="requeue-overdue", daemon=True).start()
        call_command("db_worker", queue_name=deliveries.QUEUE, interval=interval, batch=batch, reload=False,
                     startup_delay=False, verbosity=verbosity, stdout=self.stdout)

    def watch(self) -> None:
        while True:  # a daemon thread: it ends with the worker
            time.sleep(deliveries.lease())
            try:
                deliveries.requeue_overdue()
            except DatabaseError:
                self.stderr.write("Could not look for deliveries left half-sent; trying again later.")
            finally:
                connection.close()  # this thread's own; the worker's is another
