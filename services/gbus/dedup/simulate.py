"""Run the engine over a batch of reports exactly as the case processor
would: in `submitted_at` order, one engine per shard, the same calls.

Used by `gbus dedup cluster`/`eval` and by the corpus tests, so what is
measured offline is what runs live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gbus.dedup.config import DedupConfig
from gbus.dedup.engine import DedupDecision, DedupEngine
from gbus.dedup.entry import IndexEntry
from gbus.domain.report import Report
from gbus.domain.vocabulary import shard_of_province

# The live processor expires aged-out cases periodically, not per report.
_EXPIRE_EVERY = 1000


@dataclass(frozen=True, slots=True)
class Placement:
    report: Report
    case_id: str
    decision: DedupDecision


@dataclass(frozen=True, slots=True)
class Run:
    placements: list[Placement]
    engines: dict[str, DedupEngine]  # final state, for explaining decisions


def place_reports(reports: Iterable[Report], config: DedupConfig | None = None) -> Run:
    """Each report's case, deciding in submission order (ties by report id)."""
    engines: dict[str, DedupEngine] = {}
    counters: dict[str, int] = {}
    placements: list[Placement] = []
    ordered = sorted(reports, key=lambda r: (r.submitted_at, r.report_id))
    for n, report in enumerate(ordered, start=1):
        shard = shard_of_province(report.province_code)
        engine = engines.get(shard)
        if engine is None:
            engine = engines[shard] = DedupEngine(shard, config)
        decision = engine.decide(report, now=report.submitted_at)
        if decision.decision in ("replay", "link") and decision.case_id is not None:
            case_id = decision.case_id
        else:
            counters[shard] = counters.get(shard, 0) + 1
            case_id = f"{shard}-{counters[shard]:06d}"  # case ids start with the shard
        if decision.decision != "replay":
            engine.add_report(IndexEntry.from_report(report, case_id))
        placements.append(Placement(report, case_id, decision))
        if n % _EXPIRE_EVERY == 0:
            for other in engines.values():
                other.expire(report.submitted_at)
    return Run(placements, engines)
