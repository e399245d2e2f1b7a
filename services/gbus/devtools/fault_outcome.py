"""What one fault cost: the verdict of a fault-campaign run, computed from what was observed. Pure.

`bench/fault_campaign.py` (`make test-faults`) drives the bus through one fault at a time
under steady load and records four things: when each submission was acknowledged, where
each report ended up (the latest committed case snapshots), whether every case's event
chain verifies and every node caught up, and when committed case snapshots became
visible. This module turns those into the line the campaign prints and decides pass or
fail against the targets of issue 13.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Targets:
    # Longest time without a newly committed case snapshot, measured over the whole run.
    max_commit_stall_s: float
    # Longest time without any acknowledged submission (None: not a target for this fault,
    # e.g. the node the clients talk to is the one killed).
    max_ack_gap_s: float | None = 15.0


@dataclass(frozen=True)
class Outcome:
    fault: str
    acknowledged: int
    found: int
    lost: tuple[str, ...]
    doubled: tuple[str, ...]
    chains_verified: bool
    nodes_converged: bool
    commit_stall_s: float
    ack_gap_s: float
    hung: bool = False
    failures: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.failures

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL: " + "; ".join(self.failures)
        return (
            f"{self.fault:<24} acknowledged={self.acknowledged} found={self.found} lost={len(self.lost)} "
            f"doubled={len(self.doubled)} chains_verified={str(self.chains_verified).lower()} "
            f"nodes_converged={str(self.nodes_converged).lower()} longest_commit_stall={self.commit_stall_s:.1f}s "
            f"longest_ack_gap={self.ack_gap_s:.1f}s  {verdict}"
        )


def longest_gap(times: Iterable[float], start: float, end: float) -> float:
    """The longest interval in [start, end] that contains none of `times` (the edges count)."""
    points = sorted(t for t in times if start <= t <= end)
    edges = [start, *points, end]
    return max((b - a for a, b in zip(edges, edges[1:])), default=end - start)


def judge(
    fault: str,
    *,
    acked: Iterable[str],
    placed: Mapping[str, Sequence[str]],
    chain_problems: int,
    nodes_converged: bool,
    commit_times: Iterable[float],
    ack_times: Iterable[float],
    window: tuple[float, float],
    targets: Targets,
    hung: bool = False,
) -> Outcome:
    """`placed`: report id -> the case ids whose latest snapshot lists it (one, if all is well)."""
    acked_ids = set(acked)
    lost = tuple(sorted(r for r in acked_ids if not placed.get(r)))
    doubled = tuple(sorted(r for r, cases in placed.items() if len(cases) > 1))
    stall = longest_gap(commit_times, *window)
    gap = longest_gap(ack_times, *window)
    failures: list[str] = []
    if hung:
        failures.append("the processor hung")
    if lost:
        failures.append(f"{len(lost)} acknowledged reports lost")
    if doubled:
        failures.append(f"{len(doubled)} reports in more than one case")
    if chain_problems:
        failures.append(f"{chain_problems} chain problems")
    if not nodes_converged:
        failures.append("a node did not catch up")
    if stall > targets.max_commit_stall_s:
        failures.append(f"commit stall {stall:.1f}s > {targets.max_commit_stall_s:.0f}s")
    if targets.max_ack_gap_s is not None and gap > targets.max_ack_gap_s:
        failures.append(f"ack gap {gap:.1f}s > {targets.max_ack_gap_s:.0f}s")
    return Outcome(
        fault=fault, acknowledged=len(acked_ids), found=sum(1 for r in acked_ids if placed.get(r)),
        lost=lost, doubled=doubled, chains_verified=chain_problems == 0, nodes_converged=nodes_converged,
        commit_stall_s=stall, ack_gap_s=gap, hung=hung, failures=tuple(failures),
    )  # fmt: skip
