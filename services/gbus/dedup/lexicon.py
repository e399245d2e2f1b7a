"""Word lists for matching Vietnamese grievance text (all in folded form).

Folded = lower case, tone marks and diacritics removed, `đ` -> `d`. The lists
are data about the language and the genre, not about any one corpus: they are
the abbreviations, SMS spellings, synonyms and formulae that clerks, hotline
operators and citizens actually use. Keep them small and unambiguous — a
mapping that is wrong half the time (`hong` = hỏng "broken" or hông "not")
does more harm than good and is left out on purpose.
"""

from __future__ import annotations

# One token -> its expansion. Applied to every token, regardless of context.
ABBREVIATIONS: dict[str, str] = {
    # administrative bodies and units
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "mttq": "mat tran to quoc",
    "ubmttq": "uy ban mat tran to quoc",
    "ldld": "lien doan lao dong",
    "tp": "thanh pho",
    "tphcm": "thanh pho ho chi minh",
    "hcm": "ho chi minh",
    "p": "phuong",  # "P. Bến Thành", "p12"
    "q": "quan",
    "kp": "khu pho",
    "tdp": "to dan pho",
    "kdt": "khu do thi",
    "dg": "duong",
    "d": "duong",  # "Đ. Lê Lợi"
    "ql": "quoc lo",
    "cty": "cong ty",
    "bv": "benh vien",
    "bvdk": "benh vien da khoa",
    "tyt": "tram y te",
    "thcs": "trung hoc co so",
    "thpt": "trung hoc pho thong",
    "hs": "hoc sinh",
    "gv": "giao vien",
    "phhs": "phu huynh hoc sinh",
    "csgt": "canh sat giao thong",
    "cand": "cong an nhan dan",
    "pccc": "phong chay chua chay",
    "bhxh": "bao hiem xa hoi",
    "bhyt": "bao hiem y te",
    "bhtn": "bao hiem that nghiep",
    "gcn": "giay chung nhan",
    "gcnqsdd": "giay chung nhan quyen su dung dat",
    "qsdd": "quyen su dung dat",
    "gpxd": "giay phep xay dung",
    "gpmb": "giai phong mat bang",
    "tdc": "tai dinh cu",
    "cccd": "can cuoc cong dan",
    "cmnd": "chung minh nhan dan",
    "atgt": "an toan giao thong",
    "attp": "an toan thuc pham",
    "vsmt": "ve sinh moi truong",
    "cb": "can bo",
    "cq": "co quan",
    "nld": "nguoi lao dong",
    "xh": "xa hoi",
    # SMS spellings and chat abbreviations
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "kh": "khong",
    "hok": "khong",
    "hk": "khong",
    "khg": "khong",
    "dc": "duoc",
    "ng": "nguoi",
    "nc": "nuoc",
    "ntn": "nhu the nao",
    "j": "gi",
    "ji": "gi",
    "vs": "voi",
    "r": "roi",
    "wa": "qua",
    "z": "vay",
    "bik": "biet",
    "lm": "lam",
    "ms": "moi",
    "trc": "truoc",
    "sdt": "so dien thoai",
    "tg": "thoi gian",
}

# After a number, a short token is a unit: "500k", "4tr", "12h", "40cm".
UNITS_AFTER_NUMBER: dict[str, str] = {
    "k": "nghin",
    "tr": "trieu",
    "ty": "ty",
    "h": "gio",
    "p": "phut",
    "m": "met",
    "cm": "cm",
    "km": "km",
    "kg": "kilogam",  # not "kg": alone, that is SMS for "không"
    "m2": "m2",
}

# Words read differently with and without diacritics. Looked up on the
# accented lower-case form before folding: `lớn` (big) becomes `to` (its
# synonym) so that it no longer folds onto `lon`, which is lợn (pig).
ACCENTED: dict[str, str] = {
    "lớn": "to",
    "đỗ": "dau",  # đỗ xe (park, north) = đậu xe (south); not đổ (dump), which folds alike
    "cúp": "mat",  # cúp điện/nước (southern) = mất điện/nước
    "hỏng": "hu",  # hỏng (north) = hư (south)
}


