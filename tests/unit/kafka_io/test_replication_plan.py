import pytest

from gbus.kafka_io.replication import Replication, ReplicationError, plan_replication


@pytest.mark.parametrize(
    ("brokers", "expected"),
    [(1, Replication(1, 1)), (2, Replication(2, 2)), (3, Replication(3, 2)), (5, Replication(3, 2))],
)
def test_default_is_up_to_three_replicas_with_two_in_sync_once_replicated(brokers, expected):
    assert plan_replication(brokers) == expected


def test_one_replica_sets_no_topic_override_so_the_broker_default_applies():
    assert plan_replication(1).topic_config() == {}
    assert plan_replication(3).topic_config() == {"min.insync.replicas": "2"}


def test_explicit_values_win_over_the_defaults():
    assert plan_replication(5, factor=5, min_insync=3) == Replication(5, 3)
    assert plan_replication(3, factor=1) == Replication(1, 1)


def test_more_replicas_than_brokers_is_refused_naming_the_option():
    with pytest.raises(ReplicationError, match="--replication-factor 3 needs 3 brokers; the cluster has 1"):
        plan_replication(1, factor=3)


@pytest.mark.parametrize("min_insync", [4, -1])
def test_min_insync_outside_one_to_the_factor_is_refused(min_insync):
    # Kafka would accept it and then refuse every acks=all write with NotEnoughReplicas.
    with pytest.raises(ReplicationError, match="--min-insync"):
        plan_replication(3, min_insync=min_insync)


def test_a_cluster_without_live_brokers_has_no_plan():
    with pytest.raises(ReplicationError, match="no live broker"):
        plan_replication(0)
