"""`python -m gbus.devtools.dedup_corpus --out DIR [--seed N]`: write the
three split files and print their sizes and hard-negative shares."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gbus.devtools.dedup_corpus.generate import build_splits
from gbus.devtools.dedup_corpus.stats import describe


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m gbus.devtools.dedup_corpus")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--splits", default="train,dev,test", help="which split files to write")
    args = parser.parse_args()
    splits = build_splits(args.seed)
    for name in args.splits.split(","):
        path = args.out / f"dedup_{name}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in splits[name]), encoding="utf-8")
    print(json.dumps({name: describe(rows) for name, rows in splits.items()}, indent=1))


if __name__ == "__main__":
    main()
