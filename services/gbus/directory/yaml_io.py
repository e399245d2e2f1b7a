"""YAML reading shared by the directory and routing data files.

The C loader is ~10x faster than the pure-Python one; the directory's build
budget (< 1 s) is why it matters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class DataFileError(ValueError):
    """A data file (role template, extra agencies, rules, time limits) is wrong.

    A configuration error found at start-up, not a request error, so it is
    not a BusError: it must stop the process with a message naming the file
    and the entry.
    """


def load_yaml(path: str | Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML: {exc}") from exc
