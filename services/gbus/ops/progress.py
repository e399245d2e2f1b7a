"""A progress bar on stderr: done/total, percentage, rate and time left.

On a terminal it redraws one line; otherwise (a log file, CI) it prints a
plain line at most every `plain_every_s`, so logs do not fill with bars.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 30


def format_progress(done: int, total: int, elapsed_s: float, unit: str = "lines") -> str:
    """`[#########.....]  4,500/10,000  45%  1,234 lines/s  ~4s left`. Pure."""
    fraction = done / total if total else 1.0
    filled = int(BAR_WIDTH * fraction)
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    left = f"~{(total - done) / rate:,.0f}s left" if rate > 0 and done < total else ""
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,}/{total:,} {fraction:4.0%} {rate:,.0f} {unit}/s {left}".rstrip()


class Progress:
    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        plain_every_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self._out = stream or sys.stderr
        self._enabled = enabled
        self._tty = bool(getattr(self._out, "isatty", lambda: False)())
        self._every = 0.1 if self._tty else plain_every_s
        self._clock = clock
        self._started = clock()
        self._last = 0.0
        self._drawn: int | None = None
        self._lock = threading.Lock()

    @property
    def elapsed_s(self) -> float:
        return self._clock() - self._started

    def advance(self, n: int) -> None:
        if n <= 0:
            return
        with self._lock:
            self.done += n
            now = self._clock()
            if now - self._last >= self._every or self.done >= self.total:
                self._last = now
                self._draw()

    def finish(self) -> None:
        with self._lock:
            if self._drawn != self.done:
                self._draw()
            if self._enabled and self._tty:
                self._out.write("\n")
                self._out.flush()

    def _draw(self) -> None:
        if not self._enabled:
            return
        self._drawn = self.done
        text = format_progress(self.done, self.total, self.elapsed_s)
        self._out.write(f"\r{text}\x1b[K" if self._tty else f"{text}\n")
        self._out.flush()
