"""The Prometheus file_sd targets file for a `gbus run` topology. Pure apart from the write.

Processes pick their metrics ports at run time, so deploy/prometheus/prometheus.yml
reads its targets from a file that `gbus run` writes once every process is
ready (and again when one restarts). Prometheus re-reads the file on change.

    write_scrape_targets(run_dir / "scrape-targets" / "gbus.json", [
        ScrapeProcess("processor", "p1", "http://127.0.0.1:40125/metrics"),
        ScrapeProcess("node", "node-79", "http://127.0.0.1:40124/metrics", area="79"),
        ScrapeProcess("monitor", "monitor", "http://127.0.0.1:40126/metrics"),
    ])
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROLES = ("processor", "node", "monitor")


@dataclass(frozen=True, slots=True)
class ScrapeProcess:
    role: str  # processor | node | monitor: alert rules select by this label
    name: str  # unique per process, e.g. node-79, p1
    metrics_url: str  # as the process printed it: http://HOST:PORT/metrics
    area: str = ""  # nodes only: VN or a province code


def scrape_targets(processes: Iterable[ScrapeProcess]) -> list[dict[str, Any]]:
    """file_sd JSON groups: one per process, labelled role, process and (nodes) area."""
    groups = []
    for p in processes:
        if p.role not in ROLES:
            raise ValueError(f"unknown role {p.role!r} of {p.name} (one of {', '.join(ROLES)})")
        url = urlsplit(p.metrics_url)
        if url.scheme != "http" or not url.hostname or not url.port:
            raise ValueError(f"{p.name}: expected http://HOST:PORT/metrics, got {p.metrics_url!r}")
        labels = {"role": p.role, "process": p.name}
        if url.path and url.path != "/metrics":
            labels["__metrics_path__"] = url.path
        if p.area:
            # Not "node": the node's own series carry node="79" and would be renamed exported_node.
            labels["area"] = p.area
        groups.append({"targets": [f"{url.hostname}:{url.port}"], "labels": labels})
    return groups


def write_scrape_targets(path: str | Path, processes: Iterable[ScrapeProcess]) -> Path:
    """Write atomically: Prometheus watches the file and must never read half of it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(scrape_targets(processes), indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
