"""Abort the transaction a dead processor left open on the shards this one takes over.

A processor that dies mid-transaction leaves it open; every read_committed reader of the
partitions it wrote (all nodes, and the restore of whoever takes its shards) waits until
the broker aborts it, `kafka.transaction_timeout_ms` after it began. A processor
restarted under the same instance id fences it at once (same transactional id); one that
takes the shards over under another id (a standby, or a restart under a new host name)
used to wait the whole timeout: 20 s of stall in the fault campaign's
processor-sigkill-standby.

So on taking over partitions a processor asks the brokers for the open transactions of
its group's processors (ListTransactions and DescribeTransactions, KIP-664) and fences each
one that (a) writes the case topics' partitions it now owns and (b) belongs to an
instance that is no longer a member of the group (DescribeGroups; static membership makes
the instance id visible there). Fencing is init_transactions() under that transactional
id: the broker bumps its epoch and aborts the open transaction on the spot, as Kafka does
for any zombie. A live member is never fenced, and nothing is done while the group is not
Stable, when the member list cannot be trusted. Any failure here only costs the wait it
tried to save.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from gbus.config import KafkaSettings
from gbus.kafka_io.clients import make_admin, make_producer
from gbus.observability.logging import get_logger
from gbus.processor.transactions import run_bounded
from gbus.topics import Topics

_log = get_logger("gbus.processor.predecessors")

# The check and its fencing usually take well under a second; with a broker frozen they wait
# for its request timeout. Past this bound a takeover goes on without them: the most it can
# then cost is the transaction timeout it tried to save, and never more than this on top.
PREDECESSOR_CHECK_S = 5.0


def transactional_prefix(group_id: str) -> str:
    """What every transactional id of the group's processors starts with: <group>-<instance>."""
    return f"{group_id}-"


def to_fence(
    open_transactions: Mapping[str, Iterable[tuple[str, int]]],
    *,
    prefix: str,
    own_transactional_id: str,
    live_instances: set[str],
    taken: set[tuple[str, int]],
) -> list[str]:
    """Transactional ids to fence: the group's, not ours, of no live member, writing what we took. Pure."""
    chosen: list[str] = []
    for txn_id, partitions in open_transactions.items():
        if txn_id == own_transactional_id or not txn_id.startswith(prefix):
            continue
        if txn_id[len(prefix) :] in live_instances:
            continue
        if taken & set(partitions):
            chosen.append(txn_id)
    return sorted(chosen)


def fence_predecessors(
    kafka: KafkaSettings,
    topics: Topics,
    *,
    group_id: str,
    own_transactional_id: str,
    partitions: set[int],
    timeout_s: float,
) -> list[str]:
    """Fence the open transactions of dead processors on `partitions`; the ids fenced. Never raises.

    Runs on the processing thread, so it never takes longer than `timeout_s`: the admin calls
    ask every broker, and a frozen one answers only at the request timeout. Past the bound
    the check is left to finish (or not) on its own thread and the processor goes on.
    """
    try:
        fenced: list[str] = run_bounded(
            "fence_predecessors",
            lambda: _fence(kafka, topics, group_id, own_transactional_id, partitions, timeout_s),
            timeout_s,
        )
        return fenced
    except Exception as exc:  # noqa: BLE001 - the fallback is the broker's own timeout
        _log.warning("predecessor_check_failed", error=f"{type(exc).__name__}: {exc}")
        return []


def _fence(
    kafka: KafkaSettings, topics: Topics, group_id: str, own: str, partitions: set[int], timeout_s: float
) -> list[str]:
    started = time.monotonic()
    taken = {(topic, p) for p in partitions for topic in (topics.case_state, topics.case_events)}
    open_txns, live, stable = _ask(kafka, group_id, transactional_prefix(group_id), own)
    if not stable:
        _log.info("predecessor_check_skipped", reason="the group is rebalancing; its member list may be partial")
        return []
    chosen = to_fence(open_txns, prefix=transactional_prefix(group_id), own_transactional_id=own,
                      live_instances=live, taken=taken)  # fmt: skip
    fenced: list[str] = []
    for txn_id in chosen:
        remaining_ms = int(max(1.0, timeout_s - (time.monotonic() - started)) * 1000)
        try:
            producer = make_producer(kafka, "fence", transactional_id=txn_id, max_block_ms=remaining_ms)
            try:
                producer.init_transactions()
            finally:
                producer.close(timeout=1)
            fenced.append(txn_id)
        except Exception as exc:  # noqa: BLE001 - as above
            _log.warning("predecessor_fence_failed", transactional_id=txn_id, error=f"{type(exc).__name__}: {exc}")
    if fenced:
        _log.warning("predecessor_transactions_aborted", transactional_ids=fenced, partitions=sorted(partitions),
                     seconds=round(time.monotonic() - started, 3))  # fmt: skip
    return fenced


def _ask(
    kafka: KafkaSettings, group_id: str, prefix: str, own: str
) -> tuple[dict[str, set[tuple[str, int]]], set[str], bool]:
    """(open transactions of the group's processors with their partitions, live instance ids, group stable)."""
    admin = make_admin(kafka, "fence-check")
    try:
        listed = admin.list_transactions(state_filters=["Ongoing"])
        ids = sorted({row.transactional_id for rows in listed.values() for row in rows
                      if row.transactional_id.startswith(prefix) and row.transactional_id != own})  # fmt: skip
        if not ids:
            return {}, set(), True
        described = admin.describe_transactions(ids)
        group = admin.describe_groups([group_id]).get(group_id, {})
    finally:
        admin.close()
    # kafka-python returns {transactional_id: TransactionDescription} with TopicPartition tuples.
    open_txns = {txn_id: {(tp.topic, tp.partition) for tp in d.topic_partitions} for txn_id, d in described.items()}
    live = {str(m.get("group_instance_id")) for m in group.get("members", []) if m.get("group_instance_id")}
    stable = str(group.get("group_state", "")).lower() == "stable" and bool(live)
    return open_txns, live, stable
