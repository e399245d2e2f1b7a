"""Import files for the operations tests: many distinct, valid reports and known bad lines."""

from __future__ import annotations

import json
import random
from pathlib import Path

from vietnam_provinces import Ward

CATEGORIES = (
    "ha_tang_giao_thong",
    "trat_tu_do_thi",
    "dien_nuoc",
    "moi_truong",
    "dat_dai",
    "an_sinh_xa_hoi",
    "y_te",
    "giao_duc",
)
PLACES = ("chợ", "trường", "cầu", "hẻm", "kênh", "công viên", "bến xe", "trạm y tế", "khu phố", "ngã tư")
PROBLEMS = ("ngập nước", "rác thải", "mất điện", "ổ gà", "lấn chiếm vỉa hè", "tiếng ồn", "khói bụi", "thiếu đèn")


def wards_of(province: str) -> list[str]:
    return sorted(f"{int(w.code):05d}" for w in Ward.iter_all() if f"{int(w.province_code):02d}" == province)


def good_line(i: int, *, province: str, wards: list[str], prefix: str, rng: random.Random) -> dict:
    ward = wards[i % len(wards)]
    origin = f"front.mttq@{province}.{ward}" if i % 3 == 0 else f"gov.ubnd@{province}"
    # Distinct words and numbers per line: the duplicate detector must not merge them into a few cases.
    place, problem = rng.choice(PLACES), rng.choice(PROBLEMS)
    return {
        "request_id": f"{prefix}-{i:06d}", "origin_agency": origin, "channel": "mttq" if i % 3 == 0 else "hotline_1022",
        "kind": "phan_anh", "category": CATEGORIES[i % len(CATEGORIES)], "province_code": province, "ward_code": ward,
        "title": f"{problem.capitalize()} tại {place} số {i} đường {rng.randint(1, 10**6)}",
        "description": f"Người dân phản ánh {problem} kéo dài ở {place} số {i}, mã {rng.getrandbits(40):x}, đề nghị xử lý.",
        "submitted_at": "2026-11-20T08:15:00+07:00", "reporter": {"name": f"Người dân {i}", "phone": f"09{i:08d}"},
    }  # fmt: skip


def bad_line(kind: int, i: int, good: dict) -> str:
    """Four kinds: invalid JSON and a bad timestamp (caught locally), unknown category and no title (by the node)."""
    if kind == 0:
        return '{"request_id": "broken-' + str(i) + '", "title": '
    if kind == 1:
        return json.dumps({**good, "submitted_at": "hôm qua"}, ensure_ascii=False)
    if kind == 2:
        return json.dumps({**good, "category": "khong_ro"}, ensure_ascii=False)
    return json.dumps({k: v for k, v in good.items() if k != "title"}, ensure_ascii=False)


def write_import_file(
    path: Path, *, total: int, bad: int, province: str = "79", prefix: str = "imp", seed: int = 7
) -> dict[int, str]:
    """Write `total` lines of which `bad` are bad, spread evenly; return {line number: expected error field}."""
    rng = random.Random(seed)
    wards = wards_of(province)
    every = total // bad if bad else total + 1
    expected: dict[int, str] = {}
    lines = []
    for n in range(1, total + 1):
        good = good_line(n, province=province, wards=wards, prefix=prefix, rng=rng)
        if bad and n % every == 0 and len(expected) < bad:
            kind = len(expected) % 4
            lines.append(bad_line(kind, n, good))
            expected[n] = ("not valid JSON", "submitted_at", "category", "title")[kind]
        else:
            lines.append(json.dumps(good, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return expected
