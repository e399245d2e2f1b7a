"""Keep a group consumer from losing a rebalance that finished after its poll() returned.

kafka-python 3.0.12 runs JoinGroup+SyncGroup as a background task that survives a
poll() which times out, and the next poll() re-awaits it only while `need_rejoin()`
is true. When the rejoin was asked for by the consumer itself (its metadata now shows
partitions it did not assign, or its subscription changed), that condition clears
*inside* the task: the leader's assignment records the metadata it used, the JoinGroup
records the subscription. So if the task finishes after the poll gave up, the next
poll sees nothing to do, the finished task's assignment is never applied, heartbeats
stay disabled, and the member owns nothing until something else forces a rejoin.

Seen in CI and reproduced under CPU load (two cores busy): a processor started a moment
after its topics were created joined before its metadata listed their partitions,
assigned itself nothing, rejoined once the metadata arrived 100 ms later, and that
second join finished after the 100 ms poll returned: no partitions for minutes.

The fix: while a join task is outstanding, the consumer needs to (re)join, so poll()
goes on to await it and apply its result.
"""

from __future__ import annotations

from typing import Any

from kafka.coordinator.consumer import ConsumerCoordinator


class _JoinAwareCoordinator(ConsumerCoordinator):
    def need_rejoin(self) -> bool:
        # `_join_task` is cleared on every outcome that join_group_async consumes; one that
        # is still set is either in flight or finished with a result nobody has applied.
        if self._join_task is not None:
            return True
        return bool(super().need_rejoin())


def guard_joins(consumer: Any) -> Any:
    """Make `consumer`'s group coordinator apply joins that completed after a poll timed out.

    A consumer without a group (manual assignment) is returned untouched. Raises
    RuntimeError on a kafka-python whose coordinator no longer has the shape this
    patch relies on, so that an upgrade cannot silently drop the guard.
    """
    coordinator = getattr(consumer, "_coordinator", None)
    if coordinator is None or getattr(coordinator, "group_id", None) is None:
        return consumer
    if type(coordinator) is not ConsumerCoordinator or not hasattr(coordinator, "_join_task"):
        raise RuntimeError(
            f"kafka-python's group coordinator changed ({type(coordinator).__name__}); "
            "re-check gbus.kafka_io.join_guard against the new release"
        )
    coordinator.__class__ = _JoinAwareCoordinator
    return consumer
