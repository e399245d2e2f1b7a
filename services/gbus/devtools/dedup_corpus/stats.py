"""What a split holds: sizes, coverage, and how many same-ward pairs of
different grievances are hard negatives (same problem type, reporter,
family draft or template)."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any


def describe(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_ward: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("ward_code"):
            by_ward.setdefault(row["ward_code"], []).append(row)
    same_ward_pairs = positives = hard = 0
    for group in by_ward.values():
        for a, b in itertools.combinations(group, 2):
            same_ward_pairs += 1
            if a["cluster"] == b["cluster"]:
                positives += 1
            elif is_hard_negative(a, b):
                hard += 1
    return {
        "reports": len(rows),
        "grievances": len({r["cluster"] for r in rows}),
        "provinces": len({r["province_code"] for r in rows}),
        "kinds": dict(Counter(r["kind"] for r in rows)),
        "channels": len({r["channel"] for r in rows}),
        "voices": dict(Counter(r["meta"]["voice"] for r in rows)),
        "filed": dict(Counter(r["meta"]["filed"] for r in rows)),
        "same_ward_pairs": same_ward_pairs,
        "same_ward_positive_pairs": positives,
        "same_ward_hard_negative_pairs": hard,
    }


def is_hard_negative(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two reports of different grievances that share what naive matching
    keys on: the problem type (a draft's opinions are one type), the
    reporter, the company, or the ward's petition template."""
    return (
        a["meta"]["problem"] == b["meta"]["problem"]
        or (a.get("reporter_phone") is not None and a.get("reporter_phone") == b.get("reporter_phone"))
        or (bool(a["meta"].get("org")) and a["meta"].get("org") == b["meta"].get("org"))
        or (a["meta"].get("petition") and b["meta"].get("petition"))
    )
