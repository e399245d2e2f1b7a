"""`gbus run --bootstrap`: a Kafka cluster someone else runs, in the place of the harness's own.

It offers the two things `gbus run` asks of a harness cluster (its bootstrap servers and each
process's login) and is never started or stopped by the run: the cluster outlives the bus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gbus.config import KafkaSettings

if TYPE_CHECKING:
    from gbus.kafka_harness.security import KafkaLogin


class UnreachableKafka(Exception):
    """No broker at the given bootstrap servers answered."""


@dataclass(frozen=True, slots=True)
class ExternalKafka:
    bootstrap_servers: str

    def settings_fields(self, user: str) -> KafkaLogin:
        # Plaintext, as the harness's development cluster: every process connects the same way.
        return {}

    def check_reachable(self, timeout_ms: int = 15_000) -> int:
        """The number of live brokers; UnreachableKafka names the address when none answers."""
        from kafka.errors import KafkaError

        from gbus.kafka_io.clients import make_admin

        settings = KafkaSettings(bootstrap_servers=self.bootstrap_servers)
        try:
            admin = make_admin(settings, "run", bootstrap_timeout_ms=timeout_ms)
        except KafkaError as exc:
            raise UnreachableKafka(
                f"no Kafka broker answered at {self.bootstrap_servers}: {type(exc).__name__}"
            ) from exc
        try:
            return len(admin.describe_cluster().get("brokers") or ())
        finally:
            admin.close()

    def stop(self) -> None:
        """Nothing: the cluster is not ours to stop."""
