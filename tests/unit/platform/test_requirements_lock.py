"""requirements.lock installs exactly what pyproject.toml pins, every package with its hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if m := PIN.match(line):
            out[_norm(m.group(1))] = m.group(2)
    return out


def test_every_pin_of_pyproject_is_locked_at_the_same_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    locked = _locked()
    stale = []
    for pin in pins:
        m = PIN.match(pin)
        assert m, f"{pin}: pyproject.toml pins exactly (name==version)"
        name, version = _norm(m.group(1)), m.group(2)
        if locked.get(name) != version:
            stale.append(f"{name}: pyproject {version}, lock {locked.get(name)}")
    assert not stale, "requirements.lock is stale (run `make lock`): " + "; ".join(stale)


def test_every_locked_package_carries_a_hash():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [b for b in blocks if PIN.match(b)]
    assert pinned and all("--hash=sha256:" in b for b in pinned)
