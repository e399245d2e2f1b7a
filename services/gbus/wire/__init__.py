"""Conversions between domain objects and wire formats (Avro records, protobuf)."""
