"""Avro single-object encoding for every record on the bus's topics."""

from gbus.codec.errors import CodecError, CorruptRecordError, UnknownSchemaError, WrongSchemaError
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
