"""Creating the bus's topics (idempotently) from gbus.topics specs."""

from __future__ import annotations

from kafka.admin import NewTopic
from kafka.errors import ClusterAuthorizationFailedError, TopicAlreadyExistsError, TopicAuthorizationFailedError

from gbus.config import KafkaSettings
from gbus.kafka_io.clients import make_admin
from gbus.observability.logging import get_logger
from gbus.topics import TopicSpec

_log = get_logger("gbus.kafka")


def ensure_topics(settings: KafkaSettings, specs: list[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    admin = make_admin(settings, "admin")
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        new = [
            NewTopic(s.name, num_partitions=s.partitions, replication_factor=settings.replication_factor, topic_configs=s.config)
            for s in missing
        ]
        try:
            admin.create_topics(new, validate_only=False)
        except TopicAlreadyExistsError:
            pass  # another process created them between list and create
        except (TopicAuthorizationFailedError, ClusterAuthorizationFailedError):
            # A secure cluster (docs/kafka-security.md): a node may not create topics, nor even
            # see those it has no ACL for, so "missing" may only mean "not ours". The admin
            # creates the topics; a node that needs a truly missing one fails when it uses it.
            _log.warning("topics_not_created", reason="not_authorized", user=settings.sasl_username,
                         topics=[s.name for s in missing])
            return []
        created = [s.name for s in missing]
        _log.info("topics_created", topics=created)
        return created
    finally:
        admin.close()
