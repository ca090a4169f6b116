"""One log line when the database goes away and one when it comes back, however often it is retried.

A worker retrying every half second would otherwise log a traceback each time (about a megabyte a
minute on an idle site) and bury the one line that matters. The first failure of an outage is logged
with the database's own words (a traceback of a refused connection tells nothing more); every later
one is only counted.
"""

import logging
import threading
import time
from datetime import UTC, datetime

from django.db import InterfaceError, OperationalError

# The errors that mean "the database is not answering" rather than "this statement is wrong".
AWAY = (OperationalError, InterfaceError)


class Outage:
    """Whether the database is away, as one loop of one process sees it; logs its start and end once."""

    def __init__(self, logger: logging.Logger, what: str = ""):
        self.log, self.what = logger, what  # `what` names the loop in its lines: "run writer", "worker webhook"
        self.lock = threading.Lock()
        self.since: float | None = None  # time.monotonic() of the first failure, while away
        self.since_wall: datetime | None = None
        self.retries = 0

    @property
    def away(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException, held: str = "") -> bool:
        """Note a failure; True (and one line logged) when it begins an outage. `held`: what waits, e.g. "5 runs held"."""
        with self.lock:
            self.retries += 1
            if self.since is not None:
                return False
            self.since, self.since_wall, self.retries = time.monotonic(), datetime.now(UTC), 0
        said = f"{self.what}: " if self.what else ""
        said += f"database unavailable since {self.since_wall.isoformat(timespec='seconds')}"
        said += f", {held}" if held else ""
        words = " ".join(str(error).split())[:200]
        self.log.warning("%s (%s: %s)", said, type(error).__name__, words)
        return True

    def ok(self, done: str = "") -> float | None:
        """Note a success; the outage's length in seconds (and one line logged) when it ends one."""
        with self.lock:
            if self.since is None:
                return None
            seconds, retries = time.monotonic() - self.since, self.retries
            self.since = self.since_wall = None
        said = f"{self.what}: " if self.what else ""
        said += f"database back after {seconds:.0f} s"
        said += f", {done}" if done else ""
        self.log.warning("%s (%d retries)", said, retries)
        return seconds


def backoff(failures: int, first: float = 0.5, longest: float = 5.0) -> float:
    """Seconds to wait after this many failures in a row: 0.5, 1, 2, 4, then `longest`: a database back is
    found within seconds, and one worker's look a second is no load for one that is starting."""
    return min(longest, first * 2 ** max(0, failures - 1))
