"""Who writes a report and how: frames per voice, and the chat typing style.

Each voice wraps a problem phrasing ({b}, or {bl} starting lower case) and a
request ({a}) the way that writer does: a clerk's summary, a 1022 operator's
transcript, a long letter, a Front voter-meeting summary, a union report, an
angry social post, a Zalo message, or a follow-up citing an earlier report.
"""

from __future__ import annotations

import random
import re

from gbus.dedup.normalise import fold

# voice -> channels it arrives through
CHANNELS: dict[str, tuple[str, ...]] = {
    "clerk": ("cong_dvc", "app_cong_dan", "tiep_cong_dan"),
    "hotline": ("hotline_1022",),
    "chat": ("zalo", "app_cong_dan", "mang_xa_hoi"),
    "letter": ("buu_chinh", "tiep_cong_dan", "cong_dvc"),
    "front": ("mttq",),
    "union": ("cong_doan",),
    "social": ("mang_xa_hoi",),
    "cite": ("cong_dvc", "buu_chinh", "zalo", "hotline_1022"),
}

FRAMES: dict[str, tuple[str, ...]] = {
    "clerk": (
        "Công dân phản ánh: {b} Đề nghị cơ quan chức năng {a}.",
        "Nội dung: {b} Người dân kiến nghị {a}.",
        "Qua Cổng dịch vụ công, người dân cho biết {bl} Kiến nghị: {a}.",
        "Tóm tắt: {b} Yêu cầu {a}.",
        "Bộ phận tiếp công dân ghi nhận: công dân đến trình bày {bl} và đề nghị {a}.",
    ),
    "hotline": (
        "Người gọi đến tổng đài 1022 lúc {hh} giờ {mm} cho biết {bl} Người gọi đề nghị {a}. Tổng đài viên đã ghi nhận.",
        'Tổng đài 1022 nhận cuộc gọi: "{b}" Người dân mong {a}.',
        "Cuộc gọi {hh}h{mm}: công dân bức xúc phản ánh {bl} Đề nghị {a}, xin phản hồi qua điện thoại.",
        "[Ghi âm 1022] Dạ em chào anh chị, em gọi báo là {bl} Mong bên mình {a} giúp ạ.",
    ),
    "chat": (
        "{b}",
        "alo phuong oi, {b}. lam on {a}",
        "{b} ... moi ng giup voi",
        "gui ubnd: {b}. de nghi {a} som",
    ),
    "letter": (
        "Kính gửi: {to}.\nTôi tên là {name}, hiện cư trú tại {home}. Tôi làm đơn này trình bày sự việc như sau: {b} {extra} Vì vậy, tôi kính đề nghị quý cơ quan {a}. Tôi xin cam đoan nội dung trên là đúng sự thật. Trân trọng.",
        "ĐƠN KIẾN NGHỊ\nKính gửi: {to}.\nChúng tôi gồm các hộ dân đang sinh sống tại {home}, cùng ký tên dưới đây. {b} {extra} Chúng tôi đã nhiều lần phản ánh bằng miệng nhưng chưa được giải quyết. Kính mong {a}. Xin chân thành cảm ơn.",
        "Kính thưa các đồng chí lãnh đạo,\nTôi là {name}, {age} tuổi, sống ở {home} đã hơn hai mươi năm. Hôm nay tôi viết thư này vì không thể chịu đựng thêm nữa. {b} {extra} Tôi mong các đồng chí quan tâm, {a}. Kính thư.",
    ),
    "front": (
        "Tại hội nghị tiếp xúc cử tri ngày {date}, cử tri phản ánh: {b} Cử tri kiến nghị {a}.",
        "Ban Thường trực Ủy ban MTTQ tổng hợp ý kiến nhân dân: {bl} Đề nghị chính quyền {a}.",
        "Qua giám sát tại địa bàn, Mặt trận ghi nhận {bl} Mặt trận kiến nghị {a}.",
    ),
    "union": (
        "Công đoàn cơ sở báo cáo: {b} Công đoàn đề nghị {a} để bảo vệ quyền lợi đoàn viên.",
        "Liên đoàn Lao động nhận được phản ánh của đoàn viên: {bl} Kiến nghị {a}.",
        "Tổ công đoàn tổng hợp ý kiến người lao động: {b} Đề nghị các cơ quan {a}.",
    ),
    "social": (
        "Bức xúc quá mọi người ơi!!! {b} Không biết chính quyền có biết không??? #phananh",
        "[CẦN LAN TỎA] {b} Mong các cơ quan chức năng vào cuộc, {a}!",
        "Thêm một ngày khổ sở: {b} Share cho nhiều người biết với!",
    ),
    "cite": (
        "Ngày {date}, tôi đã phản ánh về việc {cited} nhưng đến nay chưa được xử lý. {b} Đề nghị {a}.",
        "Tiếp theo phản ánh trước đây (ngày {date}) về {cited}: tình hình không cải thiện. {b}",
        "Lần thứ hai tôi gửi phản ánh về {cited}. {b} Mong {a}, đừng để người dân chờ mãi.",
    ),
}

