"""The node's applied position is committed to its monitoring group, also on stop, and never gets in delivery's way."""

from __future__ import annotations

from kafka import TopicPartition
from kafka import errors as kerr

from gbus.node.position_reporter import PositionReporter

TP = TopicPartition("gbus.node.79", 0)


class FakeConsumer:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.assigned: list[TopicPartition] = []
        self.commits: list[int] = []
        self.closed = False

    def assign(self, tps):
        self.assigned = list(tps)

    def commit(self, offsets):
        if self.fail:
            raise kerr.KafkaTimeoutError("no coordinator")
        (meta,) = offsets.values()
        self.commits.append(meta.offset)

    def close(self, autocommit=True):
        self.closed = True


def test_the_position_is_committed_when_it_moves_and_not_again_when_it_does_not():
    consumer, position = FakeConsumer(), [None]
    reporter = PositionReporter(make_consumer=lambda: consumer, topic=TP.topic, position=lambda: position[0])
    assert reporter.report_once() is False  # nothing applied yet: nothing to say
    position[0] = 42
    assert reporter.report_once() is True
    assert reporter.report_once() is False
    position[0] = 57
    reporter.report_once()
    assert consumer.assigned == [TP] and consumer.commits == [42, 57]


def test_stopping_commits_the_last_position_so_a_stopped_nodes_lag_is_exact():
    consumer = FakeConsumer()
    reporter = PositionReporter(make_consumer=lambda: consumer, topic=TP.topic, position=lambda: 7, interval_s=3600)
    reporter.start()
    reporter.stop()
    assert consumer.commits == [7] and consumer.closed


def test_a_broker_that_refuses_the_commit_costs_a_new_client_and_nothing_else():
    made = [FakeConsumer(fail=True), FakeConsumer()]
    clients = iter(made)
    reporter = PositionReporter(
        make_consumer=lambda: next(clients), topic=TP.topic, position=lambda: 3, interval_s=3600
    )
    reporter.stop()  # the final report fails: logged, not raised
    assert made[0].closed and made[1].commits == []
    reporter2 = PositionReporter(make_consumer=lambda: made[1], topic=TP.topic, position=lambda: 3)
    assert reporter2.report_once() and made[1].commits == [3]
