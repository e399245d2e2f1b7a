"""Every refusal the case processor can answer a command with reaches the caller as that gRPC code.

The answer travels as a code name in CommandResult (Kafka), becomes the domain
error that declares the code at the node, and crosses gRPC through the one error
mapping: a "case too large" refusal is RESOURCE_EXHAUSTED, not INTERNAL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from gbus.v1 import case_pb2
from support.cases import HANDLER
from support.node_harness import as_agency
from support.scripted_processor import PROCESSOR_REFUSALS, ScriptedProcessor

pytestmark = pytest.mark.integration


def test_each_processor_refusal_reaches_the_caller_with_its_own_code_and_message(bus, start_node):
    node = start_node("79")
    fake = ScriptedProcessor(bus)
    received = {}
    with ThreadPoolExecutor(1) as pool:
        for number, code in enumerate(PROCESSOR_REFUSALS, start=1):
            request = case_pb2.UpdateStatusRequest(
                case_id="79-abcdefabcdefab",
                status=case_pb2.CASE_STATUS_ACCEPTED,
                request_id=f"refused-{code}",
            )
            pending = pool.submit(
                node.cases.UpdateStatus,
                request,
                metadata=as_agency(HANDLER),
                timeout=20,
            )
            fake.answer(
                fake.next_command(expect=number),
                code=code,
                message=f"the processor says {code}",
            )
            with pytest.raises(grpc.RpcError) as info:
                pending.result(timeout=20)
            received[code] = (info.value.code().name, info.value.details())
    assert {code: got for code, (got, _) in received.items()} == {code: code for code in PROCESSOR_REFUSALS}
    assert all(f"the processor says {code}" in details for code, (_, details) in received.items())
