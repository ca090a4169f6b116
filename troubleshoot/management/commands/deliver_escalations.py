"""Send escalations to the configured destinations: a worker thread per destination's queue, beside a
thread that queues again what a killed worker left half-sent and marks its task rows
(troubleshoot/delivery_worker.py). Database outages are waited out, never fatal.

`make run` starts it beside gunicorn and starts it again if it dies; in production run one or more
under a process manager that does the same (the README: systemd's Restart=always, or a container's
restart policy). With no destination configured it has nothing to do, and costs one small query a second.
"""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from troubleshoot import deliveries, delivery_worker


class Command(BaseCommand):
    help = "Deliver escalations to the configured webhook and Zendesk, retrying with back-off."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks for a task to run while there is none (default: 1).")
        parser.add_argument("--batch", action="store_true", help="Run the tasks that are due, then stop.")

    def handle(self, *args, interval: float, batch: bool, verbosity: int, **options):
        if batch:  # tests and one-off runs: django-tasks-db's own loop, once over every queue
            deliveries.requeue_overdue()
            call_command("db_worker", queue_name=",".join(deliveries.queues()), interval=interval, batch=True,
                         reload=False, startup_delay=False, verbosity=verbosity, stdout=self.stdout)
            return
        sys.exit(delivery_worker.serve(interval))
