"""Each BusError declares its gRPC code; the wire status and the processor's code names follow it."""

from __future__ import annotations

import grpc
import pytest

from gbus import errors
from gbus.api.error_mapping import code_name_of, error_from_code_name, to_grpc_status
from support.scripted_processor import PROCESSOR_REFUSALS


@pytest.mark.parametrize("code", PROCESSOR_REFUSALS)
def test_a_processor_refusal_code_reaches_the_caller_as_the_same_grpc_code(
    code: str,
) -> None:
    exc = error_from_code_name(code, "the processor said no")
    assert to_grpc_status(exc).code == grpc.StatusCode[code]
    assert code_name_of(exc) == code


def test_a_case_too_large_refusal_is_resource_exhausted_not_internal() -> None:
    exc = error_from_code_name("RESOURCE_EXHAUSTED", "case 79-x would be 9 MB")
    assert isinstance(exc, errors.ResourceExhaustedError)
    assert to_grpc_status(exc).code == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_an_invalid_argument_refusal_names_a_field() -> None:
    exc = error_from_code_name("INVALID_ARGUMENT", "bad status")
    assert isinstance(exc, errors.ValidationError) and exc.violations[0].field == "request"


def test_a_code_name_the_node_does_not_know_is_internal() -> None:
    assert to_grpc_status(error_from_code_name("NO_SUCH_CODE", "x")).code == grpc.StatusCode.INTERNAL


def test_a_subclass_inherits_its_parents_code() -> None:
    assert (
        to_grpc_status(errors.UnroutableError.single("province_code", "unknown")).code
        == grpc.StatusCode.INVALID_ARGUMENT
    )


def test_every_error_class_declares_a_real_grpc_code() -> None:
    for cls in vars(errors).values():
        if isinstance(cls, type) and issubclass(cls, errors.BusError):
            assert cls.grpc_code in grpc.StatusCode.__members__, cls
