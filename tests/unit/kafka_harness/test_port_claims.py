"""Machine-wide port claims: two harnesses never pick the same port before their brokers bind it."""

from __future__ import annotations

import os
import random
import time

from gbus.kafka_harness.port_claims import PortClaims
from gbus.kafka_harness.ports import is_port_clash, pick_free_ports


def test_a_port_claimed_by_one_picker_is_refused_to_another(tmp_path):
    first, second = PortClaims(tmp_path), PortClaims(tmp_path)
    assert first.try_claim(20001)
    assert not second.try_claim(20001)
    assert first.try_claim(20001), "a holder may ask again"


def test_a_released_claim_can_be_taken_by_another_picker(tmp_path):
    first, second = PortClaims(tmp_path), PortClaims(tmp_path)
    first.try_claim(20002)
    first.release()
    assert second.try_claim(20002)
    assert second.held == {20002}


def test_a_claim_left_by_a_dead_picker_expires(tmp_path):
    PortClaims(tmp_path).try_claim(20003)  # never released, as after a SIGKILL
    old = time.time() - 301
    os.utime(tmp_path / "20003.claim", (old, old))
    assert PortClaims(tmp_path, ttl_s=300).try_claim(20003)


def test_pickers_sharing_claims_choose_disjoint_ports_even_with_the_same_random_choices(tmp_path):
    # Same seed: without claims both would pick exactly the same six ports.
    first = pick_free_ports(6, random.Random(3), claims=PortClaims(tmp_path))
    second = pick_free_ports(6, random.Random(3), claims=PortClaims(tmp_path))
    assert len(set(first)) == len(set(second)) == 6
    assert not set(first) & set(second)


def test_a_bind_failure_in_the_broker_log_is_recognised_as_a_port_clash():
    log = "ERROR [KafkaServer] Socket server failed to bind to 127.0.0.1:40123: Address already in use."
    assert is_port_clash(log)
    assert not is_port_clash("ERROR Exiting Kafka due to fatal exception: invalid cluster id")
