"""Where a grievance happens, and the several ways people name that place.

A grievance has a street, a landmark, a residential unit (hamlet, group,
quarter) and sometimes an alley; one report names the street, the next the
market across the road, a third only "tổ 7", a fourth the neighbouring ward
it borders. Ward names come from the real post-2025 division data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from gbus.dedup.normalise import fold

STREETS = (
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Phan Đình Phùng",
    "Quang Trung",
    "Hùng Vương",
    "Nguyễn Huệ",
    "Bà Triệu",
    "Trần Phú",
    "Lê Duẩn",
    "Võ Thị Sáu",
    "Nguyễn Văn Cừ",
    "Phạm Ngũ Lão",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
    "Nguyễn Thị Minh Khai",
    "Tôn Đức Thắng",
    "Hoàng Diệu",
    "Lạc Long Quân",
    "Âu Cơ",
    "Nguyễn Du",
    "Trường Chinh",
    "Lê Hồng Phong",
    "Nguyễn Tất Thành",
    "Phan Chu Trinh",
    "Chu Văn An",
    "Yersin",
    "Pasteur",
    "Nguyễn Đình Chiểu",
    "Lê Văn Sỹ",
    "Bạch Đằng",
    "Ngô Quyền",
    "Mạc Đĩnh Chi",
    "Huỳnh Thúc Kháng",
    "Tô Hiến Thành",
    "Nguyễn Chí Thanh",
    "Kim Mã",
    "Đội Cấn",
    "Hoàng Hoa Thám",
    "Xuân Thủy",
    "Giải Phóng",
    "Minh Khai",
)
LANDMARKS = (
    "chợ Phú Hòa",
    "chợ Đình",
    "chợ Mới",
    "chợ Cây Xoài",
    "cầu Sắt",
    "cầu Ông Thìn",
    "cầu Bà Chiêm",
    "kênh Ba Bò",
    "kênh Xáng",
    "rạch Ông Lớn",
    "trường THCS Lê Quý Đôn",
    "trường Tiểu học Kim Đồng",
    "đình Tân Phước",
    "chùa Phước Long",
    "nhà văn hóa khu phố",
    "công viên Thống Nhất",
    "ngã ba Cây Gõ",
    "ngã tư Bình Thạnh",
    "bến xe Miền Tây",
    "siêu thị Co.op",
    "trạm y tế phường",
    "bưu điện cũ",
    "hồ Văn Quán",
    "sân vận động",
    "nhà thờ Tân Định",
    "cây xăng Petrolimex",
    "chợ Hòa Khánh",
    "cầu Rồng",
)
RESIDENTIAL = ("tổ dân phố {n}", "tổ {n}", "khu phố {n}", "ấp {n}", "thôn {h}", "xóm {h}", "khu dân cư số {n}")
HAMLETS = ("Đông", "Tây", "Trung", "Phú Lợi", "An Hòa", "Tân Lập", "Bình Minh", "Hòa Bình", "Thượng", "Hạ", "Lộc Thọ")

ORGS: dict[str, tuple[str, ...]] = {
    "company": (
        "Công ty TNHH May mặc Phú Thịnh",
        "Công ty CP Gỗ Trường Sơn",
        "Công ty TNHH Giày da Hưng Phát",
        "Công ty TNHH Điện tử Sao Việt",
        "Nhà máy gạch Tuynel Đồng Tâm",
        "Công ty CP Thép Nam Việt",
        "Công ty TNHH Chế biến Thủy sản Minh Phú",
        "Xưởng nhựa Tân Tiến",
        "Công ty TNHH Bao bì Kim Long",
        "Công ty CP Dệt nhuộm Hòa Thọ",
        "Nhà máy xi măng Bắc Sơn",
        "Công ty TNHH Thực phẩm An Khang",
    ),
    "school": (
        "Trường THCS Lê Quý Đôn",
        "Trường Tiểu học Kim Đồng",
        "Trường THPT Nguyễn Du",
        "Trường Mầm non Hoa Sen",
        "Trường Tiểu học Võ Thị Sáu",
        "Trường THCS Trần Phú",
        "Trường THPT Chu Văn An",
        "Trường Mầm non Sơn Ca",
    ),
    "hospital": (
        "Bệnh viện Đa khoa tỉnh",
        "Bệnh viện Nhi Đồng",
        "Trung tâm Y tế khu vực",
        "Bệnh viện Phụ sản",
        "Bệnh viện Đa khoa khu vực",
        "Bệnh viện Y học cổ truyền",
    ),
    "farm": (
        "trại heo Hưng Thịnh",
        "trang trại Phú Gia",
        "trại chăn nuôi Đồng Xanh",
        "trại gà Tấn Phát",
        "trại heo Thành Công",
    ),
    "office": (
        "Văn phòng đăng ký đất đai",
        "bộ phận một cửa",
        "Đội quản lý trật tự đô thị",
        "Chi cục Thuế khu vực",
        "phòng Tài nguyên và Môi trường",
        "Trung tâm phát triển quỹ đất",
    ),
}


@dataclass(frozen=True)
class Place:
    province: str
    ward: str
    ward_name: str
    neighbour: str  # the ward it borders (same province)
    neighbour_name: str
    street: str
    landmark: str
    residential: str
    alley: int | None


@cache
def wards_by_province() -> dict[str, list[tuple[str, str]]]:
    from vietnam_provinces import Ward

    out: dict[str, list[tuple[str, str]]] = {}
    for ward in Ward.iter_all():
        out.setdefault(f"{int(ward.province_code):02d}", []).append(
            (f"{int(ward.code):05d}", " ".join(ward.name.split()))
        )
    for wards in out.values():
        wards.sort()
    return out


def new_place(province: str, ward_index: int, rng: random.Random, taken: set[tuple[str, str]]) -> Place:
    """A place in the ward at `ward_index` of the province; its neighbour is
    the ward with the next code (codes run along the map within a province)."""
    wards = wards_by_province()[province]
    ward, name = wards[ward_index % len(wards)]
    neighbour, neighbour_name = wards[(ward_index + 1) % len(wards)]
    while True:  # distinct streets and landmarks among one ward's grievances
        street, landmark = rng.choice(STREETS), rng.choice(LANDMARKS)
        if (ward, street) not in taken and (ward, landmark) not in taken:
            taken.update({(ward, street), (ward, landmark)})
            break
    residential = rng.choice(RESIDENTIAL).format(n=rng.randint(1, 15), h=rng.choice(HAMLETS))
    alley = rng.choice([None, None, rng.randint(2, 199)])
    return Place(province, ward, name, neighbour, neighbour_name, street, landmark, residential, alley)


def place_phrase(place: Place, rng: random.Random, *, filed_in_neighbour: bool) -> str:
    """One way of saying where. A report filed in the neighbouring ward says
    which side of the border it is about, or names only the shared street."""
    street = f"đường {place.street}"
    if place.alley is not None and rng.random() < 0.5:
        street = f"{rng.choice(['hẻm', 'ngõ', 'kiệt'])} {place.alley} {place.street}"
    forms = [
        street,
        f"{street}, đoạn gần {place.landmark}",
        f"khu vực gần {place.landmark}",
        f"{place.residential}",
        f"{place.residential}, {place.ward_name}",
        f"{street} ({place.ward_name})",
    ]
    if filed_in_neighbour:
        forms = [
            f"{street} thuộc {place.ward_name}",
            f"{place.landmark} bên {place.ward_name}, giáp ranh chỗ tôi",
            f"{street} đoạn giáp {place.ward_name}",
            f"{place.residential} {place.ward_name}",
        ]
    return rng.choice(forms)


def chat_place(place: Place, rng: random.Random) -> str:
    forms = [f"duong {place.street}", f"gan {place.landmark}", place.residential]
    if place.alley is not None:
        forms.append(f"hem {place.alley} {place.street}")
    return fold(rng.choice(forms))
