"""Where the harness finds its inputs (deploy/kafka) and keeps its outputs (.cache, var).

The repository root is found from this file's location, so it works for the editable
install the project uses; GBUS_REPO_ROOT overrides it (e.g. for an installed copy).
"""

from __future__ import annotations

import os
from pathlib import Path

from gbus.kafka_harness.errors import HarnessError

DEFAULT_PORT = 9092
_MARKER = Path("deploy") / "kafka" / "pom.xml"


def repo_root() -> Path:
    override = os.environ.get("GBUS_REPO_ROOT")
    if override:
        root = Path(override).resolve()
        if not (root / _MARKER).is_file():
            raise HarnessError(f"GBUS_REPO_ROOT={override} has no {_MARKER}")
        return root
    for parent in Path(__file__).resolve().parents:
        if (parent / _MARKER).is_file():
            return parent
    raise HarnessError(
        f"cannot find {_MARKER} above {Path(__file__).resolve()}; "
        "run from a checkout of grievance-bus or set GBUS_REPO_ROOT"
    )


def deploy_dir() -> Path:
    return repo_root() / "deploy" / "kafka"


def pom_path() -> Path:
    return deploy_dir() / "pom.xml"


def cache_root() -> Path:
    """Jar cache; git-ignored via /.cache/."""
    return repo_root() / ".cache" / "kafka"


def default_data_dir() -> Path:
    """Data of `gbus kafka up` without --data-dir; git-ignored via /var/."""
    return repo_root() / "var" / "kafka"
