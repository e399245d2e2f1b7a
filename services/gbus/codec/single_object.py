"""Avro single-object encoding: `C3 01` + 8-byte CRC-64-AVRO fingerprint + body.

Readers resolve the writer's schema (found by fingerprint) to their own
version, so nodes that upgrade at different times still understand each
other. Serialisation is pure: bytes in, dict out, typed errors on failure.
"""

from __future__ import annotations

import io
from typing import Any, NamedTuple, cast

from fastavro import schemaless_reader, schemaless_writer

from gbus.codec.errors import CorruptRecordError, UnknownSchemaError, WrongSchemaError
from gbus.codec.fast_reader import BodyReader
from gbus.codec.schema_store import SchemaStore, SchemaVersion

MAGIC = b"\xc3\x01"
HEADER_LEN = len(MAGIC) + 8


class _Resolution(NamedTuple):
    """How the bodies of one writer's schema are read."""

    writer: SchemaVersion
    reader: SchemaVersion
    # The reader's schema for fastavro's resolution; None when the reader is the writer.
    reader_schema: Any
    # Generated code for the writer's own schema (gbus.codec.fast_reader), else fastavro reads.
    body_reader: BodyReader | None


class AvroCodec:
    """Encodes with one chosen version per schema and decodes any known version.

    `writer_versions` pins the version this process writes (default: latest);
    `reader_versions` pins the version it reads into (default: latest). Pinning
    is how a node that has not upgraded yet is simulated in tests.
    """

    def __init__(
        self,
        store: SchemaStore | None = None,
        *,
        writer_versions: dict[str, int] | None = None,
        reader_versions: dict[str, int] | None = None,
    ) -> None:
        self.store = store or SchemaStore()
        self._writer: dict[str, SchemaVersion] = {}
        self._reader: dict[str, SchemaVersion] = {}
        for name in self.store.names():
            wv = (writer_versions or {}).get(name)
            rv = (reader_versions or {}).get(name)
            self._writer[name] = self.store.get(name, wv) if wv else self.store.latest(name)
            self._reader[name] = self.store.get(name, rv) if rv else self.store.latest(name)
        # writer fingerprint -> how to read its bodies, filled on first sight.
        self._resolution: dict[bytes, _Resolution] = {}

    def encode(self, name: str, record: dict[str, Any]) -> bytes:
        schema = self._writer.get(name)
        if schema is None:
            raise WrongSchemaError(f"no schema named {name}")
        buf = io.BytesIO()
        buf.write(MAGIC)
        buf.write(schema.fingerprint)
        try:
            schemaless_writer(buf, schema.parsed, record, strict_allow_default=True)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            raise CorruptRecordError(f"cannot encode {schema.label}: {exc}") from exc
        return buf.getvalue()

    def peek_schema(self, data: bytes) -> SchemaVersion:
        """The writer's schema of an encoded record, without decoding the body."""
        return self._resolve(data).writer

    def _resolve(self, data: bytes | bytearray | memoryview) -> _Resolution:
        """How to read the body of an encoded record, from its header."""
        if len(data) < HEADER_LEN or data[:2] != MAGIC:
            raise CorruptRecordError("not Avro single-object encoding (missing C3 01 header)")
        fp = bytes(data[2:HEADER_LEN])
        known = self._resolution.get(fp)
        if known is not None:
            return known
        writer = self.store.by_fingerprint(fp)
        if writer is None:
            raise UnknownSchemaError(fp)
        reader = self._reader.get(writer.name, writer)
        if reader is writer:
            known = _Resolution(writer, reader, None, self.store.body_reader(writer))
        else:
            known = _Resolution(writer, reader, reader.parsed, None)  # resolution stays with fastavro
        self._resolution[fp] = known
        return known

    def decode(self, data: bytes, expected: str | None = None) -> dict[str, Any]:
        """Decode into this process's reader version of the writer's schema.

        `expected` guards against a record of another type on the wrong topic.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise CorruptRecordError(f"expected bytes, got {type(data).__name__}")
        writer, reader, reader_schema, body_reader = self._resolve(data)
        if expected is not None and writer.name != expected:
            raise WrongSchemaError(f"expected {expected}, got {writer.label}")
        if body_reader is not None:
            try:
                record, end = body_reader(data if isinstance(data, bytes) else bytes(data), HEADER_LEN)
            except Exception as exc:  # whatever bad bytes make the generated code raise
                raise CorruptRecordError(f"corrupt {writer.label} body: {exc!r}") from exc
            if end != len(data):
                raise CorruptRecordError(f"{len(data) - end} trailing bytes after {writer.label} body")
            return cast(dict[str, Any], record)
        stream = io.BytesIO(data)
        stream.seek(HEADER_LEN)
        try:
            record = schemaless_reader(
                stream,
                writer.parsed,
                reader_schema,
                # Unions of several records (event bodies, command bodies) decode
                # as (full_name, record) tuples, the same form encode() accepts,
                # so a branch is never guessed from its fields.
                return_record_name=True,
                return_record_name_override=True,
            )
        except (EOFError, ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError, OverflowError) as exc:
            raise CorruptRecordError(f"corrupt {writer.label} body: {exc!r}") from exc
        except Exception as exc:  # fastavro's resolution errors have no shared base
            raise CorruptRecordError(f"cannot read {writer.label} as {reader.label}: {exc}") from exc
        if stream.tell() != len(data):
            raise CorruptRecordError(f"{len(data) - stream.tell()} trailing bytes after {writer.label} body")
        if not isinstance(record, dict):
            raise CorruptRecordError(f"{writer.label} body is not a record")
        return record
