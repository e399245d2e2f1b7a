"""Where the harness finds its inputs (deploy/kafka) and keeps its outputs (jar cache, data).

The inputs — pom.xml, the broker property templates, log4j2.properties — ship in the
package (`gbus/kafka_harness/deploy` links to the top-level deploy/kafka in a checkout,
and the wheel build copies the files behind the link; gbus/resources.py says why), so
an installed copy runs `gbus kafka up` as a checkout does.

The outputs stay where a developer expects them: in a checkout, <repo>/.cache/kafka and
<repo>/var/kafka (both git-ignored); in an installed copy, the user's cache directory
and ./var/kafka. GBUS_KAFKA_CACHE names another jar cache (e.g. one shared by CI runs).
"""

from __future__ import annotations

import os
from pathlib import Path

from gbus.resources import packaged_path

DEFAULT_PORT = 9092
_CHECKOUT_MARKER = Path("deploy") / "kafka" / "pom.xml"


def deploy_dir() -> Path:
    return packaged_path("gbus.kafka_harness", "deploy")


def pom_path() -> Path:
    return deploy_dir() / "pom.xml"


def checkout_root() -> Path | None:
    """The repository this package runs from (editable install), or None for an installed copy."""
    for parent in Path(__file__).resolve().parents:
        if (parent / _CHECKOUT_MARKER).is_file():
            return parent
    return None


def cache_root() -> Path:
    """Jar cache: GBUS_KAFKA_CACHE, else .cache/kafka of the checkout, else the user's cache."""
    override = os.environ.get("GBUS_KAFKA_CACHE")
    if override:
        return Path(override).resolve()
    root = checkout_root()
    if root is not None:
        return root / ".cache" / "kafka"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gbus" / "kafka"


def default_data_dir() -> Path:
    """Data of `gbus kafka up` without --data-dir: var/kafka of the checkout, else of the working directory."""
    return (checkout_root() or Path.cwd()) / "var" / "kafka"
