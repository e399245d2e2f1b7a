"""Stream slots: per agency and per node, given back when a stream ends."""

from __future__ import annotations

import pytest

from gbus.api.stream_limits import StreamLimitError, StreamLimits


def test_an_agency_gets_up_to_its_limit_and_then_a_refusal_naming_the_setting():
    limits = StreamLimits(total=10, per_agency=2)
    limits.take("gov.ubnd@79")
    limits.take("gov.ubnd@79")
    with pytest.raises(StreamLimitError, match="max_streams_per_agency") as info:
        limits.take("gov.ubnd@79")
    assert info.value.limit == "agency" and info.value.grpc_code == "RESOURCE_EXHAUSTED"
    assert limits.open_streams("gov.ubnd@79") == 2


def test_one_agency_at_its_limit_does_not_keep_another_from_streaming():
    limits = StreamLimits(total=10, per_agency=1)
    limits.take("gov.ubnd@79")
    limits.take("front.mttq@79")
    assert limits.open_streams() == 2


def test_the_node_total_bounds_all_agencies_together():
    limits = StreamLimits(total=2, per_agency=5)
    limits.take("a.b@79")
    limits.take("c.d@79")
    with pytest.raises(StreamLimitError, match="grpc.max_streams") as info:
        limits.take("e.f@79")
    assert info.value.limit == "total"


def test_a_refused_take_holds_nothing_and_a_given_back_slot_can_be_taken_again():
    limits = StreamLimits(total=1, per_agency=1)
    limits.take("a.b@79")
    with pytest.raises(StreamLimitError):
        limits.take("c.d@79")
    assert limits.open_streams() == 1 and limits.open_streams("c.d@79") == 0
    limits.give_back("a.b@79")
    limits.take("c.d@79")
    assert limits.open_streams() == 1


def test_a_long_agency_id_is_quoted_short_in_the_refusal():
    limits = StreamLimits(total=5, per_agency=1)
    agency = "x" * 10_000
    limits.take(agency)
    with pytest.raises(StreamLimitError) as info:
        limits.take(agency)
    assert len(info.value.message) < 400
