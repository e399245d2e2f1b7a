"""Partition assignment: restore what is new, keep what comes straight back, drop what left."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from kafka import TopicPartition

from gbus.config import KafkaSettings
from gbus.observability.metrics import Metrics
from gbus.processor.loop import CaseProcessor
from gbus.processor.transactions import TransactionalProducer

from .conftest import TOPICS


class _Consumer:
    def __init__(self):
        self.generation = 0

    def group_metadata(self):
        return SimpleNamespace(generation_id=self.generation)

    def subscribe(self, topics, listener):
        self.listener = listener


@pytest.fixture
def proc(kit, monkeypatch):
    consumer = _Consumer()
    producer = TransactionalProducer(lambda: SimpleNamespace(init_transactions=lambda: None))
    p = CaseProcessor(kafka=KafkaSettings(), topics=TOPICS, group_id="g", instance_id="i",
                      make_consumer=lambda: consumer, producer=producer, store=kit.store, handler=kit.handler,
                      outputs=kit.outputs, index=kit.index, metrics=Metrics())  # fmt: skip
    p.start()
    p.restored, p.dropped = [], []
    monkeypatch.setattr(p, "_restore", lambda parts: p.restored.append(sorted(parts)))
    real_drop = p._drop
    monkeypatch.setattr(p, "_drop", lambda parts: (parts and p.dropped.append(sorted(parts)), real_drop(parts)))
    p.consumer = consumer
    return p


def _event(p, kind, partitions, generation):
    p.consumer.generation = generation
    tps = [TopicPartition(t, n) for t in (TOPICS.reports, TOPICS.commands) for n in partitions]
    getattr(p.consumer.listener, f"on_partitions_{kind}")(tps)
    p._settle_assignment()


def test_newly_assigned_partitions_are_restored_before_they_are_ready(proc):
    _event(proc, "assigned", [0, 1, 2, 3], 1)
    assert proc.restored == [[0, 1, 2, 3]] and proc.ready_partitions == {0, 1, 2, 3}


def test_partitions_given_straight_back_keep_their_state_and_the_others_are_dropped(proc):
    _event(proc, "assigned", [0, 1, 2, 3], 1)
    _event(proc, "revoked", [0, 1, 2, 3], 1)
    assert proc.ready_partitions == frozenset()
    _event(proc, "assigned", [0, 1], 2)
    assert proc.restored == [[0, 1, 2, 3]] and proc.dropped == [[2, 3]]
    assert proc.ready_partitions == {0, 1}


def test_partitions_back_after_a_missed_generation_are_restored_because_someone_else_may_have_had_them(proc):
    _event(proc, "assigned", [0, 1], 1)
    _event(proc, "revoked", [0, 1], 1)
    _event(proc, "assigned", [0, 1], 3)
    assert proc.restored == [[0, 1], [0, 1]] and proc.dropped == [[0, 1]]


def test_lost_partitions_are_dropped_at_once(proc):
    _event(proc, "assigned", [0, 1], 1)
    _event(proc, "lost", [0, 1], 1)
    assert proc.dropped == [[0, 1]] and proc.ready_partitions == frozenset()
    _event(proc, "assigned", [0, 1], 2)
    assert proc.restored == [[0, 1], [0, 1]]
