"""`gbus dedup cluster` and `gbus dedup eval` on small files."""

from __future__ import annotations

import json

import pytest

from gbus.cli.dedup_cmd import register

BASE = {
    "kind": "phan_anh",
    "category": "ha_tang_giao_thong",
    "province_code": "79",
    "ward_code": "26743",
    "origin_agency": "gov.ubnd@79",
}
LINES = [
    {
        **BASE,
        "report_id": "A",
        "channel": "cong_dvc",
        "request_id": "a",
        "submitted_at": "2025-09-02T08:00:00+07:00",
        "title": "Ngập đường Lê Thánh Tôn",
        "description": "Đường Lê Thánh Tôn gần chợ Bến Thành ngập sâu, cống nghẹt rác.",
        "reporter_phone": "0903 112 233",
        "cluster": "flood",
    },
    {
        **BASE,
        "report_id": "B",
        "channel": "zalo",
        "request_id": "b",
        "submitted_at": "2025-09-03T08:00:00+07:00",
        "title": "le thanh ton ngap",
        "description": "dg Le Thanh Ton mua la ngap, cong nghet rac ko thoat nuoc",
        "reporter_phone": "+84903112233",
        "cluster": "flood",
    },
    {
        **BASE,
        "report_id": "C",
        "channel": "app_cong_dan",
        "request_id": "c",
        "submitted_at": "2025-09-01T08:00:00+07:00",
        "category": "trat_tu_do_thi",
        "title": "Lấn chiếm vỉa hè đường Lý Tự Trọng",
        "description": "Quán ăn bày bàn ghế chiếm hết vỉa hè đường Lý Tự Trọng.",
        "cluster": "sidewalk",
    },
]


def run(argv, capsys):
    import argparse

    parser = argparse.ArgumentParser(prog="gbus")
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "reports.jsonl"
    bad = [
        '{"report_id": "D", "kind": "phan_anh"',
        '["not", "an", "object"]',
        json.dumps({**LINES[0], "report_id": "E", "kind": "hoi"}),
    ]
    path.write_text(
        "\n".join([json.dumps(LINES[0]), bad[0], json.dumps(LINES[1]), bad[1], json.dumps(LINES[2]), bad[2]]) + "\n"
    )
    return path


def test_cluster_prints_one_line_per_report_in_submission_order(corpus, capsys):
    code, out, _ = run(["dedup", "cluster", "--input", str(corpus)], capsys)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["report_id"] for line in lines] == ["C", "A", "B"]
    assert all(
        set(line) == {"report_id", "case_key", "decision", "score", "matched_report_id", "suggestions"}
        for line in lines
    )
    by_id = {line["report_id"]: line for line in lines}
    assert by_id["B"]["decision"] == "link" and by_id["B"]["case_key"] == by_id["A"]["case_key"]
    assert by_id["B"]["matched_report_id"] == "A"
    assert by_id["C"]["case_key"] != by_id["A"]["case_key"] and by_id["C"]["case_key"].startswith("79-")
    assert code == 3  # some lines were skipped


def test_bad_lines_are_reported_with_their_line_numbers_and_the_rest_continue(corpus, capsys):
    _, out, err = run(["dedup", "cluster", "--input", str(corpus)], capsys)
    assert len(out.splitlines()) == 3
    assert f"{corpus}:2: skipped: not valid JSON" in err
    assert f"{corpus}:4: skipped: expected a JSON object" in err
    assert f"{corpus}:6: skipped: kind: unknown value 'hoi'" in err


def test_cluster_never_prints_the_reporters_phone(corpus, capsys):
    _, out, _ = run(["dedup", "cluster", "--input", str(corpus), "--explain"], capsys)
    assert "0903" not in out and "112 233" not in out
    assert "same reporter" in out


def test_eval_prints_pairwise_and_bcubed_scores(corpus, capsys):
    code, out, _ = run(["dedup", "eval", "--input", str(corpus)], capsys)
    assert "pairwise  precision 1.0000  recall 1.0000  F1 1.0000" in out
    assert "B-cubed" in out and "worst false merges" in out and "misses" in out
    assert code == 3


def test_eval_json_lists_false_merges_and_misses(tmp_path, capsys):
    path = tmp_path / "labelled.jsonl"
    lines = [LINES[0], {**LINES[1], "cluster": "another"}, LINES[2]]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    code, out, _ = run(["dedup", "eval", "--input", str(path), "--json"], capsys)
    result = json.loads(out)
    assert code == 0
    assert result["pairwise"] == {"precision": 0.0, "recall": 1.0, "f1": 0.0}
    [merge] = result["false_merges"]
    assert (merge["report_id"], merge["matched_report_id"], merge["clusters"]) == ("B", "A", ["another", "flood"])


def test_eval_requires_a_cluster_label(tmp_path, capsys):
    path = tmp_path / "unlabelled.jsonl"
    path.write_text(json.dumps({k: v for k, v in LINES[2].items() if k != "cluster"}) + "\n")
    _, _, err = run(["dedup", "eval", "--input", str(path)], capsys)
    assert ":1: skipped: cluster label is required for eval" in err


def test_eval_prints_the_linked_or_suggested_rate(corpus, capsys):
    _, out, _ = run(["dedup", "eval", "--input", str(corpus)], capsys)
    assert "linked or suggested 1.0000 of 1 reports with an earlier duplicate" in out


def test_cluster_prints_suggestions_as_case_keys_with_scores(tmp_path, capsys):
    # The sidewalk report is another grievance: shown to the flood reports as a
    # weak suggestion at most, never as their case.
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in LINES) + "\n")
    _, out, _ = run(["dedup", "cluster", "--input", str(path)], capsys)
    for line in map(json.loads, out.splitlines()):
        assert len(line["suggestions"]) <= 3
        assert all(set(s) == {"case_key", "score"} and 0 < s["score"] < 1 for s in line["suggestions"])
        assert line["case_key"] not in [s["case_key"] for s in line["suggestions"]] or line["decision"] != "link"


def test_train_writes_a_model_the_engine_loads(tmp_path, capsys):
    from gbus.dedup.scorer import PairModel

    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in LINES) + "\n")
    out_file = tmp_path / "model.json"
    code, out, _ = run(["dedup", "train", "--input", str(path), "--out", str(out_file)], capsys)
    assert code == 0
    assert json.loads(out)["train_pairs"] == 3 and json.loads(out)["train_positive_pairs"] == 1
    model = PairModel.load(out_file)
    assert json.loads(out_file.read_text())["trained"]["input"] == ["labelled.jsonl"]
    assert len(model.weights) == len(json.loads(out_file.read_text())["features"])
