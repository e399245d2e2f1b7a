"""Avro single-object encoding: `C3 01` + 8-byte CRC-64-AVRO fingerprint + body.

Readers resolve the writer's schema (found by fingerprint) to their own
version, so nodes that upgrade at different times still understand each
other. Serialisation is pure: bytes in, dict out, typed errors on failure.
"""

from __future__ import annotations

import io
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from gbus.codec.errors import CorruptRecordError, UnknownSchemaError, WrongSchemaError
from gbus.codec.schema_store import SchemaStore, SchemaVersion

MAGIC = b"\xc3\x01"
HEADER_LEN = len(MAGIC) + 8


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
        # writer fingerprint -> (writer, reader, the reader schema to hand fastavro, None when it is the
        # writer's), filled on first sight, so a decode does one dict lookup before fastavro. The parsed
        # schemas carry fastavro's marker (gbus.codec.schema_store), so fastavro does not parse them again.
        self._resolution: dict[bytes, tuple[SchemaVersion, SchemaVersion, Any]] = {}

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
        return self._resolve(data)[0]

    def _resolve(self, data: bytes | bytearray | memoryview) -> tuple[SchemaVersion, SchemaVersion, Any]:
        """(writer, reader, fastavro reader schema or None) for an encoded record's header."""
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
        known = (writer, reader, None if reader is writer else reader.parsed)
        self._resolution[fp] = known
        return known

    def decode(self, data: bytes, expected: str | None = None) -> dict[str, Any]:
        """Decode into this process's reader version of the writer's schema.

        `expected` guards against a record of another type on the wrong topic.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise CorruptRecordError(f"expected bytes, got {type(data).__name__}")
        writer, reader, reader_schema = self._resolve(data)
        if expected is not None and writer.name != expected:
            raise WrongSchemaError(f"expected {expected}, got {writer.label}")
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
