"""Who may speak for whom: a node for the agencies of its area, an operator for ticks."""

from __future__ import annotations

import pytest

from gbus.processor.origin import COMMAND, REPORT, TICK, may_speak_for, metric_node
from gbus.security.trust import VerifiedOrigin


def signed_by(signer: str) -> VerifiedOrigin:
    return VerifiedOrigin(signer, "k" * 32, "2026-12-07T13:00:00+00:00", 1)


@pytest.mark.parametrize(
    "signer, kind, claimed",
    [
        ("node:79", COMMAND, "gov.ubnd@79.26743"),
        ("node:79", REPORT, "front.mttq@79"),
        ("node:VN", COMMAND, "gov.ttcp@VN"),
        ("operator:ops", TICK, "bus"),
    ],
)
def test_a_node_speaks_for_its_own_area_and_an_operator_ticks(signer, kind, claimed):
    assert may_speak_for(signed_by(signer), kind, claimed) is None


@pytest.mark.parametrize(
    "signer, kind, claimed, reply_to, why",
    [
        ("node:01", COMMAND, "gov.ubnd@79.26743", None, "node:01 cannot speak for gov.ubnd@79.26743"),
        ("node:01", REPORT, "front.mttq@79", None, "served by node 79"),
        ("node:79", REPORT, "gov.ttcp@VN", None, "served by node VN"),
        ("node:VN", COMMAND, "gov.ubnd@79", None, "served by node 79"),
        ("node:79", COMMAND, "gov.ubnd@79", "01", "answers to go to node 01"),
        ("node:79", REPORT, "front.mttq@79", "01", "answers to go to node 01"),
        ("node:79", TICK, "bus", None, "must be signed by an operator"),
        ("operator:ops", COMMAND, "gov.ubnd@79", None, "must be signed by a node"),
        ("processor:p1", REPORT, "gov.ubnd@79", None, "must be signed by a node"),
    ],
)
def test_any_other_claim_is_refused_with_the_reason(signer, kind, claimed, reply_to, why):
    problem = may_speak_for(signed_by(signer), kind, claimed, reply_to)
    assert problem is not None and why in problem


def test_the_metric_label_is_bounded_whatever_a_forger_writes_in_the_signer_header():
    areas = frozenset({"79", "01", "VN"})
    assert [metric_node(s, areas) for s in ("node:79", "node:99", "operator:x", "garbage", "")] == [
        "79",
        "unsigned",
        "operator",
        "unsigned",
        "unsigned",
    ]
