"""Real Apache Kafka (KRaft) on 127.0.0.1, started and stopped by the project itself.

Used by `gbus kafka up|down|status|fetch`, by the integration-test fixtures and by
anything else that needs a broker for development. Broker jars come from Maven Central
via deploy/kafka/pom.xml and are cached under <repo>/.cache/kafka/<version>/lib.

    with KafkaCluster(tmp_dir, brokers=3) as cluster:
        producer = KafkaProducer(bootstrap_servers=cluster.bootstrap_servers)
        cluster.kill(2)              # SIGKILL node 2
        cluster.restart(2)

Nothing here does I/O at import time.
"""

from gbus.kafka_harness.cluster import ClusterStatus, KafkaCluster, NodeStatus
from gbus.kafka_harness.config import NodeSpec
from gbus.kafka_harness.errors import (
    BrokerStartError,
    DataDirError,
    HarnessError,
    JarFetchError,
    MissingToolError,
    PortInUseError,
)
from gbus.kafka_harness.jars import KafkaRuntime, ensure_jars

__all__ = [
    "BrokerStartError",
    "ClusterStatus",
    "DataDirError",
    "HarnessError",
    "JarFetchError",
    "KafkaCluster",
    "KafkaRuntime",
    "MissingToolError",
    "NodeSpec",
    "NodeStatus",
    "PortInUseError",
    "ensure_jars",
]
