"""Cross-channel duplicate detection for grievance reports (issue 4).

Pure logic plus a per-shard index; imports no grpc, kafka or fastavro. The
case processor holds one `DedupEngine` per shard it owns:

    engine = DedupEngine(shard="79", config=DedupConfig())
    decision = engine.decide(report, now)          # pure: replay/link/possible_duplicate/new
    engine.add_report(IndexEntry.from_report(report, case_id))  # once placed
    engine.remove_report(report_id)                # unmerge
    engine.merge_cases(from_case_id, into_case_id)
    engine.set_case_status(case_id, open=False, at=closed_at)
    engine.expire(now)                             # closed cases age out

See docs/dedup.md for the stages, the decision bands and their measurements.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gbus.dedup.config import DedupConfig
    from gbus.dedup.engine import DECISIONS, DedupDecision, DedupEngine
    from gbus.dedup.entry import IndexEntry
    from gbus.dedup.reporter import reporter_key

__all__ = ["DECISIONS", "DedupConfig", "DedupDecision", "DedupEngine", "IndexEntry", "reporter_key"]

# Loaded on first use (PEP 562): importing one light module of the package, as the CLI
# does for `gbus dedup --help`, must not pull in numpy and the whole engine.
_HOME = {"DedupConfig": "config", "DECISIONS": "engine", "DedupDecision": "engine", "DedupEngine": "engine",
         "IndexEntry": "entry", "reporter_key": "reporter"}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'gbus.dedup' has no attribute {name!r}")
    return getattr(import_module(f"gbus.dedup.{_HOME[name]}"), name)
