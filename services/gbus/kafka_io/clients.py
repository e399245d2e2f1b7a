"""Kafka client factories. All settings that matter for correctness live here.

- Producers are idempotent with acks=all: a record is acknowledged only once
  every in-sync replica has it (min.insync.replicas=2 on a 3-broker cluster).
- Consumers never auto-commit: offsets are committed after the effect, inside
  the producer's transaction where there is one.
- Consumers of transactional output read committed records only.
- Every client authenticates as KafkaSettings says (SASL/SCRAM on a secure cluster).
"""

from __future__ import annotations

from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from gbus.config import KafkaSettings
from gbus.kafka_io import connect_guard
from gbus.kafka_io.join_guard import guard_joins

# Every client the bus makes gives a silent broker seconds, not the whole timeout (see the module).
connect_guard.install()


def _common(settings: KafkaSettings, client_id: str) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "client_id": f"{settings.client_id}-{client_id}",
        "request_timeout_ms": settings.request_timeout_ms,
        "metadata_max_age_ms": settings.metadata_max_age_ms,
        **settings.client_security(),
    }


# A transaction's records are invisible until it commits, and its commit flushes them
# (TransactionalProducer.commit), so lingering adds no latency there: it only decides how
# many requests carry them. With 16 KiB batches and 5 ms, a 500-record transaction of case
# copies (~5 KiB each) filled a batch every few records; kafka-python then wakes its
# sender on every send() (a second batch queued for the partition counts as "full") and
# sends many small requests: 1.2-1.8 ms of the sender thread's CPU per report, competing
# for the GIL with the processing thread. Half-MiB batches and a 100 ms linger: ~0.4 ms
# (bench/bench_processor.py --kafka). 512 KiB stays under the broker's default
# message.max.bytes (1 MiB), which the small topics (results, dead letters) keep.
# Compression stays off: lz4 is not a dependency, and on a broker next door gzip costs
# more CPU than the bytes it saves.
TRANSACTIONAL_BATCHING: dict[str, Any] = {"linger_ms": 100, "batch_size": 512 * 1024}


def make_producer(
    settings: KafkaSettings, client_id: str, *, transactional_id: str | None = None, **extra: Any
) -> KafkaProducer:
    return KafkaProducer(**producer_config(settings, client_id, transactional_id=transactional_id, **extra))


def producer_config(
    settings: KafkaSettings, client_id: str, *, transactional_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The settings make_producer gives KafkaProducer; `extra` overrides them."""
    config: dict[str, Any] = {
        **_common(settings, client_id),
        "acks": "all",
        "enable_idempotence": True,
        # Small batches, short linger: latency matters more than throughput here,
        # and a backfill still reaches thousands of records per second.
        "linger_ms": 5,
        "max_in_flight_requests_per_connection": 5,
        "retries": 2**31 - 1,
        "delivery_timeout_ms": settings.delivery_timeout_ms,
    }
    if transactional_id:
        config["transactional_id"] = transactional_id
        config["transaction_timeout_ms"] = settings.transaction_timeout_ms
        config.update(TRANSACTIONAL_BATCHING)
    config.update(extra)
    return config


def make_consumer(settings: KafkaSettings, client_id: str, *, group_id: str | None, **extra: Any) -> KafkaConsumer:
    config: dict[str, Any] = {
        **_common(settings, client_id),
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "max_poll_records": 500,
        # A processor restoring a large shard may not poll for a while.
        "max_poll_interval_ms": 300_000,
        "session_timeout_ms": settings.session_timeout_ms,
        # Three heartbeats per session, as Kafka recommends: one lost beat does not drop a member.
        "heartbeat_interval_ms": max(1_000, settings.session_timeout_ms // 3),
    }
    config.update(extra)
    return guard_joins(KafkaConsumer(**config))


def group_member_request_timeout_ms(settings: KafkaSettings) -> int:
    """The request timeout of a consumer that is a group member: half its session at most.

    kafka-python 3.0.12's heartbeat thread awaits each heartbeat's response before it looks at
    the session clock again, so a coordinator that stops answering (a frozen or cut-off broker)
    is noticed only when the heartbeat's request times out. With the 10 s request timeout of
    deploy/config and a 6 s session, the member was found 10 s later, by which time the new
    coordinator had expired its session: a rejoin and a full restore of its shards (about 10 s
    more in the fault campaign's broker freeze). Half a session leaves a second heartbeat time
    to reach the new coordinator before the session ends.
    """
    return max(1_000, min(settings.request_timeout_ms, settings.session_timeout_ms // 2))


def make_admin(settings: KafkaSettings, client_id: str, **extra: Any) -> KafkaAdminClient:
    return KafkaAdminClient(**{**_common(settings, client_id), **extra})


def close_quietly(consumer: KafkaConsumer, log: Any, event: str) -> None:
    """Close a consumer that may be broken; a failure is logged as `event`, never raised.

    For the side clients (lag, positions) that are thrown away after an error and made
    again on next use: whatever went wrong, the client is gone either way.
    """
    try:
        consumer.close(autocommit=False)
    except Exception as exc:  # noqa: BLE001
        log.warning(event, error=f"{type(exc).__name__}: {exc}")
