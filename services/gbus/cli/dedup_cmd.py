"""`gbus dedup cluster` and `gbus dedup eval`: the dedup engine over a JSONL file.

Both run the engine exactly as the case processor does (simulate.py): in
submitted_at order, one engine per shard. Input lines are reports with the fields of
the API's Report message (docs/api.md), plus `report_id` and an optional `reporter_phone` / `reporter_national_id`,
which are turned into the keyed `reporter_key` here and never printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gbus.cli.common import EXIT_OK, EXIT_PARTIAL, CliError, bad_line, print_json_line, read_jsonl
from gbus.dedup.config import DedupConfig
from gbus.dedup.evaluation import bcubed, linked_or_suggested, pairwise
from gbus.dedup.reporter import reporter_key
from gbus.dedup.scorer import MODEL_FILE
from gbus.domain.report import Report
from gbus.domain.report_fields import report_from_mapping
from gbus.errors import ValidationError

if TYPE_CHECKING:
    from gbus.dedup.simulate import Run

# The model the engine loads (gbus.dedup.scorer reads it as package data): `train` writes it there.
_PACKAGED_MODEL = resources.files("gbus.dedup").joinpath(MODEL_FILE)
# Development default only: a deployment passes its own secret (--secret or
# the processor's configuration), or reporter keys would be guessable.
DEV_SECRET = "gbus-dev-reporter-secret"


def register(subparsers: argparse._SubParsersAction) -> None:
    dedup = subparsers.add_parser("dedup", help="cross-channel duplicate detection")
    sub = dedup.add_subparsers(dest="dedup_command", metavar="SUBCOMMAND", required=True)

    cluster = sub.add_parser("cluster", help="assign each report of a JSONL file to a case")
    _common_options(cluster)
    cluster.add_argument("--explain", action="store_true", help="add the decision's reasons to each line")
    cluster.set_defaults(func=run_cluster)

    evaluate = sub.add_parser("eval", help="score clustering against the `cluster` labels of a JSONL file")
    _common_options(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    evaluate.add_argument("--worst", type=int, default=10, help="how many false merges and misses to list")
    evaluate.set_defaults(func=run_eval)

    train = sub.add_parser("train", help="fit the pair scorer on labelled JSONL and write its weights")
    train.add_argument(
        "--input", "-i", required=True, nargs="+", help="labelled JSONL files to fit on (never the test split)"
    )
    train.add_argument("--calibrate", help="labelled JSONL for the Platt calibration (the dev split)")
    train.add_argument("--out", default=str(_PACKAGED_MODEL), help="where to write the model JSON")
    train.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the logistic regression")
    train.add_argument("--secret", default=DEV_SECRET, help="HMAC secret for reporter keys")
    train.set_defaults(func=run_train)


def _common_options(parser: argparse.ArgumentParser) -> None:
    defaults = DedupConfig()
    parser.add_argument("--input", "-i", required=True, help="JSONL file of reports ('-' for stdin)")
    parser.add_argument("--secret", default=DEV_SECRET, help="HMAC secret for reporter keys")
    parser.add_argument("--link-threshold", type=float, default=defaults.link_threshold)
    parser.add_argument("--review-threshold", type=float, default=defaults.review_threshold)
    parser.add_argument("--window-days", type=float, default=defaults.window.days)


def _config(args: argparse.Namespace) -> DedupConfig:
    if not 0 <= args.review_threshold <= args.link_threshold <= 1:
        raise CliError("need 0 <= --review-threshold <= --link-threshold <= 1", exit_code=2)
    return DedupConfig(
        link_threshold=args.link_threshold,
        review_threshold=args.review_threshold,
        window=timedelta(days=args.window_days),
    )


def _load(args: argparse.Namespace, *, need_label: bool) -> tuple[list[Report], dict[str, str], int]:
    """Reports, their labels (if any) and the number of bad lines reported."""
    secret = args.secret.encode()
    reports: list[Report] = []
    labels: dict[str, str] = {}
    seen: set[str] = set()
    bad = 0
    for line in read_jsonl(args.input):
        problem = line.error
        if problem is None:
            assert line.value is not None
            problem = _check_line(line.value, need_label, seen)
        if problem is None:
            assert line.value is not None
            try:
                report = _report(line.value, secret)
            except ValidationError as exc:
                problem = str(exc)
        if problem is not None:
            bad_line(args.input, line.line_no, f"skipped: {problem}")
            bad += 1
            continue
        seen.add(report.report_id)
        reports.append(report)
        if need_label:
            labels[report.report_id] = str(line.value["cluster"])  # type: ignore[index]
    return reports, labels, bad


def _check_line(value: dict[str, Any], need_label: bool, seen: set[str]) -> str | None:
    rid = value.get("report_id")
    if not isinstance(rid, str) or not rid.strip():
        return "report_id is required"
    if rid in seen:
        return f"duplicate report_id {rid!r}"
    if need_label and value.get("cluster") in (None, ""):
        return "cluster label is required for eval"
    return None


def _report(value: dict[str, Any], secret: bytes) -> Report:
    data = dict(value)
    phone, national_id = data.pop("reporter_phone", None), data.pop("reporter_national_id", None)
    if not data.get("reporter_key") and (phone or national_id):
        data["reporter_key"] = reporter_key(
            secret, phone=str(phone) if phone else None, national_id=str(national_id) if national_id else None
        )
    return report_from_mapping(data)


def run_train(args: argparse.Namespace) -> int:
    from gbus.dedup.training import labelled_pairs, train  # numpy fitting: only for this command

    reports, labels, bad = [], {}, 0
    for path in args.input:  # labels are prefixed by file: two corpora may reuse a cluster name
        more, more_labels, more_bad = _load(argparse.Namespace(input=path, secret=args.secret), need_label=True)
        reports += more
        labels.update({rid: f"{path}:{label}" for rid, label in more_labels.items()})
        bad += more_bad
    calibration = None
    if args.calibrate:
        dev_args = argparse.Namespace(input=args.calibrate, secret=args.secret)
        dev_reports, dev_labels, dev_bad = _load(dev_args, need_label=True)
        bad += dev_bad
        calibration = labelled_pairs(dev_reports, dev_labels)
    model, summary = train(labelled_pairs(reports, labels), calibration, l2=args.l2)
    data = {
        **model.to_dict(),
        "trained": {
            "input": [Path(p).name for p in args.input],
            "calibrate": Path(args.calibrate).name if args.calibrate else None,
            "l2": args.l2,
            **summary,
        },
    }
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"out": args.out, **data["trained"]}, ensure_ascii=False))
    return EXIT_PARTIAL if bad else EXIT_OK


def run_cluster(args: argparse.Namespace) -> int:
    config = _config(args)
    reports, _, bad = _load(args, need_label=False)
    from gbus.dedup.simulate import place_reports  # the engine (numpy): only when a command runs

    for placement in place_reports(reports, config).placements:
        d = placement.decision
        line: dict[str, Any] = {
            "report_id": placement.report.report_id,
            "case_key": placement.case_id,
            "decision": d.decision,
            "score": round(d.score, 4),
            "matched_report_id": d.matched_report_id,
            "suggestions": [{"case_key": case, "score": round(score, 4)} for case, score in d.suggestions],
        }
        if args.explain:
            line["reasons"] = list(d.reasons)
        print_json_line(line)
    return EXIT_PARTIAL if bad else EXIT_OK


def run_eval(args: argparse.Namespace) -> int:
    config = _config(args)
    reports, gold, bad = _load(args, need_label=True)
    from gbus.dedup.simulate import place_reports

    run = place_reports(reports, config)
    predicted = {p.report.report_id: p.case_id for p in run.placements}
    reach, with_earlier = linked_or_suggested(
        [(p.report.report_id, p.case_id, [c for c, _ in p.decision.suggestions]) for p in run.placements], gold
    )
    result = {
        "reports": len(reports),
        "clusters": len(set(gold.values())),
        "cases": len(set(predicted.values())),
        "skipped_lines": bad,
        "thresholds": {"link": config.link_threshold, "review": config.review_threshold},
        "pairwise": pairwise(predicted, gold).as_dict(),
        "bcubed": bcubed(predicted, gold).as_dict(),
        "linked_or_suggested": {"rate": round(reach, 4), "reports_with_an_earlier_duplicate": with_earlier},
        "decisions": dict(Counter(p.decision.decision for p in run.placements)),
        "false_merges": _false_merges(run, gold)[: args.worst],
        "misses": _misses(run, gold, predicted)[: args.worst],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_text(result)
    return EXIT_PARTIAL if bad else EXIT_OK


def _false_merges(run: Run, gold: dict[str, str]) -> list[dict[str, Any]]:
    """Links that joined a report to a case of another grievance, most
    confident first: these hide a citizen's grievance and matter most."""
    wrong = [
        p
        for p in run.placements
        if p.decision.decision == "link" and gold[p.report.report_id] != gold[p.decision.matched_report_id or ""]
    ]
    wrong.sort(key=lambda p: -p.decision.score)
    return [
        {
            "report_id": p.report.report_id,
            "matched_report_id": p.decision.matched_report_id,
            "score": round(p.decision.score, 4),
            "clusters": [gold[p.report.report_id], gold[p.decision.matched_report_id or ""]],
            "reasons": list(p.decision.reasons),
        }
        for p in wrong
    ]


