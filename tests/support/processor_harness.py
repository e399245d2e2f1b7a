"""A real case processor on its own thread, for tests that put nodes and a processor on one bus."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gbus.config import ProcessorSettings, Settings
from gbus.observability.metrics import Metrics
from support.polling import wait_until


def processor_settings(kafka: Any, **sections: Any) -> Settings:
    """Settings of a processor alone in a fresh consumer group on `kafka`."""
    return Settings(
        kafka=kafka, processor=ProcessorSettings(group_id=f"g-{uuid.uuid4().hex[:8]}", instance_id="p1"), **sections
    )


@contextmanager
def running_processor(settings: Settings, router: Any, *, poll_timeout_ms: int = 100) -> Iterator[Any]:
    """Start a processor, wait until it owns its partitions, stop it on exit.

    `proc.bus_metrics` is what a test may read of its /metrics.
    """
    from gbus.processor.bootstrap import build_processor

    metrics = Metrics()
    proc = build_processor(settings, in_memory=True, router=router, metrics=metrics)
    proc.bus_metrics = metrics
    proc.start()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: proc.run(stop, poll_timeout_ms=poll_timeout_ms), daemon=True)
    thread.start()
    try:
        wait_until(lambda: proc.ready_partitions, 60, "the processor's partition assignment")
        yield proc
    finally:
        stop.set()
        thread.join(30)
        proc.close()
