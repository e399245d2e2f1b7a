"""`gbus trace` names, per event, who signed the record and which node vouched for its actor."""

from __future__ import annotations

from gbus.codec import AvroCodec
from gbus.domain.events import Voucher, vouched
from gbus.ops.trace import RawRecord, build_trace, render_trace, trace_dict
from gbus.ops.trace_read import signature_check
from gbus.security.trust import TrustStore
from gbus.wire.avro_records import event_record
from support.cases import opened
from support.factories import router as default_router
from support.signing import PROCESSOR, make_signing_pki, node_signer, signer

CODEC = AvroCodec()
TOPIC = "gbus.case-events"
RECEIPT = Voucher("node:79", "k" * 32, "2026-11-02T08:00:00.000+00:00", "gbus.commands/3@7")


def test_each_event_shows_its_verified_signer_and_voucher_and_a_forged_signature_is_named(tmp_path):
    pki = make_signing_pki(tmp_path)
    state, history = opened(default_router())
    history = vouched(history, RECEIPT)
    key = state.case_id.encode()
    processor = signer(pki.signer_key("processor", PROCESSOR), f"processor:{PROCESSOR}")
    raws = []
    for offset, event in enumerate(history):
        value = CODEC.encode("gbus.avro.CaseEvent", event_record(event))
        by = processor if offset == 0 else node_signer(pki, "79")  # the second one written with a node's key
        raws.append(RawRecord(offset, value, tuple(by.headers(TOPIC, key, value))))
    trace = build_trace(
        state.case_id, "79", TOPIC, 3, CODEC, raws, signer_of=signature_check(TrustStore(pki.root), TOPIC, key)
    )
    assert trace.events[0].signed_by == "processor:p1 (verified)"
    assert trace.events[1].signed_by == "node:79 (NOT VERIFIED: case history must be signed by a processor)"
    assert trace_dict(trace)["events"][0]["vouched_by"] == "node:79 (gbus.commands/3@7)"
    assert "signed by processor:p1 (verified); actor vouched for by node:79 (gbus.commands/3@7)" in "\n".join(
        render_trace(trace)
    )


def test_without_a_trust_directory_the_trace_only_repeats_the_claim_and_says_so():
    state, history = opened(default_router())
    raws = [RawRecord(i, CODEC.encode("gbus.avro.CaseEvent", event_record(e)),
                      (("gbus-signer", b"processor:p1"),) if i == 0 else ()) for i, e in enumerate(history)]  # fmt: skip
    trace = build_trace(state.case_id, "79", TOPIC, 3, CODEC, raws)
    assert [t.signed_by for t in trace.events][:2] == ["processor:p1 (not checked: no trust directory)", "unsigned"]
    assert trace.events[0].vouched_by == "nobody (origin not verified)"
