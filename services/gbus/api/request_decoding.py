"""Request bytes that do not parse become INVALID_ARGUMENT naming the field, not INTERNAL.

grpc answers a request its deserializer cannot parse with INTERNAL "Exception
deserializing request!", which tells the caller neither that the fault is
theirs nor where it is. The usual cause is a string field holding bytes that
are not UTF-8 (proto3 requires UTF-8; the Python runtime refuses to parse such
a message and does not say which field). `decoding()` wraps a deserializer so a
failure yields an `UndecodableRequest` carrying a ValidationError instead of
raising inside grpc; the interceptor raises that error where it is mapped like
any other. The field is found by walking the wire format against the message
descriptor. Pure: protobuf only, no grpc.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from gbus.errors import ValidationError

# Wire types (protobuf encoding spec).
_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5


@dataclass(frozen=True, slots=True)
class UndecodableRequest:
    """Stands in for a request that did not parse; `error` says where and why."""

    error: ValidationError


def decoding(
    deserializer: Callable[[bytes], Any] | None,
) -> Callable[[bytes], Any] | None:
    """`deserializer`, returning an UndecodableRequest instead of raising."""
    if deserializer is None:
        return None
    # Generated code passes `SomeRequest.FromString`: its class names the message.
    message_class = getattr(deserializer, "__self__", None)
    descriptor = getattr(message_class, "DESCRIPTOR", None)

    def decode(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:  # noqa: BLE001 - any parse failure is the caller's malformed input
            return UndecodableRequest(refusal_for(descriptor, data))

    return decode


def refusal_for(descriptor: Descriptor | None, data: bytes) -> ValidationError:
    field = invalid_utf8_field(descriptor, data) if descriptor is not None else None
    if field is not None:
        return ValidationError.single(field, "is not valid UTF-8 (string fields must be UTF-8 text)")
    name = descriptor.full_name if descriptor is not None else "request"
    return ValidationError.single("request", f"is not a well-formed {name} message")


def invalid_utf8_field(descriptor: Descriptor, data: bytes, prefix: str = "") -> str | None:
    """Dotted path of the first string field whose bytes are not UTF-8; None if none
    is found (or the bytes are not even well-formed protobuf)."""
    try:
        return _scan(descriptor, memoryview(data), prefix)
    except (IndexError, ValueError):
        return None


def _scan(descriptor: Descriptor, data: memoryview, prefix: str) -> str | None:
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == _VARINT:
            _, pos = _varint(data, pos)
        elif wire_type == _FIXED64:
            pos += 8
        elif wire_type == _FIXED32:
            pos += 4
        elif wire_type == _LENGTH_DELIMITED:
            size, pos = _varint(data, pos)
            chunk, pos = data[pos : pos + size], pos + size
            if pos > len(data):
                raise ValueError("truncated")
            found = _check_field(descriptor.fields_by_number.get(number), chunk, prefix)
            if found is not None:
                return found
        else:  # groups (deprecated) and unknown wire types: not ours to judge
            raise ValueError(f"wire type {wire_type}")
    return None


def _check_field(field: FieldDescriptor | None, chunk: memoryview, prefix: str) -> str | None:
    if field is None:
        return None
    path = f"{prefix}{field.name}"
    if field.type == FieldDescriptor.TYPE_STRING:
        try:
            bytes(chunk).decode("utf-8")
        except UnicodeDecodeError:
            return path
        return None
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return _scan(field.message_type, chunk, f"{path}.")
    return None


def _varint(data: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift >= 70:
            raise ValueError("varint too long")
