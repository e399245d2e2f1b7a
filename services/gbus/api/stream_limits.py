"""How many response streams (WatchCases, health watches) a node keeps open at once.

Each open stream holds a thread of the stream pool until it ends, however idle
it is; without a bound, one agency's valid certificate could open streams until
the node runs out of threads or memory. Two bounds: per calling agency, so one
member system cannot take every slot, and in total, which sizes the pool.
Pure: counting only; gbus.api.stream_guard applies it to gRPC calls.
"""

from __future__ import annotations

import threading

from gbus.errors import ResourceExhaustedError, excerpt


class StreamLimitError(ResourceExhaustedError):
    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message)
        self.limit = limit  # "agency" or "total": which bound was reached


class StreamLimits:
    def __init__(self, *, total: int, per_agency: int) -> None:
        if total < 1 or per_agency < 1:
            raise ValueError("stream limits must be at least 1")
        self.total = total
        self.per_agency = per_agency
        self._open: dict[str, int] = {}
        self._open_total = 0
        self._lock = threading.Lock()

    def open_streams(self, agency: str | None = None) -> int:
        with self._lock:
            return self._open_total if agency is None else self._open.get(agency, 0)

    def take(self, agency: str) -> None:
        """Hold one of `agency`'s stream slots (give it back with `give_back`); StreamLimitError,
        holding nothing, when the agency or the node is at its limit."""
        with self._lock:
            held = self._open.get(agency, 0)
            if held >= self.per_agency:
                raise StreamLimitError(
                    f"{excerpt(agency)} already has {held} open streams, the most one agency may hold "
                    f"(grpc.max_streams_per_agency); close one, or resume later from your last cursor",
                    "agency",
                )
            if self._open_total >= self.total:
                raise StreamLimitError(
                    f"this node already serves {self.total} open streams, its limit (grpc.max_streams); "
                    f"retry later from your last cursor",
                    "total",
                )
            self._open[agency] = held + 1
            self._open_total += 1

    def give_back(self, agency: str) -> None:
        with self._lock:
            left = self._open[agency] - 1
            self._open_total -= 1
            if left:
                self._open[agency] = left
            else:
                del self._open[agency]
