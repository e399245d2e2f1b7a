"""Plays the case processor for node tests: reads a command off the commands topic, answers it."""

from __future__ import annotations

from typing import Any

from support.cases import result_bytes
from support.node_harness import CODEC, wait_until

# Every code name the case processor writes into CommandResult.code when it refuses a
# command (gbus.processor.handlers: the domain errors' codes, a misrouted command,
# a case grown too large, a command kind it does not know, a bug).
PROCESSOR_REFUSALS = [
    "INVALID_ARGUMENT",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "ABORTED",
    "FAILED_PRECONDITION",
    "ALREADY_EXISTS",
    "RESOURCE_EXHAUSTED",
    "UNIMPLEMENTED",
    "INTERNAL",
]


class ScriptedProcessor:
    def __init__(self, bus: Any) -> None:
        self.bus = bus

    def next_command(self, expect: int = 1) -> dict:
        records = wait_until(lambda: self.bus.read_all(self.bus.topics.commands, expect=expect, idle_s=0.2)[expect - 1:],
                             what="the command")  # fmt: skip
        return {"partition": records[0].partition, "key": records[0].key,
                **CODEC.decode(records[0].value, expected="gbus.avro.Command")}  # fmt: skip

    def answer(self, command: dict, **result: Any) -> None:
        value = result_bytes(CODEC, command_id=command["command_id"], request_id=command["request_id"],
                             case_id=command["case_id"], reply_to=command["reply_to"], **result)  # fmt: skip
        self.bus.produce(self.bus.topics.command_results_of(command["reply_to"]), value, key=b"79")
