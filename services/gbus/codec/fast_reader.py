"""Avro bodies read by Python code generated once per schema version.

fastavro's reader walks the schema for every record, one `read(1)` call per
varint byte and a chain of type-name comparisons per value; for a CaseSnapshot
that is most of its decode time. A schema version never changes once published,
so the walk can be done once: `compile_reader` turns a parsed schema into the
source of a function that reads the body's bytes straight through, with each
field's type already decided.

It builds exactly what fastavro's `schemaless_reader(..., return_record_name=True,
return_record_name_override=True)` builds when the reader's schema is the
writer's (tests/unit/codec compare the two on generated and on random bytes).
Schema resolution between versions stays with fastavro, as do the types no
bus schema uses (maps, enums, fixed, other logical types): `compile_reader`
returns None for those schemas. Bytes that are not a valid body raise some
exception, which the codec turns into CorruptRecordError, as it does fastavro's.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

BodyReader = Callable[[bytes, int], tuple[Any, int]]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
_MAX_VARINT_BYTES = 10  # a 64-bit long never takes more


class Unsupported(Exception):
    """The schema uses a type the generated readers do not cover."""


def read_long(buf: bytes, pos: int) -> tuple[int, int]:
    """A zig-zag varint at `pos` (any length up to 10 bytes): (value, position after it)."""
    b = buf[pos]
    n = b & 0x7F
    shift = 7
    end = pos + _MAX_VARINT_BYTES
    pos += 1
    while b & 0x80:
        if pos >= end:
            raise ValueError("varint longer than 10 bytes")
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
    n &= 0xFFFF_FFFF_FFFF_FFFF  # as fastavro's unsigned 64-bit accumulator keeps it
    return (n >> 1) ^ -(n & 1), pos


def _short(buf: bytes, pos: int, size: int) -> None:
    raise EOFError(f"expected {size} bytes at {pos}, the body has {len(buf) - pos}")


class _Generator:
    def __init__(self, named: dict[str, Any]) -> None:
        self._named = named
        self._functions: dict[str, str] = {}  # full record name -> generated function name
        self._sources: list[str] = []
        self._counter = 0

    def var(self, stem: str) -> str:
        self._counter += 1
        return f"{stem}{self._counter}"

    def record_function(self, schema: dict[str, Any]) -> str:
        name = schema["name"]
        known = self._functions.get(name)
        if known is not None:
            return known
        fn = f"_record_{len(self._functions)}"
        self._functions[name] = fn  # before the fields: a record may refer to itself
        lines = [f"def {fn}(buf, pos):"]
        fields = []
        for field in schema["fields"]:
            target = self.var("f")
            lines += self.value(field["type"], target, 1)
            fields.append(f"{field['name']!r}: {target}")
        lines.append(f"    return {{{', '.join(fields)}}}, pos")
        self._sources.append("\n".join(lines))
        return fn

    def value(self, schema: Any, target: str, depth: int) -> list[str]:
        """Lines (indented `depth` levels) that read one value of `schema` into `target`."""
        pad = "    " * depth
        if isinstance(schema, list):
            return self.union(schema, target, depth)
        if isinstance(schema, str):
            if schema in _PRIMITIVES:
                return self.primitive(schema, target, depth)
            if schema not in self._named:
                raise Unsupported(f"unknown named type {schema}")
            schema = self._named[schema]
        kind = schema["type"]
        logical = schema.get("logicalType")
        if logical is not None:
            if kind == "long" and logical == "timestamp-millis":
                millis = self.var("ms")
                return [
                    *self.primitive("long", millis, depth),
                    f"{pad}{target} = _EPOCH + _timedelta(microseconds={millis} * 1000)",
                ]
            raise Unsupported(f"logical type {logical}")
        if kind in _PRIMITIVES:
            return self.primitive(kind, target, depth)
        if kind == "record":
            return [f"{pad}{target}, pos = {self.record_function(schema)}(buf, pos)"]
        if kind == "array":
            count, item = self.var("n"), self.var("item")
            return [
                f"{pad}{target} = []",
                *self.primitive("long", count, depth),
                f"{pad}while {count}:",
                f"{pad}    if {count} < 0:",  # a block with its size in bytes, which is not needed
                f"{pad}        {count} = -{count}",
                f"{pad}        _, pos = _read_long(buf, pos)",
                f"{pad}    for _ in range({count}):",
                *self.value(schema["items"], item, depth + 2),
                f"{pad}        {target}.append({item})",
                *self.primitive("long", count, depth + 1),
            ]
        raise Unsupported(f"type {kind}")

    def primitive(self, kind: str, target: str, depth: int) -> list[str]:
        pad = "    " * depth
        if kind == "null":
            return [f"{pad}{target} = None"]
        if kind == "boolean":
            return [f"{pad}{target} = buf[pos] != 0", f"{pad}pos += 1"]
        if kind in ("int", "long"):
            # One byte covers small numbers, lengths, counts and union indexes: no call for those.
            return [
                f"{pad}{target} = buf[pos]",
                f"{pad}if {target} < 0x80:",
                f"{pad}    {target} = ({target} >> 1) ^ -({target} & 1)",
                f"{pad}    pos += 1",
                f"{pad}else:",
                f"{pad}    {target}, pos = _read_long(buf, pos)",
            ]
        if kind == "double":
            return [f"{pad}{target}, = _unpack_double(buf, pos)", f"{pad}pos += 8"]
        if kind == "float":
            return [f"{pad}{target}, = _unpack_float(buf, pos)", f"{pad}pos += 4"]
        if kind in ("bytes", "string"):
            size, end = self.var("size"), self.var("end")
            convert = ".decode()" if kind == "string" else ""
            return [
                *self.primitive("long", size, depth),
                f"{pad}{end} = pos + {size}",
                f"{pad}if {size} < 0 or {end} > len(buf):",  # fastavro: EOFError
                f"{pad}    _short(buf, pos, {size})",
                f"{pad}{target} = buf[pos:{end}]{convert}",
                f"{pad}pos = {end}",
            ]
        raise Unsupported(f"type {kind}")

    def union(self, branches: list[Any], target: str, depth: int) -> list[str]:
        pad = "    " * depth
        index = self.var("i")
        names = [self._record_name(b) for b in branches]
        # As fastavro with return_record_name(_override): a record branch comes with its name
        # unless it is the union's only record (named references count as records there too).
        tagged = sum(name is not None for name in names) > 1
        lines = [
            *self.primitive("long", index, depth),
            f"{pad}if {index} < 0:",  # fastavro indexes the branch list, so -1 is the last branch
            f"{pad}    {index} += {len(branches)}",
        ]
        for i, (branch, name) in enumerate(zip(branches, names, strict=True)):
            lines.append(f"{pad}{'if' if i == 0 else 'elif'} {index} == {i}:")
            lines += self.value(branch, target, depth + 1)
            if tagged and name is not None:
                lines.append(f"{pad}    {target} = ({name!r}, {target})")
        lines += [f"{pad}else:", f"{pad}    raise IndexError(f'union branch {{{index}}} of {len(branches)}')"]
        return lines

    def _record_name(self, branch: Any) -> str | None:
        if isinstance(branch, dict) and branch.get("type") == "record":
            return str(branch["name"])
        if isinstance(branch, str) and branch not in _PRIMITIVES:
            named = self._named.get(branch)
            if named is None or named.get("type") != "record":
                raise Unsupported(f"union branch {branch}")
            return str(named["name"])
        if isinstance(branch, dict) and branch.get("type") in ("enum", "fixed"):
            raise Unsupported(f"union branch of type {branch['type']}")
        return None

    def module(self, top: str) -> str:
        return "\n\n".join([*self._sources, f"def read_body(buf, pos):\n    return {top}(buf, pos)"])


def compile_reader(parsed: dict[str, Any]) -> BodyReader | None:
    """A function reading one body of the parsed record schema at a position of a bytes
    object: (record, position after it). None if the schema uses a type it does not cover."""
    if not isinstance(parsed, dict) or parsed.get("type") != "record":
        return None
    named = dict(parsed.get("__named_schemas", {}))
    gen = _Generator(named)
    try:
        top = gen.record_function(parsed)
    except Unsupported:
        return None
    namespace: dict[str, Any] = {
        "_EPOCH": _EPOCH,
        "_timedelta": timedelta,
        "_read_long": read_long,
        "_short": _short,
        "_unpack_double": struct.Struct("<d").unpack_from,
        "_unpack_float": struct.Struct("<f").unpack_from,
    }
    exec(compile(gen.module(top), f"<avro reader {parsed['name']}>", "exec"), namespace)  # noqa: S102
    reader: BodyReader = namespace["read_body"]
    return reader
