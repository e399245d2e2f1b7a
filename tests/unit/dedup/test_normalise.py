"""Vietnamese normalisation: one folded form for every way of typing a word."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gbus.dedup.normalise import fold, normalise

TABLE = [
    # diacritics, đ, case, NFC/NFD and old/new tone placement
    ("Ủy ban nhân dân phường Bến Thành", "uy ban nhan dan phuong ben thanh"),
    ("UBND P. Ben Thanh", "uy ban nhan dan phuong ben thanh"),
    ("ĐƯỜNG Lê Lợi", "duong le loi"),
    ("Thuỷ Nguyên / Thủy Nguyên", "thuy nguyen thuy nguyen"),
    ("Đ. Nguyễn Huệ", "duong nguyen hue"),
    ("Q.1, p12, TP.HCM", "quan 1 phuong 12 thanh pho ho chi minh"),
    ("KP 3, tdp 7", "khu pho 3 to dan pho 7"),
    # SMS spellings
    ("ko dc ai giup, k biet lm sao", "khong duoc ai giup khong biet lam sao"),
    ("ng dan buc xuc vs cq", "nguoi dan buc xuc voi co quan"),
    ("nc ngap r, wa troi", "nuoc ngap roi qua troi"),
    # units glued to numbers, thousand separators
    ("ngập 40cm, thu 30.000 đồng", "ngap 40 cm thu 30000 dong"),
    ("nợ 4tr, ung 500k, 12h dem", "no 4 trieu ung 500 nghin 12 gio dem"),
    ("45m2 đất", "45 m2 dat"),
    # synonyms across regions and registers become one concept
    ("cúp điện cả ngày", "mat_dien ca ngay"),
    ("mất điện cả ngày", "mat_dien ca ngay"),
    ("trại lợn / trai heo", "trai lon trai lon"),
    ("mưa lớn", "mua_lon"),
    ("chậm trả lương 3 tháng", "no_luong 3 thang"),
    ("giấy chứng nhận quyền sử dụng đất", "so_do"),
    ("đèn chiếu sáng công cộng hỏng", "den_duong hu"),
    # a person's initial is dropped, "P." before a name is phường
    ("ông Nguyễn Văn K. nói", "ong nguyen van noi"),
    ("house 88/5 Nơ Trang Long", "house 88/5 no trang long"),
]


@pytest.mark.parametrize("text, expected", TABLE)
def test_normalise_folds_every_spelling_to_one_form(text, expected):
    assert normalise(text) == expected


def test_fold_strips_tone_marks_and_maps_d_stroke():
    assert fold("Đắk Lắk") == "dak lak"


def test_decomposed_and_composed_unicode_normalise_alike():
    import unicodedata

    text = "Phường Bến Thành ngập nước"
    assert normalise(unicodedata.normalize("NFD", text)) == normalise(text)


@given(st.text(alphabet=st.sampled_from(list("abcdeđươăâêôơư áàảãạ ÁÀ.,/0123456789 kgmhtrpq")), max_size=80))
def test_normalising_twice_changes_nothing(text):
    once = normalise(text)
    assert normalise(once) == once
