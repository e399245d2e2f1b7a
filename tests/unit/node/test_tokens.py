"""WatchCases cursors and ListCases page tokens: opaque, and refused when foreign."""

from __future__ import annotations

import pytest

from gbus.errors import ValidationError
from gbus.node.tokens import decode_cursor, decode_page_token, encode_cursor, encode_page_token, query_digest


def test_an_empty_cursor_starts_at_the_first_change():
    assert decode_cursor("", "ep1") == 0


def test_a_cursor_round_trips_to_its_position():
    assert decode_cursor(encode_cursor("ep1", 42), "ep1") == 42


def test_a_cursor_from_another_store_is_refused_rather_than_misread():
    with pytest.raises(ValidationError, match="empty cursor"):
        decode_cursor(encode_cursor("ep1", 42), "ep2")


@pytest.mark.parametrize("garbage", ["42", "ep1.", "ep1.-3", "ep1.x"])
def test_a_malformed_cursor_is_invalid_input(garbage):
    with pytest.raises(ValidationError) as info:
        decode_cursor(garbage, "ep1")
    assert info.value.violations[0].field == "cursor"


def test_a_page_token_round_trips_to_the_last_key_of_its_page():
    digest = query_digest({"agency_id": "gov.ubnd@79", "statuses": ["ASSIGNED"]})
    token = encode_page_token("ep1", digest, (1700000000000, "79-abc"))
    assert decode_page_token(token, "ep1", digest) == (1700000000000, "79-abc")
    assert decode_page_token("", "ep1", digest) is None


def test_a_page_token_used_with_other_filters_is_refused():
    token = encode_page_token("ep1", query_digest({"category": "dat_dai"}), (1, "79-a"))
    with pytest.raises(ValidationError, match="other filters"):
        decode_page_token(token, "ep1", query_digest({"category": "y_te"}))


@pytest.mark.parametrize("garbage", ["not-base64!!", "e30", "eyJrIjoxfQ"])
def test_a_forged_or_garbled_page_token_is_invalid_input(garbage):
    with pytest.raises(ValidationError) as info:
        decode_page_token(garbage, "ep1", "d")
    assert info.value.violations[0].field == "page_token"


@pytest.mark.parametrize("position", [str(2**63), "9" * 5000, "²", "٣"])
def test_a_cursor_position_beyond_what_the_store_can_hold_is_invalid_input(position):
    with pytest.raises(ValidationError) as info:
        decode_cursor(f"ep1.{position}", "ep1")
    assert info.value.violations[0].field == "cursor"


def test_the_largest_store_position_is_still_a_cursor():
    assert decode_cursor(f"ep1.{2**63 - 1}", "ep1") == 2**63 - 1


@pytest.mark.parametrize("key", [[2**63, "79-a"], [-(2**64), "79-a"], [float("inf"), "79-a"], [1e300, "79-a"]])
def test_a_page_token_with_a_key_the_store_cannot_hold_is_invalid_input(key):
    import base64
    import json

    digest = query_digest({})
    raw = json.dumps({"e": "ep1", "q": digest, "k": key}).encode()
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with pytest.raises(ValidationError) as info:
        decode_page_token(token, "ep1", digest)
    assert info.value.violations[0].field == "page_token"
