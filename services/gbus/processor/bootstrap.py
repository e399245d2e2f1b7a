"""Wiring: Settings -> a ready-to-start CaseProcessor. The only place that builds clients."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kafka import KafkaConsumer
from kafka.coordinator.assignors.range import RangePartitionAssignor

from gbus.cases.commands import CommandHandler
from gbus.cases.legal_clock import legal_clock_from_settings
from gbus.codec import AvroCodec
from gbus.config import Settings
from gbus.kafka_io.clients import group_member_request_timeout_ms, make_consumer, make_producer
from gbus.observability.metrics import Metrics
from gbus.processor.dedup_port import DedupAdapter, IndexKeeper
from gbus.processor.directory_changes import LiveRouting
from gbus.processor.handlers import RecordHandler
from gbus.processor.history_reader import KafkaHistoryReader
from gbus.processor.loop import CaseProcessor, utc_now
from gbus.processor.origin import OriginGate
from gbus.processor.outputs import Outputs
from gbus.processor.predecessors import PREDECESSOR_CHECK_S, fence_predecessors, transactional_prefix
from gbus.processor.store import CaseStore
from gbus.processor.transactions import TransactionalProducer
from gbus.processor.watchdog import Watchdog
from gbus.security.provisioning import custodian_from_settings, record_signer_from_settings, trust_from_settings
from gbus.security.public_defaults import refuse_public_defaults
from gbus.topics import MAX_CASE_RECORD_BYTES, Topics, node_areas, topic_specs
from gbus.wire.avro_records import state_from_snapshot

if TYPE_CHECKING:
    from gbus.routing import Router


def default_instance_id() -> str:
    """Stable across restarts of the same host, so a restart fences its own predecessor."""
    return socket.gethostname().split(".", 1)[0] or "processor"


def transactional_id(group_id: str, instance_id: str) -> str:
    return transactional_prefix(group_id) + instance_id


def build_processor(
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    dedup: DedupAdapter | None = None,
    in_memory: bool = False,
    clock: Callable[[], datetime] = utc_now,
    router: Router | None = None,
    watchdog: Watchdog | None = None,
) -> CaseProcessor:
    refuse_public_defaults(settings, role="processor")
    kafka, conf = settings.kafka, settings.processor
    group_id = conf.group_id
    instance_id = conf.instance_id or default_instance_id()
    topics = Topics(prefix=kafka.topic_prefix, partitions=kafka.partitions)
    codec = AvroCodec()
    if router is None:
        from gbus.routing import Router

        router = Router.default()
    # Decisions use the directory in force: administrative changes (directory.changes_file) apply at ticks.
    live = LiveRouting(router, settings.directory.changes_file or None, now=clock())
    directory = live.directory
    if dedup is None:
        from gbus.processor.dedup_bridge import default_adapter

        dedup = default_adapter()
    areas = frozenset(node_areas())
    # Signed history: with a processor signing certificate configured, what it writes is signed.
    outputs = Outputs(codec, topics, areas, record_signer_from_settings(settings.security))
    index = IndexKeeper(dedup)
    legal_clock = legal_clock_from_settings(settings.legal_clock)
    # A limit may run into next year: without that year's holidays, refuse to start.
    this_year = clock().year
    legal_clock.calendar.require_years(this_year, this_year + 1)
    handler = RecordHandler(
        outputs=outputs,
        router=live.router,
        commands=CommandHandler(live.router, directory, clock=legal_clock),
        index=index,
        known_areas=areas,
        custodian=custodian_from_settings(settings.security),
        directory=directory,
        clock=legal_clock,
        gate=OriginGate(trust_from_settings(settings.security, role="processor"), areas),
        directory_changes=live,
    )
    path: str | Path = ":memory:" if in_memory else Path(conf.data_dir) / f"{instance_id}.sqlite3"
    # Restore reads only case-state; a restored case's events are read when it is next changed.
    store = CaseStore(path, decode_state=lambda blob: state_from_snapshot(codec.decode(blob)),
                      history_source=KafkaHistoryReader(kafka, topics, codec))  # fmt: skip
    # A fresh process owns nothing yet; whatever a previous run left is rebuilt on assignment.
    store.drop_all()
    client_id = f"processor-{instance_id}"
    txn_id = transactional_id(group_id, instance_id)
    txn_timeout_s = conf.transaction_step_timeout_s
    producer = TransactionalProducer(
        # Room for the largest case record a topic accepts (gbus.topics.MAX_CASE_RECORD_BYTES).
        # max_block_ms bounds init_transactions() and metadata waits in send() by the same
        # deadline as a commit: nothing on the processing thread waits longer.
        lambda: make_producer(
            kafka,
            client_id,
            transactional_id=txn_id,
            max_request_size=MAX_CASE_RECORD_BYTES + 64 * 1024,
            max_block_ms=int(txn_timeout_s * 1000),
        ),  # fmt: skip
        timeout_s=txn_timeout_s,
        output_topics=[s.name for s in topic_specs(topics) if s.name not in (topics.reports, topics.commands)],
    )

    def consumer() -> KafkaConsumer:
        # Range assignment gives reports-p and commands-p to the same member (same
        # partition counts, same subscription): one writer per shard depends on it.
        # (A leader that assigns before its topics' partitions are in its metadata rejoins when
        # they arrive; gbus.kafka_io.join_guard makes sure that second join is applied.)
        # Static membership (group.instance.id = the instance id): a processor restarted under
        # its id takes its shards back at once, with no rebalance and no wait for the dead
        # member's session to expire (10 s in the fault campaign's processor-sigkill). The
        # price: a processor stopped for good keeps its shards until its session expires.
        # Its requests time out within half a session, so a silent coordinator is left in time
        # to keep the membership (clients.group_member_request_timeout_ms says why).
        return make_consumer(
            kafka, client_id, group_id=group_id, group_instance_id=instance_id,
            partition_assignment_strategy=(RangePartitionAssignor,),
            request_timeout_ms=group_member_request_timeout_ms(kafka),
        )  # fmt: skip

    return CaseProcessor(
        kafka=kafka,
        topics=topics,
        group_id=group_id,
        instance_id=instance_id,
        make_consumer=consumer,
        producer=producer,
        store=store,
        handler=handler,
        outputs=outputs,
        index=index,
        metrics=metrics or Metrics(),
        clock=clock,
        batch_seconds=conf.transaction_batch_s,
        # A transaction (sends + commit), or a recovery (abort + a new producer's
        # init_transactions), each bounded by the timeout above, with room to spare.
        step_limit_s=3 * txn_timeout_s,
        watchdog=watchdog,
        # Never joins the group: it only reads end and committed offsets for the lag gauge.
        make_lag_consumer=lambda: make_consumer(kafka, f"{client_id}-lag", group_id=group_id),
        fence_predecessors=lambda partitions: fence_predecessors(
            kafka,
            topics,
            group_id=group_id,
            own_transactional_id=txn_id,
            partitions=partitions,
            timeout_s=min(txn_timeout_s, PREDECESSOR_CHECK_S),
        ),  # fmt: skip
    )
