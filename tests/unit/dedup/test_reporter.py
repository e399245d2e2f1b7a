"""The keyed reporter hash: one person, one key, whatever the phone format."""

from __future__ import annotations

import pytest

from gbus.dedup.reporter import normalise_phone, reporter_key

SECRET = b"test-secret"


@pytest.mark.parametrize(
    "phone", ["0901234567", "+84 90 123 4567", "84901234567", "(090) 123-4567", "0084 901 234 567", "090.123.4567"]
)
def test_every_way_of_writing_one_mobile_number_gives_one_key(phone):
    assert reporter_key(SECRET, phone=phone) == reporter_key(SECRET, phone="0901234567")


def test_an_old_eleven_digit_mobile_number_maps_to_its_new_number():
    assert normalise_phone("01631234567") == "0331234567"


def test_a_landline_keeps_its_area_code():
    assert normalise_phone("+84 28 3822 1234") == "02838221234"


@pytest.mark.parametrize("junk", ["", "0", "không có", "0000000000", "12345"])
def test_a_placeholder_phone_gives_no_key(junk):
    assert reporter_key(SECRET, phone=junk) is None


def test_the_national_id_is_used_when_there_is_no_phone():
    key = reporter_key(SECRET, national_id="079 085 001 234")
    assert key is not None and key == reporter_key(SECRET, national_id="079085001234")
    assert key != reporter_key(SECRET, phone="0901234567")


def test_the_key_depends_on_the_secret_and_hides_the_number():
    key = reporter_key(SECRET, phone="0901234567")
    assert key != reporter_key(b"other", phone="0901234567")
    assert "0901234567" not in key and len(key) == 64


def test_an_empty_secret_is_refused():
    with pytest.raises(ValueError):
        reporter_key(b"", phone="0901234567")
