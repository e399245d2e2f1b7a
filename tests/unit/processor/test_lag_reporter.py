"""The lag gauge is measured off the processing thread, and a broker that does not answer changes nothing."""

from __future__ import annotations

from kafka import TopicPartition
from kafka import errors as kerr

from gbus.processor.lag_reporter import LagReporter

REPORTS0, COMMANDS0 = TopicPartition("reports", 0), TopicPartition("commands", 0)


class FakeConsumer:
    def __init__(self, ends, committed, fail=False):
        self.ends, self.committed_at, self.fail = ends, committed, fail
        self.timeouts: list[int] = []
        self.closed = False

    def end_offsets(self, tps, timeout_ms=None):
        self.timeouts.append(timeout_ms)
        if self.fail:
            raise kerr.KafkaTimeoutError("no answer")
        return {tp: self.ends[tp] for tp in tps}

    def committed(self, tp, timeout_ms=None):
        self.timeouts.append(timeout_ms)
        return self.committed_at.get(tp)

    def close(self, autocommit=True):
        self.closed = True


def test_lag_is_end_minus_committed_for_each_owned_partition_with_bounded_calls():
    consumer = FakeConsumer({REPORTS0: 120, COMMANDS0: 7}, {REPORTS0: 100})
    published: dict[TopicPartition, int] = {}
    lag = LagReporter(make_consumer=lambda: consumer, owned=lambda: [REPORTS0, COMMANDS0],
                      publish=published.__setitem__, timeout_ms=1500)  # fmt: skip
    assert lag.report_once() == 2
    assert published == {REPORTS0: 20, COMMANDS0: 7}  # never committed: all of it is lag
    assert consumer.timeouts and all(t == 1500 for t in consumer.timeouts)


def test_a_broker_that_does_not_answer_drops_the_client_and_the_loop_goes_on():
    consumers = [FakeConsumer({}, {}, fail=True), FakeConsumer({REPORTS0: 5}, {REPORTS0: 5})]
    made = []

    def make():
        made.append(consumers[len(made)])
        return made[-1]

    published: dict[TopicPartition, int] = {}
    lag = LagReporter(make_consumer=make, owned=lambda: [REPORTS0], publish=published.__setitem__,
                      interval_s=0.01)  # fmt: skip
    lag.start()
    try:
        import time

        deadline = time.monotonic() + 3
        while REPORTS0 not in published and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        lag.close()
    assert consumers[0].closed and published == {REPORTS0: 0}


def test_nothing_owned_means_no_call_to_kafka():
    lag = LagReporter(make_consumer=lambda: (_ for _ in ()).throw(AssertionError("no client needed")),
                      owned=lambda: [], publish=lambda tp, n: None)  # fmt: skip
    assert lag.report_once() == 0
