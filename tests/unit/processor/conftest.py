"""Processor pieces wired as in production, minus Kafka: real codec, router, commands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gbus.cases.commands import CaseCommand, CommandHandler
from gbus.cases.legal_clock import load_legal_clock
from gbus.codec import AvroCodec
from gbus.domain.case import CaseReport
from gbus.processor.dedup_port import IndexKeeper
from gbus.processor.handlers import InputRecord, RecordHandler
from gbus.processor.outputs import Outputs
from gbus.processor.staging import Staging
from gbus.processor.store import CaseStore
from gbus.topics import Topics, node_areas
from gbus.wire.avro_records import command_record, report_record, state_from_snapshot
from support.factories import T0, case_report, directory, router
from support.identity import custodian
from support.processor_fakes import FakeAdapter

CODEC = AvroCodec()
TOPICS = Topics(prefix="t.", partitions=4)


@dataclass
class Kit:
    outputs: Outputs
    adapter: Any  # FakeAdapter in most tests
    index: IndexKeeper
    handler: RecordHandler
    store: CaseStore

    def staging(self) -> Staging:
        return Staging(self.store)

    def commit(self, staging: Staging) -> None:
        self.store.apply(staging.writes())


def new_store() -> CaseStore:
    return CaseStore(":memory:", decode_state=lambda blob: state_from_snapshot(CODEC.decode(blob)))


def make_kit(adapter: Any) -> Kit:
    """A handler over an empty store, deduplicating with `adapter` (a fake, or the real engine)."""
    areas = frozenset(node_areas())
    outputs = Outputs(CODEC, TOPICS, areas)
    index = IndexKeeper(adapter)
    handler = RecordHandler(outputs=outputs, router=router(), commands=CommandHandler(router(), directory(), clock=load_legal_clock()),
                            index=index, known_areas=areas, custodian=custodian(), directory=directory(),
                            clock=load_legal_clock())  # fmt: skip
    return Kit(outputs, adapter, index, handler, new_store())


@pytest.fixture
def kit() -> Kit:
    return make_kit(FakeAdapter())


def report_input(report: CaseReport | None = None, *, offset: int = 0, partition: int | None = None,
                 **overrides: Any) -> InputRecord:  # fmt: skip
    report = report or case_report(**overrides)
    shard = report.province_code or "00"
    value = CODEC.encode(
        "gbus.avro.Report", report_record(report.report, shard=shard, accepted_at=T0, accepted_by="79")
    )
    part = TOPICS.partition_of_shard(shard) if partition is None else partition
    return InputRecord(TOPICS.reports, part, offset, shard.encode(), value)


def command_input(command: CaseCommand, *, reply_to: str = "79", offset: int = 0) -> InputRecord:
    shard = command.case_id.split("-", 1)[0]
    value = CODEC.encode("gbus.avro.Command", command_record(command, shard=shard, reply_to=reply_to))
    return InputRecord(TOPICS.commands, TOPICS.partition_of_shard(shard), offset, shard.encode(), value)
