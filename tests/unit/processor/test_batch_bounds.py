"""A batch (one transaction) is bounded in records and in time: a poll asks for what fits."""

from __future__ import annotations

from types import SimpleNamespace

from gbus.config import KafkaSettings
from gbus.observability.metrics import Metrics
from gbus.processor.loop import CaseProcessor
from gbus.processor.transactions import TransactionalProducer

from .conftest import TOPICS


class _Consumer:
    def __init__(self):
        self.asked = []

    def poll(self, timeout_ms, max_records):
        self.asked.append(max_records)
        return {}


def _processor(kit, consumer, metrics=None):
    producer = TransactionalProducer(lambda: SimpleNamespace(init_transactions=lambda: None))
    p = CaseProcessor(kafka=KafkaSettings(), topics=TOPICS, group_id="g", instance_id="i",
                      make_consumer=lambda: consumer, producer=producer, store=kit.store, handler=kit.handler,
                      outputs=kit.outputs, index=kit.index, metrics=metrics or Metrics(), max_batch=500,
                      batch_seconds=1.0)  # fmt: skip
    p._consumer = consumer
    return p


def test_a_poll_asks_for_a_small_first_batch_until_a_record_s_cost_is_known_then_for_what_fits_the_time_bound(kit):
    consumer = _Consumer()
    p = _processor(kit, consumer)
    p.poll_once(0)
    p._record_cost_s = 0.01  # 10 ms a record: 100 fit in a second
    p.poll_once(0)
    p._record_cost_s = 0.0001  # cheap records: the size bound again
    p.poll_once(0)
    p._record_cost_s = 5.0  # one record is over the bound already: still one at a time
    p.poll_once(0)
    assert consumer.asked == [50, 100, 500, 1]


def test_a_batch_s_counts_are_added_once_per_counter_and_labels(kit):
    metrics = Metrics()
    p = _processor(kit, _Consumer(), metrics)
    p._count([("dedup_decisions", {"decision": "new"})] * 3 + [("dedup_decisions", {"decision": "link"})])
    assert metrics.dedup_decisions.labels(decision="new")._value.get() == 3
    assert metrics.dedup_decisions.labels(decision="link")._value.get() == 1
