"""What a report is about (topic), where (names) and which numbered place."""

from __future__ import annotations

import pytest

from gbus.dedup.features import analyse, from_fingerprint, to_fingerprint


def names(title, description="", province="79", ward="26743"):
    return analyse(title, description, province, ward).names


def test_a_street_after_its_marker_is_a_named_place():
    assert names("Ngập nước trên đường Lê Thánh Tôn sau mưa") == ("street:le thanh ton",)


def test_a_street_typed_without_diacritics_or_capitals_is_the_same_name():
    assert names("dg le thanh ton ngap qua") == ("street:le thanh ton",)


def test_the_reports_own_ward_is_an_address_not_a_place_name():
    assert names("UBND P. Bến Thành chậm cấp phép") == ()
    assert names("Ủy ban nhân dân phường Bến Thành chậm cấp phép") == ()


def test_a_market_named_like_the_ward_is_still_a_place():
    assert names("Rác ở chợ Bến Thành") == ("market:ben thanh",)


def test_a_persons_name_is_never_a_place():
    assert names("Tôi là Nguyễn Thị X., xóm 3 xã Diễn Châu", province="40", ward="17464") == ()
    assert names("Ông Trần Văn Q. trình bày về hồ sơ") == ()


def test_capitalised_agencies_are_not_places():
    assert names("Đề nghị Sở Giáo dục và Liên đoàn Lao động kiểm tra") == ()


def test_a_company_is_a_named_organisation():
    assert "company:may phu thinh" in names("Công ty May Phú Thịnh nợ lương", ward="25978")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("karaoke hẻm 12 Nơ Trang Long", ("alley=12",)),
        ("thửa đất số 215 tờ bản đồ số 9", ("parcel=215", "sheet=9")),
        ("mất nước tổ dân phố 12", ("group=12",)),
        ("trại lợn xóm 5", ("hamlet=5",)),
        ("nhà 79/12 Núi Thành xây vượt tầng", ("alley=79", "house=79/12")),
        ("nộp hồ sơ ngày 14/10, tháng 8/2025", ()),  # dates are not places
        ("mưa to 2 tiếng, ngập 40cm", ()),  # quantities are not places (they are read as facts)
    ],
)
def test_numbered_places_are_read_with_their_class(text, expected):
    numbers = analyse(text, "", "79", "26743").numbers
    assert tuple(n for n in numbers if not n.startswith("qty=")) == expected


def test_quantities_are_read_as_facts_with_one_spelling_per_unit():
    assert analyse("mưa to 2 tiếng, ngập 40 phân", "", "79", "26743").numbers == ("qty=2 gio", "qty=40 cm")
    assert analyse("ngap 40cm", "", "79", "26743").numbers == ("qty=40 cm",)


def test_another_ward_named_in_the_text_is_kept_as_a_mention():
    # Tân Định borders Bến Thành; the report's own ward is its address and is dropped
    numbers = analyse("Ngập đường Hai Bà Trưng", "đoạn giáp phường Tân Định, phường Bến Thành", "79", "26743").numbers
    assert numbers == ("area=tan dinh",)


def test_topic_keeps_content_words_and_drops_formulae():
    topic = analyse("Kính gửi UBND phường. Đề nghị kiểm tra xử lý", "cống thoát nước bị tắc", "79", "26743").topic
    assert topic == ("cong_thoat_nuoc", "tac")


def test_fingerprint_round_trips():
    features = analyse("Ngập đường Lê Lợi", "hẻm 12 cống tắc", "79", "26743")
    assert from_fingerprint(to_fingerprint(features)) == features


def test_a_fingerprint_of_another_version_is_refused():
    with pytest.raises(ValueError):
        from_fingerprint("0|ngap||")
