"""A transaction left open by a processor that is gone does not hold the shards it wrote.

The processor that takes the shards over (another instance id: a standby, a new host)
aborts it on the spot instead of leaving every reader to wait for the broker's
transaction timeout (gbus.processor.predecessors).
"""

from __future__ import annotations

import time

import pytest
from kafka import KafkaProducer
from kafka import errors as kerr

from support.factories import case_report

from .conftest import wait_until

pytestmark = pytest.mark.integration


def _open_transaction_of_a_dead_processor(bus, instance: str) -> KafkaProducer:
    """A processor of the bus's group that wrote half a transaction on shard 79 and died."""
    ghost = KafkaProducer(bootstrap_servers=bus.bootstrap, transactional_id=f"{bus.group}-{instance}",
                          transaction_timeout_ms=300_000, enable_idempotence=True, acks="all")  # fmt: skip
    ghost.init_transactions()
    ghost.begin_transaction()
    ghost.send(bus.topics.case_state, key=b"79/half", value=b"never committed",
               partition=bus.topics.partition_of_shard("79"))  # fmt: skip
    ghost.flush()
    return ghost


def test_a_dead_processors_open_transaction_is_aborted_when_another_instance_takes_its_shards(bus):
    ghost = _open_transaction_of_a_dead_processor(bus, "gone")
    try:
        started = time.monotonic()
        bus.start_processor("p2")
        bus.send_report(case_report())
        # Without the fence, read_committed readers see nothing past the open transaction for 300 s.
        snapshots = wait_until(bus.latest_snapshots, 60, "the case snapshot past the dead transaction")
        assert len(snapshots) == 1 and time.monotonic() - started < 60
        with pytest.raises((kerr.ProducerFencedError, kerr.KafkaError)):
            ghost.commit_transaction()
    finally:
        ghost.close(timeout=1)
