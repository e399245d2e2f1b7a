"""Avro single-object encoding for every record on the bus's topics."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from gbus.codec.errors import CodecError, CorruptRecordError, UnknownSchemaError, WrongSchemaError

if TYPE_CHECKING:
    from gbus.codec.schema_store import SchemaStore, SchemaVersion
    from gbus.codec.single_object import AvroCodec

__all__ = [
    "AvroCodec",
    "CodecError",
    "CorruptRecordError",
    "SchemaStore",
    "SchemaVersion",
    "UnknownSchemaError",
    "WrongSchemaError",
]

# The codec itself (fastavro) loads on first use (PEP 562), so that code which only needs
# the error classes, like the CLI's argument parsing, does not pay for it.
_HOME = {"SchemaStore": "schema_store", "SchemaVersion": "schema_store", "AvroCodec": "single_object"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'gbus.codec' has no attribute {name!r}")
    return getattr(import_module(f"gbus.codec.{_HOME[name]}"), name)