def _phrases(text: str) -> tuple[tuple[str, ...], ...]:
    """Comma-separated phrases, longest first so "cong ty" wins over "cong"."""
    phrases = {tuple(p.split()) for p in text.replace("\n", " ").split(",") if p.strip()}
    return tuple(sorted(phrases, key=len, reverse=True))


# Grammar words (single syllables): never evidence of the same grievance.
STOPWORDS: frozenset[str] = frozenset(
    """
    a ah ai anh ay ba bac bi bo boi cac cai can chi chiec cho chu chua chung
    co con cu cua cung da dang day de den deu di do du duoc gan gi gio hay het
    hoac hom hon khi kia la lai lam len luc ma minh moi mot muon nay neu nen
    ngay nguoi nhieu nhu nhung nua o oi ong qua ra rat roi rang sang sau se
    so sao tai tat thi the theo thuong toi tren tu tuy van vao vay ve vi voi
    vua xong nao ca khong em ho no chi co nhe nha nhi a u ut luon ngoai trong
    duoi truoc giua ben canh khac moi tung tung dau bao nhieu lau hien nay
    hai tren 1 nhat cung
    """.split()
)

# Formulae of the genre: greetings, requests, agency boilerplate, channel
# wording and vague intensifiers. Every report has some; they say nothing
# about which grievance it is. Phrases, not syllables: "cong dan" (citizen)
# is boilerplate while "cong" alone may be cống, the drain that floods.
BOILERPLATE: tuple[tuple[str, ...], ...] = _phrases(
    """
    kinh gui, kinh de nghi, xin, de nghi, mong, yeu cau, phan anh, kien nghi, khieu nai, to cao,
    cong dan, nguoi dan, ba con, cu tri, ho dan, nhan dan, ca nhan, gia dinh, chung toi, tui,
    co quan, chuc nang, co quan chuc nang, chinh quyen, cac cap, tham quyen, lien quan, don vi,
    xu ly, kiem tra, giai quyet, khac phuc, can thiep, vao cuoc, xem xet, lam ro,
    tinh trang, hien tai, thoi gian, vua qua, nam, thang, tuan, buoi, ngay,
    anh huong, nghiem trong, kho khan, buc xuc, som, gap, khan truong, kip thoi, dut diem,
    giup, dum, giup do, lam on, cam on, cuu, voi,
    uy ban nhan dan, mat tran to quoc, ban cong tac mat tran, ban cong tac,
    duong day nong, tiep xuc cu tri, hoi nghi, tiep cong dan, trinh bay, chuyen, tong hop, y kien,
    nhan duoc, thong tin, bao cao, ghi nhan, lien he, tra loi, van ban,
    khu vuc, dia ban, doan, khuc, gan, noi, dia phuong,
    sinh song, cu tru, dia chi, van de, viec, su viec, nhieu lan,
    tiep theo, truoc day, da tung, hien nay, dang, tiep tuc, van, con, nua
    """
)

# Generic agency names: capitalised, but not a distinctive named entity.
# A name that starts with one of these is an agency, not a place.
GENERIC_NAME_HEADS: tuple[tuple[str, ...], ...] = _phrases(
    """
    so, phong, cuc, chi cuc, uy ban, hoi dong, mat tran, lien doan, cong an, dien luc,
    thanh tra, trung tam, ban quan ly, ban chi dao, bao hiem, vien kiem sat, toa an,
    chu tich, bi thu, dang uy, cong doan, cap nuoc, kiem lam, zalo, facebook, lien, noi dong,
    don, tham gia, gop y, y kien
    """
)

# Administrative levels: the name that follows is the reporter's or the
# ward's address, already known from ward_code, so it is dropped.
ADMIN_MARKERS: tuple[tuple[str, ...], ...] = _phrases(
    "phuong, xa, quan, huyen, tinh, thi tran, thi xa, thanh pho, dac khu"
)

