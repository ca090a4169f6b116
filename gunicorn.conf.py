"""gunicorn's settings for this project; gunicorn reads this file from the folder it starts in.

Everything else is on the command line (`make run`, the README's production steps).
"""

import signal


def worker_int(worker):
    """A worker told to quit quits once. Ctrl-C in a terminal signals every process of the server: the
    worker gets SIGINT, then the master's SIGQUIT while it is still exiting, which cut short its last
    log line ("Worker exiting") and the run writer's final write. Later signals now do nothing (a
    handler that returns, not SIG_IGN: Python reports a signal already on its way to an ignored
    handler as an error); the master still ends a worker that hangs, with SIGKILL."""
    for quit_signal in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(quit_signal, _already_quitting)


def _already_quitting(signum, frame):
    pass


def post_worker_init(worker):
    """A worker takes up the step records that workers exiting during a database outage spooled
    (troubleshoot/run_writer.py): after a restart (HUP) mid-outage, they are written once it returns."""
    from troubleshoot.run_writer import writer

    writer.watch_spool()
