"""The command line of every page generated from the code: write it, or check that it is current.

    python -m gbus.devtools.<generator> [--check] [--output PATH]

`make checks` runs the --check form: a page that no longer says what the code says fails
the build, naming the make target that rewrites it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def run(argv: list[str] | None, *, prog: str, description: str, output: Path, render: Callable[[], str],
        make_target: str) -> int:  # fmt: skip
    parser = argparse.ArgumentParser(prog=f"python -m {prog}", description=description)
    parser.add_argument("--check", action="store_true", help="fail if the page is stale instead of writing it")
    parser.add_argument("--output", type=Path, default=output, help=f"where the page lives (default: {output})")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run `make {make_target}` and commit the result", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0