def _misses(run: Run, gold: dict[str, str], predicted: dict[str, str]) -> list[dict[str, Any]]:
    """Reports left outside the case of an earlier report of their grievance,
    with the score against the closest such report: near misses first."""
    earlier: dict[str, list[Report]] = {}
    misses: list[dict[str, Any]] = []
    for p in run.placements:
        rid = p.report.report_id
        mates = [r for r in earlier.get(gold[rid], []) if predicted[r.report_id] != predicted[rid]]
        earlier.setdefault(gold[rid], []).append(p.report)
        if not mates or any(predicted[r.report_id] == predicted[rid] for r in earlier[gold[rid]][:-1]):
            continue
        engine = run.engines.get(p.report.province_code or "00")
        best = None
        for mate in mates:
            scored = engine.explain(p.report, mate.report_id) if engine else None
            if scored is not None and (best is None or scored.score > best[0].score):
                best = (scored, mate)
        misses.append(
            {
                "report_id": rid,
                "decision": p.decision.decision,
                "closest_report_id": best[1].report_id if best else mates[0].report_id,
                "score": round(best[0].score, 4) if best else None,
                "cluster": gold[rid],
                "reasons": list(best[0].reasons) if best else [],
            }
        )
    misses.sort(key=lambda m: -(m["score"] or 0))
    return misses


