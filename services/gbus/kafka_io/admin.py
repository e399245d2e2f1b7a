"""Creating the bus's topics (idempotently) from gbus.topics specs."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from gbus.config import KafkaSettings
from gbus.observability.logging import get_logger
from gbus.topics import TopicSpec

_log = get_logger("gbus.kafka")


def ensure_topics(settings: KafkaSettings, specs: list[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    admin = KafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers.split(","),
        client_id=f"{settings.client_id}-admin",
        request_timeout_ms=settings.request_timeout_ms,
    )
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
        created = [s.name for s in missing]
        _log.info("topics_created", topics=created)
        return created
    finally:
        admin.close()
