"""Data files that ship inside the package (schemas, rules, roles, sample data).

Found with importlib.resources rather than from a checkout's layout, so an
installed wheel finds the same files an editable checkout does. Callers get a
filesystem Path because the files are also passed on as paths (`--dir`,
`--rules`, error messages); pip always installs a wheel unzipped, so the
package data is a real directory.

Three entries are symlinks in the checkout, so that each data set keeps one
source of truth where people look for it: `gbus/codec/schemas` points at the
top-level `schemas/` (reviewed and locked as the wire contract),
`gbus/devrun/sample` at `deploy/sample/`, and `gbus/kafka_harness/deploy` at
`deploy/kafka/` (the harness's pom.xml and broker templates). Building the wheel copies the files
behind the links (see [tool.setuptools.package-data] in pyproject.toml).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def packaged_path(package: str, *parts: str) -> Path:
    """A file or directory shipped in `package`, e.g. packaged_path("gbus.codec", "schemas")."""
    found = resources.files(package).joinpath(*parts)
    if not isinstance(found, Path):
        raise RuntimeError(f"{package} is not installed as plain files ({found!r}); install the wheel with pip")
    return found