def _print_text(result: dict[str, Any]) -> None:
    out = sys.stdout
    out.write(
        f"reports {result['reports']}  labelled clusters {result['clusters']}  predicted cases {result['cases']}"
        f"  (link >= {result['thresholds']['link']}, review >= {result['thresholds']['review']})\n"
    )
    for name in ("pairwise", "bcubed"):
        s = result[name]
        label = "pairwise" if name == "pairwise" else "B-cubed"
        out.write(f"{label:9} precision {s['precision']:.4f}  recall {s['recall']:.4f}  F1 {s['f1']:.4f}\n")
    reach = result["linked_or_suggested"]
    out.write(
        f"linked or suggested {reach['rate']:.4f} of {reach['reports_with_an_earlier_duplicate']} reports"
        " with an earlier duplicate\n"
    )
    out.write("decisions " + ", ".join(f"{k} {v}" for k, v in sorted(result["decisions"].items())) + "\n")
    out.write(f"\nworst false merges ({len(result['false_merges'])} shown):\n")
    for m in result["false_merges"]:
        clusters = f"{m['clusters'][0]} != {m['clusters'][1]}"
        out.write(f"  {m['report_id']} -> {m['matched_report_id']}  score {m['score']:.3f}  {clusters}\n")
        out.write(f"      {'; '.join(m['reasons'])}\n")
    out.write(f"\nmisses ({len(result['misses'])} shown):\n")
    for m in result["misses"]:
        score = "n/a" if m["score"] is None else f"{m['score']:.3f}"
        who = f"{m['report_id']} ({m['decision']}) not with {m['closest_report_id']}"
        out.write(f"  {who}  score {score}  [{m['cluster']}]\n")
        if m["reasons"]:
            out.write(f"      {'; '.join(m['reasons'])}\n")
