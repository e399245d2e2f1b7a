"""What the engine still gets wrong on a generated split, by class.

    python -m gbus.devtools.dedup_corpus.errors --input tests/data/dedup_test.jsonl

Counts pairs of reports in one province: duplicate pairs left in two cases,
by how they differ (neighbouring ward, ward missing, category, chat, letter,
opinion), and different grievances put in one case, by which hard negative
they are (same problem type, same reporter, same company, same petition
template, same draft). Reads the generator's `meta` fields, so it works on
the generated splits only. The figures in docs/dedup.md come from here.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def duplicate_classes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    filed = {a["meta"]["filed"], b["meta"]["filed"]}
    voices = {a["meta"]["voice"], b["meta"]["voice"]}
    out = [
        "one report filed in the neighbouring ward"
        if "neighbour" in filed
        else "ward missing on one side"
        if "none" in filed
        else "same ward"
    ]
    if a["category"] != b["category"]:
        out.append("categories differ")
    if "chat" in voices:
        out.append("one side unaccented chat")
    if "letter" in voices:
        out.append("one side a long letter")
    if a["kind"] == "gop_y":
        out.append("opinion on a draft")
    return out


def negative_classes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    if a["kind"] == b["kind"] == "gop_y":
        return ["same draft, other point"]
    out = []
    if a["meta"]["problem"] == b["meta"]["problem"]:
        out.append("same problem type, other incident")
    if a.get("reporter_phone") and a.get("reporter_phone") == b.get("reporter_phone"):
        out.append("same reporter, other grievance")
    if a["meta"].get("org") and a["meta"].get("org") == b["meta"].get("org"):
        out.append("same company, other problem")
    if a["meta"].get("petition") and b["meta"].get("petition"):
        out.append("same petition template")
    return out or ["other"]


def error_classes(rows: list[Mapping[str, Any]], predicted: Mapping[str, str]) -> dict[str, dict[str, list[int]]]:
    """{"missed": {class: [missed, pairs]}, "merged": {class: [merged, pairs]}}."""
    missed: dict[str, list[int]] = {}
    merged: dict[str, list[int]] = {}
    for a, b in itertools.combinations(rows, 2):
        if a["province_code"] != b["province_code"]:
            continue
        together = predicted[a["report_id"]] == predicted[b["report_id"]]
        same = a["cluster"] == b["cluster"]
        table, classes = (missed, duplicate_classes(a, b)) if same else (merged, negative_classes(a, b))
        wrong = not together if same else together
        for cls in classes:
            counts = table.setdefault(cls, [0, 0])
            counts[0] += wrong
            counts[1] += 1
    return {"missed": missed, "merged": merged}


def main() -> None:
    from gbus.cli.dedup_cmd import DEV_SECRET, _report
    from gbus.dedup.simulate import place_reports

    parser = argparse.ArgumentParser(prog="python -m gbus.devtools.dedup_corpus.errors")
    parser.add_argument("--input", type=Path, required=True)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.input.read_text(encoding="utf-8").splitlines() if line.strip()]
    reports = [_report({k: v for k, v in r.items() if k != "cluster"}, DEV_SECRET.encode()) for r in rows]
    predicted = {p.report.report_id: p.case_id for p in place_reports(reports).placements}
    result = error_classes(rows, predicted)
    for title, key in (("duplicate pairs left apart", "missed"), ("different grievances put together", "merged")):
        print(f"{title}:")
        ordered = Counter({cls: wrong / total for cls, (wrong, total) in result[key].items()}).most_common()
        for cls, share in ordered:
            wrong, total = result[key][cls]
            print(f"  {cls}: {wrong}/{total} ({share:.1%})")


if __name__ == "__main__":
    main()
