"""Hypothesis strategies for any protobuf message, read off its descriptor.

Values are drawn from the whole range the wire allows (any int64 in a Timestamp,
any int32 in an enum, very long and odd strings), mixed with values shaped like
the bus's own (agency ids, case ids, cursors), so a fuzzed request gets past the
first check often enough to reach the deeper ones.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import strategies as st

F = FieldDescriptor
_INT_RANGES = {
    F.TYPE_INT32: (-(2**31), 2**31 - 1),
    F.TYPE_SINT32: (-(2**31), 2**31 - 1),
    F.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    F.TYPE_ENUM: (
        -(2**31),
        2**31 - 1,
    ),  # proto3 enums are open: any int32 crosses the wire
    F.TYPE_INT64: (-(2**63), 2**63 - 1),
    F.TYPE_SINT64: (-(2**63), 2**63 - 1),
    F.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    F.TYPE_UINT32: (0, 2**32 - 1),
    F.TYPE_FIXED32: (0, 2**32 - 1),
    F.TYPE_UINT64: (0, 2**64 - 1),
    F.TYPE_FIXED64: (0, 2**64 - 1),
}

# Strings shaped like the bus's identifiers and tokens, and some that are only nearly so.
BUS_SHAPED = [
    "gov.ubnd@79", "gov.ubnd@79.26743", "front.mttq@VN", "gov.ubnd@99", "x@", "@",
    "79-0000000000", "00-x", "79", "VN", "dat_dai", "phan_anh", "to_cao", "mttq",
    "ep.1", f"ep.{2**63}", f"ep.{'9' * 400}", "ep.-1", "ep.²",
    "eyJlIjoieCIsInEiOiJ5IiwiayI6WzFlOTk5LCJ4Il19",  # base64 of a token with a 1e999 key
    "r-1", "a" * 129, " ", "\u0000", "\ud7ff", "Đ" * 300,
]  # fmt: skip


def strings() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(BUS_SHAPED),
        st.text(min_size=2000, max_size=5000),
    )


def scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    if field.type in _INT_RANGES:
        low, high = _INT_RANGES[field.type]
        return st.one_of(
            st.integers(low, high),
            st.sampled_from([low, high, 0, 1, -1 if low < 0 else 2]),
        )
    if field.type == F.TYPE_STRING:
        return strings()
    if field.type == F.TYPE_BYTES:
        return st.binary(max_size=64)
    if field.type == F.TYPE_BOOL:
        return st.booleans()
    if field.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        return st.floats(width=32 if field.type == F.TYPE_FLOAT else 64)
    raise NotImplementedError(f"field type {field.type} of {field.full_name}")


def _single(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    if field.type == F.TYPE_MESSAGE:
        return messages(field.message_type, depth + 1)
    return scalar(field)


def _is_map(field: FieldDescriptor) -> bool:
    return field.type == F.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def _field(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    if _is_map(field):
        key, value = (
            field.message_type.fields_by_name["key"],
            field.message_type.fields_by_name["value"],
        )
        return st.dictionaries(scalar(key), _single(value, depth), max_size=3)
    if field.is_repeated:
        return st.lists(_single(field, depth), max_size=3)
    return _single(field, depth)


def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Any]:
    """Instances of the message `descriptor` describes, each field set or left unset."""
    cls = message_factory.GetMessageClass(descriptor)
    if depth > 3:
        return st.just(cls())
    optional = {f.name: _field(f, depth) for f in descriptor.fields}
    return st.fixed_dictionaries({}, optional=optional).map(lambda values: _build(cls, descriptor, values))


def _build(cls: type, descriptor: Descriptor, values: dict[str, Any]) -> Any:
    message = cls()
    for name, value in values.items():
        field = descriptor.fields_by_name[name]
        target = getattr(message, name) if field.type == F.TYPE_MESSAGE or field.is_repeated else None
        if _is_map(field):
            for k, v in value.items():
                if field.message_type.fields_by_name["value"].type == F.TYPE_MESSAGE:
                    target[k].CopyFrom(v)
                else:
                    target[k] = v
        elif field.is_repeated:
            target.extend(value)
        elif field.type == F.TYPE_MESSAGE:
            target.CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


def string_field_paths(descriptor: Descriptor, prefix: str = "", depth: int = 0) -> list[tuple[str, list[int]]]:
    """(dotted path, field numbers from the top) of every string field, nested messages included."""
    found: list[tuple[str, list[int]]] = []
    for field in descriptor.fields:
        path = f"{prefix}{field.name}"
        if field.type == F.TYPE_STRING:
            found.append((path, [field.number]))
        elif field.type == F.TYPE_MESSAGE and depth < 3 and not _is_map(field):
            for sub_path, numbers in string_field_paths(field.message_type, f"{path}.", depth + 1):
                found.append((sub_path, [field.number, *numbers]))
    return found


def encoded_with_bytes_at(numbers: list[int], payload: bytes) -> bytes:
    """Wire bytes of a message whose field path `numbers` holds `payload` (length-delimited)."""
    data = payload
    for number in reversed(numbers):
        data = _varint(number << 3 | 2) + _varint(len(data)) + data
    return data


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)
