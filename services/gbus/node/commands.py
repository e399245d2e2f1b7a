"""Commands from this node to the case processor, and waiting for its answer.

A command goes to `commands` (partition of the case's shard) with
reply_to = this node's area; the processor answers on `command-results.<area>`,
a topic only this node may read, which a background consumer reads from the moment
the node started. Waiters are keyed by command_id, which is derived from
(actor, request_id): a retry is the same command, and a second waiter for
it is answered by the same result.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafka import TopicPartition
from kafka.errors import KafkaError

from gbus.api.error_mapping import error_from_code_name
from gbus.cases.commands import CaseCommand
from gbus.codec import AvroCodec, CodecError
from gbus.errors import DeadlineError, UnavailableError
from gbus.observability.logging import get_logger
from gbus.security.trust import RecordRefused, TrustStore
from gbus.topics import Topics
from gbus.wire.avro_records import command_record

COMMAND_SCHEMA = "gbus.avro.Command"
RESULT_SCHEMA = "gbus.avro.CommandResult"
_POLL_MS = 100


def command_id_of(actor: str, request_id: str) -> str:
    return "C" + hashlib.sha256(f"{actor}\x1f{request_id}".encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class CommandResult:
    command_id: str
    case_id: str
    code: str
    message: str
    case_version: int
    new_case_id: str | None


class _Waiter:
    __slots__ = ("done", "result")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: CommandResult | None = None


class CommandGateway:
    def __init__(
        self,
        *,
        producer: Any,
        consumer_factory: Callable[[], Any],
        topics: Topics,
        codec: AvroCodec,
        area: str,
        trust: TrustStore | None = None,
    ) -> None:
        self._producer = producer
        self._consumer_factory = consumer_factory
        self._topics = topics
        self._codec = codec
        self._area = area
        # Answers must be processor-signed (None: development, unverified): whoever else can write
        # this topic must not be able to tell a member system its command was applied or refused.
        self._trust = trust
        self._tp = TopicPartition(topics.command_results_of(area), 0)
        self._waiters: dict[str, list[_Waiter]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._log = get_logger("gbus.node.commands", node=area)

    def start(self) -> None:
        consumer = self._consumer_factory()
        consumer.assign([self._tp])
        # Results of commands sent before this start have no waiter; begin at the end,
        # and resolve the position now so no result of a later command is missed.
        consumer.seek_to_end(self._tp)
        consumer.position(self._tp, timeout_ms=30_000)  # bounded: a broker that is down fails the start
        self._thread = threading.Thread(
            target=self._run, args=(consumer,), name=f"command-results-{self._area}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def execute(self, command: CaseCommand, *, shard: str, timeout_s: float) -> CommandResult:
        """Send and wait for the processor's answer; raise its error, or DeadlineError."""
        waiter = _Waiter()
        with self._lock:
            self._waiters.setdefault(command.command_id, []).append(waiter)
        deadline = time.monotonic() + timeout_s
        try:
            self._send(command, shard, timeout_s)
            if not waiter.done.wait(max(deadline - time.monotonic(), 0.0)):
                raise DeadlineError(
                    f"the case processor did not answer within {timeout_s:g}s; the command may still be applied. "
                    f"It is safe to retry with the same request_id {command.request_id!r}"
                )
        finally:
            with self._lock:
                waiting = self._waiters.get(command.command_id, [])
                if waiter in waiting:
                    waiting.remove(waiter)
                if not waiting:
                    self._waiters.pop(command.command_id, None)
        result = waiter.result
        assert result is not None
        if result.code != "OK":
            raise error_from_code_name(result.code, result.message or f"the case processor refused: {result.code}")
        return result

    def _send(self, command: CaseCommand, shard: str, timeout_s: float) -> None:
        value = self._codec.encode(COMMAND_SCHEMA, command_record(command, shard=shard, reply_to=self._area))
        try:
            self._producer.send(
                self._topics.commands,
                key=shard.encode("ascii"),
                value=value,
                partition=self._topics.partition_of_shard(shard),
            ).get(timeout=timeout_s)
        except KafkaError as exc:
            raise UnavailableError(
                f"Kafka is not reachable ({type(exc).__name__}); retry with the same request_id {command.request_id!r}"
            ) from exc

    def _run(self, consumer: Any) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    for records in consumer.poll(timeout_ms=_POLL_MS).values():
                        for record in records:
                            self._deliver(record)
                except Exception as exc:  # noqa: BLE001 - a dead reader would time out every command
                    self._log.error("command_results_poll_failed", error=str(exc), exc_info=exc)
                    self._stopping.wait(1.0)
        finally:
            consumer.close()

    def _signed_by_processor(self, trust: TrustStore, record: Any) -> bool:
        try:
            trust.verify_processor_record("a command answer", record.topic, record.key, record.value, record.headers)
        except RecordRefused as exc:
            self._log.error("command_result_refused", offset=record.offset, reason=exc.reason)
            return False
        return True

    def _deliver(self, record: Any) -> None:
        if self._trust is not None and not self._signed_by_processor(self._trust, record):
            return  # its waiter, if any, times out: DEADLINE_EXCEEDED, safe to retry
        try:
            rec = self._codec.decode(record.value, expected=RESULT_SCHEMA)
        except CodecError as exc:
            self._log.error("command_result_undecodable", offset=record.offset, error=str(exc))
            return
        if rec["reply_to"] != self._area:
            return  # not ours: only a topic writer with the processor's rights could have put it here
        result = CommandResult(
            command_id=rec["command_id"],
            case_id=rec["case_id"],
            code=rec["code"],
            message=rec.get("message", ""),
            case_version=rec.get("case_version", 0),
            new_case_id=rec.get("new_case_id"),
        )
        with self._lock:
            waiting = list(self._waiters.get(result.command_id, ()))
        for waiter in waiting:
            waiter.result = result
            waiter.done.set()
