"""The fault campaign's verdict: lost and doubled reports, stalls and gaps, each against its target."""

from __future__ import annotations

from gbus.devtools.fault_outcome import Targets, judge, longest_gap

TARGETS = Targets(max_commit_stall_s=15.0, max_ack_gap_s=15.0)


def test_the_longest_gap_counts_the_edges_of_the_window():
    assert longest_gap([2.0, 3.0, 9.0], 0.0, 10.0) == 6.0
    assert longest_gap([], 0.0, 10.0) == 10.0
    assert longest_gap([1.0, 20.0], 0.0, 10.0) == 9.0  # outside the window: ignored


def _judge(**overrides):
    args = dict(acked=["a", "b"], placed={"a": ["c1"], "b": ["c2"]}, chain_problems=0, nodes_converged=True,
                commit_times=[float(t) for t in range(0, 31)], ack_times=[float(t) for t in range(0, 31)],
                window=(0.0, 30.0), targets=TARGETS)  # fmt: skip
    args.update(overrides)
    return judge("processor-kill", **args)


def test_a_clean_run_passes_and_says_so_in_one_line():
    outcome = _judge()
    assert outcome.passed and outcome.found == 2 and outcome.commit_stall_s == 1.0
    assert outcome.line().startswith("processor-kill") and outcome.line().endswith("PASS")


def test_an_acknowledged_report_in_no_case_is_lost_and_fails_the_run():
    outcome = _judge(placed={"a": ["c1"]})
    assert outcome.lost == ("b",) and not outcome.passed and "1 acknowledged reports lost" in outcome.line()


def test_a_report_in_two_cases_is_doubled():
    outcome = _judge(placed={"a": ["c1", "c9"], "b": ["c2"]})
    assert outcome.doubled == ("a",) and not outcome.passed


def test_a_stall_over_its_target_fails_and_names_the_figure():
    commits = [0.0, 1.0, 20.0, 30.0]
    outcome = _judge(commit_times=commits)
    assert outcome.commit_stall_s == 19.0 and any("commit stall 19.0s > 15s" in f for f in outcome.failures)


def test_the_ack_gap_is_no_target_when_the_clients_own_node_is_the_one_killed():
    outcome = _judge(ack_times=[0.0, 30.0], targets=Targets(max_commit_stall_s=15.0, max_ack_gap_s=None))
    assert outcome.ack_gap_s == 30.0 and outcome.passed


def test_a_hang_fails_whatever_else_was_seen():
    assert not _judge(hung=True).passed
