"""Every reference to a file in the docs, code comments and messages points at a file that exists.

A link to a missing page is a bug (the brief), and it is the kind that nobody sees until a
reader follows it: relative Markdown links, `docs/….md` / `deploy/…` paths mentioned in code,
comments, protos and messages, and references to the old DESIGN.md, which the repository
does not carry, are all checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SKIP_DIRS = {".git", ".venv", "var", ".cache", ".pytest_cache", ".hypothesis", "node_modules", "build", "dist"}
TEXT_SUFFIXES = {".py", ".md", ".proto", ".yaml", ".yml", ".toml", ".sh", ".avsc", ".txt", ".service", ".j2"}
GENERATED = re.compile(r"services/gbus/v1/.*_pb2(_grpc)?\.pyi?$")

MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
REPO_PATH = re.compile(r"(?<![\w./-])((?:docs|deploy|bench|schemas|protos)/[A-Za-z0-9_./*-]*[A-Za-z0-9_*])")
DESIGN = re.compile(r"DESIGN\.md|DESIGN §")


def _files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "Makefile"):
            if not GENERATED.search(rel.as_posix()):
                out.append(path)
    return out


FILES = _files()


def _exists_from_root(ref: str) -> bool:
    ref = ref.split("#", 1)[0].rstrip(".,:;")
    if any(ch in ref for ch in "*{}<>$"):  # a pattern or a placeholder, not one file
        return True
    return (ROOT / ref).exists()


def test_the_scan_sees_the_docs_and_the_code() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert "README.md" in names and "services/gbus/config.py" in names


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".md"], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_markdown_links_point_at_files_that_exist(path: Path) -> None:
    missing = []
    for target in MD_LINK.findall(path.read_text(encoding="utf-8", errors="replace")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file_part = target.split("#", 1)[0]
        if file_part and not (path.parent / file_part).exists():
            missing.append(target)
    assert not missing, f"{path.relative_to(ROOT)} links to missing files: {missing}"


# pyproject.toml's package-data globs are relative to each package, not to the repository.
NOT_REPO_RELATIVE = {"pyproject.toml"}


def test_paths_named_in_code_comments_and_docs_exist() -> None:
    missing = []
    for path in FILES:
        if path.name in NOT_REPO_RELATIVE:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            for ref in REPO_PATH.findall(line):
                if "://" in line and ref in line.split("://", 1)[1]:
                    continue  # part of a URL
                if not _exists_from_root(ref):
                    missing.append(f"{path.relative_to(ROOT)}:{lineno}: {ref}")
    assert not missing, "references to missing files:\n" + "\n".join(missing)


def test_nothing_refers_to_the_old_design_document() -> None:
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        # A published schema version is never edited (gbus schemas check), old wording and all.
        for p in FILES if p.name != Path(__file__).name and p.suffix != ".avsc"
        for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if DESIGN.search(line)
    ]  # fmt: skip
    assert not found, "DESIGN.md is not part of this repository; point at a docs/ page instead:\n" + "\n".join(found)
