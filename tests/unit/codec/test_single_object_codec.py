"""The single-object codec: round trips, exact bytes, schema evolution, typed errors."""

from __future__ import annotations

import io
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gbus.codec import (
    AvroCodec,
    CodecError,
    CorruptRecordError,
    SchemaStore,
    SchemaVersion,
    UnknownSchemaError,
    WrongSchemaError,
)
from gbus.codec.schema_store import DEFAULT_SCHEMA_DIR
from support.avro_strategies import strategy_for

STORE = SchemaStore()
CODEC = AvroCodec(STORE)


def _crc64_avro(data: bytes) -> int:
    """CRC-64-AVRO exactly as the Avro specification writes it out."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for byte in data:
        fp = (fp >> 8) ^ table[(fp ^ byte) & 0xFF]
    return fp


@pytest.mark.parametrize("name", STORE.names())
def test_header_fingerprint_is_the_little_endian_crc64_of_the_canonical_form(name):
    schema = STORE.latest(name)
    expected = _crc64_avro(schema.canonical.encode("utf-8")).to_bytes(8, "little")
    assert schema.fingerprint == expected


@pytest.mark.parametrize("name", STORE.names())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_valid_record_round_trips(name, data):
    record = data.draw(strategy_for(STORE.latest(name).raw))
    encoded = CODEC.encode(name, record)
    assert encoded[:2] == b"\xc3\x01"
    assert encoded[2:10] == STORE.latest(name).fingerprint
    assert CODEC.decode(encoded, expected=name) == record


def test_an_agency_record_encodes_to_exactly_these_bytes():
    record = {
        "agency_id": "gov.ubnd@79",
        "name": "Ủy ban",
        "sector": "gov",
        "role": "ubnd",
        "level": "province",
        "area": "79",
        "superior_id": None,
        "active": True,
    }
    expected = bytes.fromhex(
        "c301"  # single-object magic
        + STORE.latest("gbus.avro.Agency").fingerprint.hex()
        + "16"
        + "gov.ubnd@79".encode().hex()  # zigzag(11) + utf-8
        + "10"
        + "e1bba679206261 6e".replace(" ", "")  # zigzag(8) + "Ủy ban"
        + "06"
        + b"gov".hex()
        + "08"
        + b"ubnd".hex()
        + "10"
        + b"province".hex()
        + "04"
        + b"79".hex()
        + "00"  # union branch 0: null
        + "01"  # true
    )
    assert CODEC.encode("gbus.avro.Agency", record) == expected


def test_union_branches_of_a_command_decode_with_their_record_name():
    now = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
    command = {
        "command_id": "c1",
        "request_id": "r1",
        "case_id": "79-abc",
        "shard": "79",
        "actor": "gov.ubnd@79.26734",
        "issued_at": now,
        "reply_to": "79",
        "expected_version": 3,
        "body": ("gbus.avro.ReopenCase", {"reason": "citizen not satisfied"}),
    }
    decoded = CODEC.decode(CODEC.encode("gbus.avro.Command", command))
    assert decoded["body"] == ("gbus.avro.ReopenCase", {"reason": "citizen not satisfied"})


# --- evolution -----------------------------------------------------------


@pytest.fixture
def evolved_store(tmp_path: Path) -> SchemaStore:
    """A copy of the schemas where Agency has a v2 with one new optional field."""
    root = tmp_path / "schemas"
    shutil.copytree(DEFAULT_SCHEMA_DIR, root)
    v1 = json.loads((root / "gbus.avro.Agency" / "v1.avsc").read_text())
    v2 = dict(v1, fields=v1["fields"] + [{"name": "phone", "type": ["null", "string"], "default": None}])
    (root / "gbus.avro.Agency" / "v2.avsc").write_text(json.dumps(v2))
    return SchemaStore(root)


AGENCY = {
    "agency_id": "front.mttq@01",
    "name": "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố Hà Nội",
    "sector": "front",
    "role": "mttq",
    "level": "province",
    "area": "01",
    "superior_id": "front.mttq@VN",
    "active": True,
}


def test_a_v1_reader_reads_what_a_v2_writer_wrote(evolved_store):
    new_writer = AvroCodec(evolved_store)  # writes v2 (latest)
    old_reader = AvroCodec(evolved_store, reader_versions={"gbus.avro.Agency": 1})
    data = new_writer.encode("gbus.avro.Agency", dict(AGENCY, phone="02438256789"))
    assert data[2:10] == evolved_store.get("gbus.avro.Agency", 2).fingerprint
    assert old_reader.decode(data) == AGENCY  # the unknown field is skipped


def test_a_v2_reader_reads_what_a_v1_writer_wrote(evolved_store):
    old_writer = AvroCodec(evolved_store, writer_versions={"gbus.avro.Agency": 1})
    new_reader = AvroCodec(evolved_store)
    data = old_writer.encode("gbus.avro.Agency", AGENCY)
    assert new_reader.decode(data) == dict(AGENCY, phone=None)  # the default fills in


# --- typed errors, never a crash -------------------------------------------


def test_an_unknown_fingerprint_is_a_typed_error():
    data = b"\xc3\x01" + b"\x01\x02\x03\x04\x05\x06\x07\x08" + b"\x00"
    with pytest.raises(UnknownSchemaError) as info:
        CODEC.decode(data)
    assert info.value.fingerprint == bytes.fromhex("0102030405060708")


@pytest.mark.parametrize(
    "data",
    [b"", b"\xc3", b'{"json": true}', b"\x00\x00\x00\x00\x01\x02"],
    ids=["empty", "half-magic", "json", "confluent-framing"],
)
def test_bytes_without_the_single_object_header_are_corrupt(data):
    with pytest.raises(CorruptRecordError):
        CODEC.decode(data)


def test_a_truncated_body_is_corrupt():
    good = CODEC.encode("gbus.avro.Agency", AGENCY)
    with pytest.raises(CorruptRecordError):
        CODEC.decode(good[:-5])


def test_trailing_garbage_after_the_body_is_corrupt():
    good = CODEC.encode("gbus.avro.Agency", AGENCY)
    with pytest.raises(CorruptRecordError, match="trailing"):
        CODEC.decode(good + b"\x00\x00")


def test_a_record_of_another_schema_is_refused_when_one_is_expected():
    data = CODEC.encode("gbus.avro.Agency", AGENCY)
    with pytest.raises(WrongSchemaError):
        CODEC.decode(data, expected="gbus.avro.Report")


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=200))
def test_random_bodies_behind_a_valid_header_never_crash_the_decoder(body):
    header = b"\xc3\x01" + STORE.latest("gbus.avro.CaseEvent").fingerprint
    try:
        CODEC.decode(header + body)
    except CorruptRecordError:
        pass  # the only acceptable failure


def test_encoding_a_record_missing_a_required_field_is_a_typed_error():
    with pytest.raises(CorruptRecordError):
        CODEC.encode("gbus.avro.Agency", {"agency_id": "gov.ubnd@79"})


# --- every published version, against fastavro's own reading ----------------

ALL_VERSIONS = [(n, v.version) for n in STORE.names() for v in STORE.versions(n)]
OLD_VERSIONS = [(n, v.version) for n in STORE.names() for v in STORE.versions(n)[:-1]]
WRITERS = {(n, v): AvroCodec(STORE, writer_versions={n: v}) for n, v in ALL_VERSIONS}
READERS = {(n, v): AvroCodec(STORE, reader_versions={n: v}) for n, v in ALL_VERSIONS}


def _ids(pairs: list[tuple[str, int]]) -> list[str]:
    return [f"{n.rsplit('.', 1)[-1]}-v{v}" for n, v in pairs]


def _reference_decode(encoded: bytes, writer: SchemaVersion, reader: SchemaVersion) -> object:
    """What fastavro makes of the body with schemas parsed afresh from their files, no codec involved."""
    return fastavro.schemaless_reader(
        io.BytesIO(encoded[10:]),
        fastavro.parse_schema(writer.raw, named_schemas={}),
        fastavro.parse_schema(reader.raw, named_schemas={}),
        return_record_name=True,
        return_record_name_override=True,
    )


@pytest.mark.parametrize(("name", "version"), ALL_VERSIONS, ids=_ids(ALL_VERSIONS))
def test_the_store_hands_fastavro_schemas_it_does_not_parse_again(name, version):
    # Without fastavro's parsed marker every encode and decode parsed the whole schema anew.
    parsed = STORE.get(name, version).parsed
    assert fastavro.parse_schema(parsed) is parsed


@pytest.mark.parametrize(("name", "version"), ALL_VERSIONS, ids=_ids(ALL_VERSIONS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_record_of_any_version_round_trips_through_a_codec_pinned_to_that_version(name, version, data):
    schema = STORE.get(name, version)
    record = data.draw(strategy_for(schema.raw))
    encoded = WRITERS[name, version].encode(name, record)
    assert encoded[2:10] == schema.fingerprint
    assert READERS[name, version].decode(encoded, expected=name) == record
    assert _reference_decode(encoded, schema, schema) == record


@pytest.mark.parametrize(("name", "version"), OLD_VERSIONS, ids=_ids(OLD_VERSIONS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_record_written_with_an_older_version_decodes_into_the_current_shape(name, version, data):
    old, latest = STORE.get(name, version), STORE.latest(name)
    record = data.draw(strategy_for(old.raw))
    encoded = WRITERS[name, version].encode(name, record)

    decoded = CODEC.decode(encoded, expected=name)

    assert set(decoded) == {f["name"] for f in latest.raw["fields"]}
    old_fields = {f["name"]: f for f in old.raw["fields"]}
    for f in latest.raw["fields"]:
        if f["name"] not in old_fields:
            assert decoded[f["name"]] == f["default"], f["name"]  # the new field's default fills in
        elif old_fields[f["name"]]["type"] == f["type"]:
            assert decoded[f["name"]] == record[f["name"]], f["name"]
    assert decoded == _reference_decode(encoded, old, latest)


# --- poison bytes: the codec's error, never another exception ----------------


@pytest.mark.parametrize(("name", "version"), ALL_VERSIONS, ids=_ids(ALL_VERSIONS))
@settings(max_examples=40, deadline=None)
@given(body=st.binary(max_size=300))
def test_random_bodies_behind_any_known_fingerprint_raise_only_the_codec_error(name, version, body):
    header = b"\xc3\x01" + STORE.get(name, version).fingerprint
    try:
        decoded = CODEC.decode(header + body)
    except CorruptRecordError:
        return
    assert isinstance(decoded, dict)  # some bodies are valid records


@pytest.mark.parametrize(("name", "version"), ALL_VERSIONS, ids=_ids(ALL_VERSIONS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_damaged_records_of_any_version_raise_only_the_codec_error(name, version, data):
    record = data.draw(strategy_for(STORE.get(name, version).raw))
    encoded = bytearray(WRITERS[name, version].encode(name, record))
    at = data.draw(st.integers(0, len(encoded) - 1))
    damage = data.draw(st.sampled_from(["cut", "flip", "insert"]))
    if damage == "cut":
        encoded = encoded[:at]
    elif damage == "flip":
        encoded[at] ^= data.draw(st.integers(1, 255))
    else:
        encoded[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    try:
        decoded = CODEC.decode(bytes(encoded))
    except CodecError:
        return
    assert isinstance(decoded, dict)  # a flipped byte inside a string, say, still reads


# --- the generated body readers against fastavro -----------------------------


class _FastavroOnlyStore(SchemaStore):
    """The same schemas with no generated readers: the codec reads every body with fastavro."""

    def body_reader(self, version: SchemaVersion) -> None:
        return None


FASTAVRO_STORE = _FastavroOnlyStore()
FASTAVRO_READERS = {(n, v): AvroCodec(FASTAVRO_STORE, reader_versions={n: v}) for n, v in ALL_VERSIONS}


def _outcome(codec: AvroCodec, encoded: bytes) -> str:
    """The decoded record's repr (so a damaged double that became NaN compares equal), or "corrupt"."""
    try:
        return repr(codec.decode(encoded))
    except CorruptRecordError:
        return "corrupt"


