"""What the client factories give kafka-python: the settings that matter for correctness and cost."""

from __future__ import annotations

from gbus.config import KafkaSettings
from gbus.kafka_io.clients import TRANSACTIONAL_BATCHING, group_member_request_timeout_ms, producer_config


def test_every_producer_is_idempotent_and_waits_for_all_in_sync_replicas():
    for txn in (None, "g-p1"):
        config = producer_config(KafkaSettings(), "x", transactional_id=txn)
        assert config["acks"] == "all" and config["enable_idempotence"] is True


def test_a_transactional_producer_batches_for_throughput_and_a_plain_one_for_latency():
    plain = producer_config(KafkaSettings(), "node-79")
    txn = producer_config(KafkaSettings(), "processor-p1", transactional_id="g-p1")
    assert plain["linger_ms"] == 5 and "batch_size" not in plain
    assert txn["transactional_id"] == "g-p1"
    assert {k: txn[k] for k in TRANSACTIONAL_BATCHING} == TRANSACTIONAL_BATCHING
    # A batch must fit the broker's default message.max.bytes (1 MiB), which small topics keep.
    assert TRANSACTIONAL_BATCHING["batch_size"] < 1024 * 1024


def test_extra_settings_override_the_defaults():
    config = producer_config(KafkaSettings(), "x", transactional_id="g-p1", linger_ms=0, max_block_ms=500)
    assert (config["linger_ms"], config["max_block_ms"]) == (0, 500)


def test_a_group_member_gives_up_on_a_silent_coordinator_within_half_its_session():
    # deploy/config: 10 s requests, 6 s sessions -> 3 s, so a second heartbeat can reach the
    # new coordinator before the session the old one held runs out.
    production = KafkaSettings(request_timeout_ms=10_000, session_timeout_ms=6_000)
    assert group_member_request_timeout_ms(production) == 3_000
    assert group_member_request_timeout_ms(KafkaSettings()) == KafkaSettings().session_timeout_ms // 2
    # Never longer than the configured request timeout, never under a second.
    assert group_member_request_timeout_ms(KafkaSettings(request_timeout_ms=2_000, session_timeout_ms=30_000)) == 2_000
    assert group_member_request_timeout_ms(KafkaSettings(request_timeout_ms=500, session_timeout_ms=1_000)) == 1_000
