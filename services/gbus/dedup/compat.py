"""How two reports' kinds and categories relate (docs/dedup.md; the kinds and categories are listed in docs/api.md).

Kinds are a gate (an opinion on a draft is never one grievance with a
complaint, nor with an opinion on another draft). Categories are evidence
only since issue 11: the sender or the clerk picks them, and one grievance
is filed under many; `categories_compatible` feeds the scorer's
"related category" feature.
"""

from __future__ import annotations

from gbus.domain.kinds import is_draft_opinion
from gbus.domain.vocabulary import CATEGORIES, FALLBACK_CATEGORY, known_category

# Categories that one grievance is often filed under by different channels:
# a flooded street is "ha_tang_giao_thong" for one clerk and "dien_nuoc" for
# another; karaoke noise is "an_ninh_trat_tu" or "moi_truong".
_RELATED_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("moi_truong", "trat_tu_do_thi"),
    ("moi_truong", "ha_tang_giao_thong"),
    ("moi_truong", "dien_nuoc"),
    ("moi_truong", "an_ninh_trat_tu"),
    ("moi_truong", "dat_dai"),
    ("moi_truong", "y_te"),
    ("ha_tang_giao_thong", "trat_tu_do_thi"),
    ("ha_tang_giao_thong", "dien_nuoc"),
    ("ha_tang_giao_thong", "an_ninh_trat_tu"),
    ("trat_tu_do_thi", "dat_dai"),
    ("trat_tu_do_thi", "an_ninh_trat_tu"),
    ("dat_dai", "thu_tuc_hanh_chinh"),
    ("dat_dai", "tham_nhung_tieu_cuc"),
    ("thu_tuc_hanh_chinh", "tham_nhung_tieu_cuc"),
    ("thu_tuc_hanh_chinh", "an_sinh_xa_hoi"),
    ("thu_tuc_hanh_chinh", "lao_dong_viec_lam"),
    ("lao_dong_viec_lam", "an_sinh_xa_hoi"),
    ("y_te", "an_sinh_xa_hoi"),
    ("y_te", "giao_duc"),
    ("giao_duc", "tham_nhung_tieu_cuc"),
    ("an_ninh_trat_tu", "tham_nhung_tieu_cuc"),
)


class _CategoryIndex(dict[str, int]):
    """Position of a category in CATEGORIES. A category this version does not know
    (a newer node's) is indexed and matched as `khac`, never a KeyError that would
    stop the processor on a valid record; the report keeps its own spelling."""

    def __missing__(self, category: str) -> int:
        return self[FALLBACK_CATEGORY]


CATEGORY_INDEX: dict[str, int] = _CategoryIndex((c, i) for i, c in enumerate(CATEGORIES))

# COMPATIBLE[i][j]: category i may join a case holding category j.
COMPATIBLE_CATEGORIES: tuple[frozenset[str], ...] = tuple(
    frozenset(
        {c}
        | {b for a, b in _RELATED_CATEGORIES if a == c}
        | {a for a, b in _RELATED_CATEGORIES if b == c}
        | ({*CATEGORIES} if c == "khac" else {"khac"})
    )
    for c in CATEGORIES
)


def categories_compatible(a: str, b: str) -> bool:
    return known_category(b) in COMPATIBLE_CATEGORIES[CATEGORY_INDEX[a]]


def kinds_compatible(kind_a: str, subject_a: str | None, kind_b: str, subject_b: str | None) -> bool:
    """phan_anh/kien_nghi/khieu_nai/to_cao are one grievance when about one
    matter (the case takes the most formal kind and is re-routed); gop_y is
    an opinion on a draft and joins only gop_y on the same draft."""
    draft_a, draft_b = is_draft_opinion(kind_a), is_draft_opinion(kind_b)
    if draft_a != draft_b:
        return False
    if draft_a:
        return subject_a is not None and subject_a == subject_b
    return True