@pytest.mark.parametrize(("name", "version"), ALL_VERSIONS, ids=_ids(ALL_VERSIONS))
def test_every_published_version_has_a_generated_body_reader(name, version):
    assert STORE.body_reader(STORE.get(name, version)) is not None


@pytest.mark.parametrize(("name", "version"), ALL_VERSIONS, ids=_ids(ALL_VERSIONS))
@settings(max_examples=40, deadline=None)
@given(body=st.binary(max_size=300))
def test_the_generated_reader_accepts_and_refuses_the_same_random_bodies_as_fastavro(name, version, body):
    encoded = b"\xc3\x01" + STORE.get(name, version).fingerprint + body
    assert _outcome(READERS[name, version], encoded) == _outcome(FASTAVRO_READERS[name, version], encoded)


@pytest.mark.parametrize(("name", "version"), ALL_VERSIONS, ids=_ids(ALL_VERSIONS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_generated_reader_reads_damaged_records_as_fastavro_does(name, version, data):
    record = data.draw(strategy_for(STORE.get(name, version).raw))
    encoded = bytearray(WRITERS[name, version].encode(name, record))
    at = data.draw(st.integers(10, len(encoded) - 1))  # in the body: the header picks the reader
    encoded[at] ^= data.draw(st.integers(1, 255))
    assert _outcome(READERS[name, version], bytes(encoded)) == _outcome(FASTAVRO_READERS[name, version], bytes(encoded))
