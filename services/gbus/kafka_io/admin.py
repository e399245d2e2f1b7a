"""Creating the bus's topics (idempotently) from gbus.topics specs, and checking they exist.

Only `gbus topics create` (and `gbus run`, the tests and benchmarks, which stand in for an
operator) create topics. A node or processor never does: on a fresh 3-broker cluster it would
create them with whatever replication it was configured with (1 by default, once), and
nothing would say so. They check instead, and fail with the command to run.
"""

from __future__ import annotations

from kafka.admin import NewTopic
from kafka.errors import ClusterAuthorizationFailedError, TopicAlreadyExistsError, TopicAuthorizationFailedError

from gbus.config import KafkaSettings
from gbus.kafka_io.clients import make_admin
from gbus.kafka_io.replication import Replication, plan_replication
from gbus.observability.logging import get_logger
from gbus.topics import TopicSpec

_log = get_logger("gbus.kafka")


class MissingTopicsError(RuntimeError):
    """The bus's topics are not on the cluster; the message tells the operator what to run."""

    def __init__(self, bootstrap: str, missing: list[str]) -> None:
        self.missing = missing
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        super().__init__(
            f"the bus's topics are missing on {bootstrap}: {shown}. Nodes and processors never create "
            f"topics; an operator creates them once, with their replication, by running "
            f"`gbus topics create --bootstrap {bootstrap}` (see docs/operations-deploy.md)"
        )


def ensure_topics(settings: KafkaSettings, specs: list[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; return the names created.

    Replication follows settings.replication_factor / min_insync_replicas, where 0 means the
    default for the cluster's size (gbus.kafka_io.replication).
    """
    admin = make_admin(settings, "admin")
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        replication = _replication(admin, settings)
        new = [
            NewTopic(s.name, num_partitions=s.partitions, replication_factor=replication.factor,
                     topic_configs={**replication.topic_config(), **s.config})
            for s in missing
        ]  # fmt: skip
        try:
            admin.create_topics(new, validate_only=False)
        except TopicAlreadyExistsError:
            pass  # another process created them between list and create
        except (TopicAuthorizationFailedError, ClusterAuthorizationFailedError):
            # A secure cluster (deploy/kafka/SECURITY.md): a user that may not create topics is
            # told so here; the admin user creates them.
            _log.warning(
                "topics_not_created",
                reason="not_authorized",
                user=settings.sasl_username,
                topics=[s.name for s in missing],
            )
            return []
        created = [s.name for s in missing]
        _log.info("topics_created", topics=created, replication=replication.factor, min_insync=replication.min_insync)
        return created
    finally:
        admin.close()


def require_topics(settings: KafkaSettings, names: list[str], client_id: str) -> None:
    """Raise MissingTopicsError unless every topic in names exists (and is visible to this user).

    On a secure cluster a user sees only the topics its ACLs cover; every topic a process
    needs is among them, so "not visible" and "missing" fail the same way, both correctly.
    """
    admin = make_admin(settings, client_id)
    try:
        existing = set(admin.list_topics())
    finally:
        admin.close()
    missing = [n for n in names if n not in existing]
    if missing:
        raise MissingTopicsError(settings.bootstrap_servers, missing)


def _replication(admin: object, settings: KafkaSettings) -> Replication:
    brokers = len(admin.describe_cluster().get("brokers") or ())  # type: ignore[attr-defined]
    return plan_replication(brokers, settings.replication_factor, settings.min_insync_replicas)