# Markers that introduce a place or an organisation by name, by kind of
# place: "chợ Bến Thành" and "phường Bến Thành" or "cồn Cái Khế" and "rạch
# Cái Khế" are different places with one name.
_NAME_MARKER_KINDS: dict[str, str] = {
    "street": "duong, pho, dai lo, quoc lo, tinh lo, hem, ngo, ngach, kiet, nga tu, nga ba, giao lo",
    "bridge": "cau",
    "market": "cho",
    "water": "song, kenh, rach, suoi, ho",
    "islet": "con",
    "beach": "bai bien",
    "port": "cang",
    "park": "cong vien, vuon hoa",
    "building": "chung cu, toa, toa nha, khu do thi, khu tap the",
    "quarry": "mo da",
    "company": "cong ty, doanh nghiep, nha may, xi nghiep, xuong",
    "school": "truong",
    # The level is part of a school's identity: THCS Dịch Vọng is not Tiểu học Dịch Vọng A.
    "kindergarten": "mam non, truong mam non, mau giao, truong mau giao",
    "primary_school": "tieu hoc, truong tieu hoc",
    "secondary_school": "trung hoc co so, truong trung hoc co so",
    "high_school": "trung hoc pho thong, truong trung hoc pho thong",
    "health": "benh vien, tram y te",
    "business": "nha hang, khach san, ngan hang",
    "village": "thon, xom, ap, ban, lang, khu pho, to dan pho, khu dan cu",
}
NAME_MARKER_KIND: dict[tuple[str, ...], str] = {
    phrase: kind for kind, text in _NAME_MARKER_KINDS.items() for phrase in _phrases(text)
}
NAME_MARKERS: tuple[tuple[str, ...], ...] = tuple(sorted(NAME_MARKER_KIND, key=len, reverse=True))
# A school of unknown level may be any of the levels.
KIND_FAMILY: dict[str, str] = {
    "kindergarten": "school",
    "primary_school": "school",
    "secondary_school": "school",
    "high_school": "school",
}

# Markers whose folded form is also a common word (chợ/cho, cầu/cầu thang,
# cồn/còn, hồ/họ, phố/phở): accepted only before a capitalised name unless
# the accented spelling confirms them.
AMBIGUOUS_MARKERS: frozenset[str] = frozenset("cho cau con ho pho song toa ban cang xuong lang truong".split())

# Markers followed by a number that identifies a place: the number class.
NUMBER_MARKERS: dict[tuple[str, ...], str] = {
    ("so",): "house",
    ("so", "nha"): "house",
    ("hem",): "alley",
    ("ngo",): "alley",
    ("ngach",): "alley",
    ("kiet",): "alley",
    ("to",): "group",
    ("to", "dan", "pho"): "group",
    ("khu", "pho"): "quarter",
    ("xom",): "hamlet",
    ("ap",): "hamlet",
    ("thon",): "hamlet",
    ("doi",): "hamlet",
    ("thua",): "parcel",
    ("thua", "dat"): "parcel",
    ("to", "ban", "do"): "sheet",
    ("duong", "so"): "street",
    ("lo",): "lot",
    ("toa",): "building",
}

# Words introducing a person: the capitalised run after them is a name of a
# reporter or official, which differs between reports of one grievance.
PERSON_MARKERS: frozenset[str] = frozenset("ong ba anh chi co chu bac em chau".split())

# Legal-form and generic words inside organisation names.
NAME_FILLERS: frozenset[str] = frozenset("tnhh cp mtv jsc ltd".split())

# Content words too common across grievances to count fully.
WEAK_WORDS: frozenset[str] = frozenset(
    """
    nuoc nha xe dan duong cong thanh lon nho sau cao mat ngay dem toi sang chieu
    dat tien di lai phai bi bao noi biet thay lam ra vao xuong len
    """.split()
)
