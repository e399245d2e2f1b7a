"""The docs' shell examples that need no broker run as written, and succeed.

An example is a line in a fenced code block of README.md or docs/*.md that runs `gbus route`
or `gbus schemas` (pure commands: no Kafka, no node). It is run with bash from the
repository root, `gbus` being this checkout's; its trailing `# comment` is the reader's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PURE = re.compile(r"\bgbus (route|schemas) ")
FENCE = re.compile(r"^```")


def _examples() -> list[tuple[str, str]]:
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        inside = False
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if FENCE.match(line.strip()):
                inside = not inside
                continue
            command = line.split("  #", 1)[0].strip()
            if inside and PURE.search(command) and "my_" not in command and "[" not in command:
                found.append((f"{page.relative_to(ROOT)}:{n}", command))
    return found


EXAMPLES = _examples()


def test_the_docs_have_pure_examples_to_run():
    assert any(where.startswith("README.md") for where, _ in EXAMPLES)


@pytest.mark.parametrize(("where", "command"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_a_documented_example_runs(where: str, command: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, f"{where}: `{command}` failed:\n{done.stderr[-800:]}"
    assert done.stdout.strip(), f"{where}: `{command}` printed nothing"
