"""cluster.json: what a data dir holds, so `down`, `status` and a later `up` need only the dir.

Ports are part of the state because a formatted KRaft quorum remembers its controller
endpoints: a cluster is restarted on the ports it was formatted with.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from gbus.kafka_harness.config import NodeSpec
from gbus.kafka_harness.errors import DataDirError
from gbus.private_files import open_private

STATE_FILE = "cluster.json"
STATE_FORMAT = 1


@dataclass(slots=True)
class ClusterState:
    cluster_id: str
    kafka_version: str
    nodes: list[NodeSpec]
    extra_config: dict[str, str] = field(default_factory=dict)
    # SASL/SCRAM + ACLs (security.py); the passwords are in credentials.json, never here.
    secure: bool = False
    # Secure clusters: the CA directory the brokers' TLS certificates come from (kafka_harness.tls).
    ca_dir: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "format": STATE_FORMAT,
            "cluster_id": self.cluster_id,
            "kafka_version": self.kafka_version,
            "brokers": len(self.nodes),
            "nodes": [n.to_json() for n in self.nodes],
            "extra_config": dict(sorted(self.extra_config.items())),
            "secure": self.secure,
            "ca_dir": self.ca_dir,
        }


def state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def load_state(data_dir: Path) -> ClusterState | None:
    path = state_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DataDirError(f"{path} is unreadable ({exc}); remove the data dir or use --fresh") from exc
    if raw.get("format") != STATE_FORMAT:
        raise DataDirError(f"{path} has format {raw.get('format')!r}, expected {STATE_FORMAT}; use --fresh")
    try:
        return ClusterState(
            cluster_id=str(raw["cluster_id"]),
            kafka_version=str(raw["kafka_version"]),
            nodes=[NodeSpec.from_json(n) for n in raw["nodes"]],
            extra_config={str(k): str(v) for k, v in (raw.get("extra_config") or {}).items()},
            secure=bool(raw.get("secure", False)),
            ca_dir=str(raw.get("ca_dir", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataDirError(f"{path} is incomplete ({exc}); use --fresh") from exc


def save_state(data_dir: Path, state: ClusterState) -> None:
    path = state_path(data_dir)
    tmp = path.with_suffix(".json.tmp")
    with open_private(tmp, "w") as out:
        out.write(json.dumps(state.to_json(), indent=2) + "\n")
    os.replace(tmp, path)  # a reader never sees half a file


def is_harness_dir(data_dir: Path) -> bool:
    """True when the dir is absent, empty, or was made by this harness (safe to use or wipe)."""
    if not data_dir.exists():
        return True
    entries = [p.name for p in data_dir.iterdir()]
    ours = {STATE_FILE, ".harness.lock", "pki"}
    return all(name in ours or name.startswith(("node-", STATE_FILE, "credentials.json")) for name in entries)
