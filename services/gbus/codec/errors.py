"""Typed codec failures. A consumer catches CodecError and dead-letters the record."""


class CodecError(Exception):
    """Base: the bytes cannot become a record (or a record cannot become bytes)."""


class CorruptRecordError(CodecError):
    """Bad header, truncated body, trailing bytes or a body the schema cannot read."""


class UnknownSchemaError(CodecError):
    """The fingerprint names no schema version this process knows."""

    def __init__(self, fingerprint: bytes) -> None:
        super().__init__(f"unknown schema fingerprint {fingerprint.hex()}")
        self.fingerprint = fingerprint


class WrongSchemaError(CodecError):
    """A record of another schema arrived where this one was expected."""


class SchemaDefinitionError(CodecError):
    """A .avsc file is not a valid Avro schema."""