TITLE_STYLES: dict[str, tuple[str, ...]] = {
    "clerk": ("{t}",),
    "hotline": ("Phản ánh qua 1022: {t}", "{t}"),
    "chat": ("{tc}", ""),
    "letter": ("Đơn {kind_word} về việc {tl}", "{t}"),
    "front": ("Ý kiến cử tri: {t}", "Tổng hợp ý kiến: {tl}"),
    "union": ("Báo cáo của công đoàn: {tl}", "{t}"),
    "social": ("{t}!!!", "{T}"),
    "cite": ("Phản ánh lần 2: {tl}", "Nhắc lại: {t}"),
}

KIND_WORDS = {
    "phan_anh": "phản ánh",
    "kien_nghi": "kiến nghị",
    "khieu_nai": "khiếu nại",
    "to_cao": "tố cáo",
    "gop_y": "góp ý",
}

NAMES = (
    "Nguyễn Văn Hùng",
    "Trần Thị Mai",
    "Lê Văn Tám",
    "Phạm Thị Hoa",
    "Hoàng Văn Nam",
    "Võ Thị Lan",
    "Đặng Văn Bình",
    "Bùi Thị Thu",
    "Đỗ Văn Khánh",
    "Huỳnh Thị Ngọc",
    "Phan Văn Lợi",
    "Vũ Thị Hạnh",
)

# Zalo/SMS shorthand, applied to folded text word by word.
_SHORTHAND = {
    "khong": "ko",
    "duoc": "dc",
    "gi": "j",
    "nguoi": "ng",
    "roi": "r",
    "voi": "vs",
    "qua": "wa",
    "biet": "bit",
    "minh": "mk",
    "nhieu": "nhiu",
    "dien thoai": "dt",
    "bao gio": "bh",
    "chong": "ck",
    "anh": "a",
    "em": "e",
    "the": "z",
}
_WORD = re.compile(r"\w+", re.UNICODE)


def chat_style(text: str, rng: random.Random) -> str:
    """Type a sentence the way a hurried phone user does: no diacritics,
    lower case, common shorthand (not always), a typo now and then."""
    folded = fold(text).lower()
    for long, short in _SHORTHAND.items():
        if " " in long and rng.random() < 0.7:
            folded = folded.replace(long, short)

    def shorten(match: re.Match) -> str:
        word = match.group(0)
        short = _SHORTHAND.get(word)
        if short and rng.random() < 0.75:
            return short
        if len(word) > 4 and rng.random() < 0.05:  # a slipped finger: two letters swapped
            k = rng.randrange(len(word) - 1)
            return word[:k] + word[k + 1] + word[k] + word[k + 2 :]
        return word

    return _WORD.sub(shorten, folded).replace(".", rng.choice([".", "", " ..", "!"]))
