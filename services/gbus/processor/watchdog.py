"""A watchdog for the processing thread: crash-only when a step outlives its deadline.

Every Kafka call on the processor's path has its own deadline, but those deadlines
are enforced by code we do not own (kafka-python). If one of them still hangs, a
processor that sits on its partitions forever is the worst outcome: nothing moves,
SIGTERM is not acted on, and its /metrics thread keeps answering, so an alert on
"processor down" never fires. The watchdog turns that into a crash: the process
exits with EXIT_WATCHDOG, its supervisor (systemd, `gbus run`) starts it again, and
a restart with the same instance id fences the old transactional producer and
restores from Kafka. Nothing is lost: only committed state is ever acted on.

The processing thread arms a guard around each step (`with watchdog.guard(...)`);
a daemon thread checks the armed guard once a second. A stop request (SIGTERM) that
the processing thread does not honour within `stop_grace_s` ends the process too.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gbus.observability.logging import get_logger

_log = get_logger("gbus.processor.watchdog")

# EX_SOFTWARE from sysexits.h: an internal failure, restart me.
EXIT_WATCHDOG = 70


@dataclass(frozen=True)
class Expiry:
    step: str
    overdue_s: float
    reason: str


def log_expiry(expiry: Expiry) -> None:
    """The reaction inside another program (tests, benchmarks): say so, go on."""
    _log.critical("watchdog_expired", step=expiry.step, overdue_s=round(expiry.overdue_s, 1), reason=expiry.reason)


def exit_process(expiry: Expiry) -> None:
    """The reaction of `gbus processor`: log, then leave at once (no cleanup can be trusted now)."""
    log_expiry(expiry)
    print(f"gbus processor: watchdog: {expiry.reason}; exiting for a restart", file=sys.stderr, flush=True)
    os._exit(EXIT_WATCHDOG)


class Watchdog:
    def __init__(
        self,
        *,
        stop: threading.Event | None = None,
        stop_grace_s: float = 30.0,
        on_expire: Callable[[Expiry], None] = exit_process,
        clock: Callable[[], float] = time.monotonic,
        check_every_s: float = 1.0,
    ) -> None:
        self._stop = stop
        self._stop_grace_s = stop_grace_s
        self._on_expire = on_expire
        self._clock = clock
        self._check_every_s = check_every_s
        self._lock = threading.Lock()
        self._armed: tuple[str, float] | None = None  # (step, deadline)
        self._stop_seen_at: float | None = None
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self.expired: Expiry | None = None

    @contextmanager
    def guard(self, step: str, limit_s: float) -> Iterator[None]:
        """Arm for one step of the processing thread; steps do not nest."""
        with self._lock:
            self._armed = (step, self._clock() + limit_s)
        try:
            yield
        finally:
            with self._lock:
                self._armed = None

    def check(self) -> Expiry | None:
        """One look; calls on_expire (once) and returns the expiry when a deadline has passed."""
        now = self._clock()
        with self._lock:
            armed = self._armed
        expiry: Expiry | None = None
        if armed is not None and now > armed[1]:
            expiry = Expiry(armed[0], now - armed[1], f"step {armed[0]!r} passed its deadline")
        if self._stop is not None and self._stop.is_set() and armed is not None:
            if self._stop_seen_at is None:
                self._stop_seen_at = now
            elif now - self._stop_seen_at > self._stop_grace_s and expiry is None:
                expiry = Expiry(armed[0], now - self._stop_seen_at - self._stop_grace_s,
                                f"stop requested {self._stop_grace_s:.0f} s ago, still inside {armed[0]!r}")  # fmt: skip
        if expiry is not None and self.expired is None:
            self.expired = expiry
            self._on_expire(expiry)
        return expiry

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._watch, name="processor-watchdog", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=self._check_every_s * 2)
            self._thread = None

    def _watch(self) -> None:
        while not self._closed.wait(self._check_every_s):
            self.check()
