"""Configuration: one TOML file per process, then environment overrides.

    gbus node --config deploy/config/node.toml --area 79
    GBUS__KAFKA__BOOTSTRAP_SERVERS=10.0.0.5:9092 gbus node ...

Environment variables named GBUS__<SECTION>__<KEY> override the file, so an
operator can change one value without editing files on a node. Unknown
sections or keys are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "GBUS__"


class ConfigError(Exception):
    """A configuration file or override is invalid; the message names the key."""


SECURITY_PROTOCOLS = ("PLAINTEXT", "SASL_SSL", "SASL_PLAINTEXT")


@dataclass(frozen=True)
class KafkaSettings:
    # Brokers to contact first, HOST:PORT[,HOST:PORT]; the client learns the rest of the cluster from them.
    bootstrap_servers: str = "127.0.0.1:9092"
    # Every topic name starts with this, so several buses (or test runs) can share a cluster.
    topic_prefix: str = "gbus."
    # One partition per shard: 34 provinces + "00" (no province).
    partitions: int = 35
    # Replicas of each bus topic and min.insync.replicas; 0 = min(3, brokers) and 2 when there
    # are two or more replicas (gbus.kafka_io.replication says why).
    replication_factor: int = 0
    min_insync_replicas: int = 0
    # Prefix of every Kafka client id (broker logs and quotas name the process by it).
    client_id: str = "gbus"
    # How long a Kafka request may take before the client gives up on it (and the default
    # --timeout of the operator commands).
    request_timeout_ms: int = 30_000
    # How long a produced record may be retried in all before its send fails (kafka-python's
    # default). Production values and their reasons: deploy/kafka/TUNING.md.
    delivery_timeout_ms: int = 120_000
    # How often a client refreshes cluster metadata even without an error (new brokers, partitions).
    metadata_max_age_ms: int = 300_000
    # A processor transaction left open by a dead instance blocks every read_committed reader
    # until the broker aborts it after this long. Keep it well above one batch plus its commit
    # (processor.transaction_step_timeout_s): three step deadlines by default.
    transaction_timeout_ms: int = 30_000
    # A consumer-group member that sends no heartbeat for this long is dropped and its partitions
    # go to another member (heartbeats every third of it).
    session_timeout_ms: int = 10_000
    # PLAINTEXT (development), SASL_SSL (a `gbus kafka up --secure` cluster: TLS to the brokers,
    # verified against the bus CA in ssl_cafile, and SCRAM logins) or SASL_PLAINTEXT (SCRAM without
    # TLS, for a cluster behind its own encrypted network). With SASL each
    # node authenticates as node-<area>, the processor as processor; see deploy/kafka/SECURITY.md).
    security_protocol: str = "PLAINTEXT"
    # SASL mechanism and user of this process (one SCRAM user per node and per processor).
    sasl_mechanism: str = "SCRAM-SHA-512"
    sasl_username: str = ""
    # Settings get logged; the password must not be.
    sasl_password: str = field(default="", repr=False)
    # PEM file of the CA that issued the brokers' certificates (SASL_SSL only).
    ssl_cafile: str = ""

    def __post_init__(self) -> None:
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise ConfigError(
                f"kafka.security_protocol: expected one of {', '.join(SECURITY_PROTOCOLS)}, got {self.security_protocol!r}"
            )

    def client_security(self) -> dict[str, Any]:
        """kafka-python keyword arguments for authentication and TLS ({} for PLAINTEXT)."""
        if self.security_protocol == "PLAINTEXT":
            return {}
        # Checked here, not in __post_init__: a file or the environment sets these one key at a time.
        if not (self.sasl_username and self.sasl_password):
            raise ConfigError(
                f"kafka.security_protocol={self.security_protocol} needs kafka.sasl_username and kafka.sasl_password"
            )
        login: dict[str, Any] = {
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.sasl_username,
            "sasl_plain_password": self.sasl_password,
        }
        if self.security_protocol == "SASL_SSL":
            # The bus CA, never the system's: a broker certificate from any public CA must not pass.
            if not self.ssl_cafile:
                raise ConfigError("kafka.security_protocol=SASL_SSL needs kafka.ssl_cafile (the bus CA certificate)")
            login.update(ssl_cafile=self.ssl_cafile, ssl_check_hostname=True)
        return login


@dataclass(frozen=True)
class GrpcSettings:
    # Where the node's gRPC API listens, HOST:PORT (port 0: any free port, printed at start).
    listen: str = "127.0.0.1:0"
    # Reports carry text only; 4 MiB bounds a malicious or broken client.
    max_message_bytes: int = 4 * 1024 * 1024
    # Threads for unary calls. Response streams (WatchCases) run on a pool of their own,
    # so open streams never take these (gbus.api.stream_guard).
    max_workers: int = 16
    # Response streams (WatchCases, health watches) open at once on this node; each holds a
    # stream-pool thread. Past it a new stream gets RESOURCE_EXHAUSTED (docs/security.md, Hardening).
    max_streams: int = 512
    # Response streams one calling agency may hold open at once, so one member system cannot take
    # every slot; past it RESOURCE_EXHAUSTED naming the agency.
    max_streams_per_agency: int = 32
    # A connection with no call for this long is closed; its client reconnects when needed.
    idle_connection_timeout_s: float = 300.0
    # Development only: trust the x-agency-id metadata header instead of mTLS.
    insecure_dev_mode: bool = True
    tls_cert: str = ""
    tls_key: str = ""
    tls_ca: str = ""
    # How long a command waits for the processor's answer before DEADLINE_EXCEEDED.
    command_timeout_s: float = 10.0


@dataclass(frozen=True)
class MetricsSettings:
    # Where /metrics is served for Prometheus, HOST:PORT (port 0: any free port, printed at start).
    listen: str = "127.0.0.1:0"


@dataclass(frozen=True)
class LoggingSettings:
    # DEBUG, INFO, WARNING or ERROR.
    level: str = "INFO"
    # json for production (one event per line); console for a human at a terminal.
    format: str = "json"


@dataclass(frozen=True)
class NodeSettings:
    # The area this node serves: VN (the central node) or a 2-digit province code.
    area: str = "VN"
    # The node's stores (a subdirectory per area): case copies, accepted requests, placements.
    data_dir: str = "var/node"
    # How long SubmitReport waits for the case processor to place the report before it
    # answers placed=false (GetReport tells later). Placing takes tens of milliseconds.
    placement_wait_s: float = 3.0
    # How many SubmitReport calls may wait for a placement at once. The others answer as
    # soon as Kafka has the report (placed=false). While the processor is behind, every
    # wait lasts placement_wait_s; without this bound they held all grpc.max_workers
    # threads and intake fell to a few reports a second (issue 13's fault campaign).
    # Keep it below grpc.max_workers; 0 never waits.
    placement_waiters: int = 8

    def __post_init__(self) -> None:
        if self.placement_waiters < 0:
            raise ConfigError(f"node.placement_waiters: must be 0 or more, got {self.placement_waiters!r}")


@dataclass(frozen=True)
class ProcessorSettings:
    # The processors' consumer group; every processor of one bus joins it.
    group_id: str = "gbus-processor"
    # Local cache of committed case state (rebuilt from Kafka at start).
    data_dir: str = "var/processor"
    # Stable name of this processor (default: the host name); a restart under the same
    # id fences its dead predecessor at once, a new id leaves its transaction to time out.
    instance_id: str = ""
    # Deadline of each transactional step (flush + offsets + commit; an abort; a new
    # producer's init). Past it the outcome is unknown: the producer is replaced and state
    # reloaded from Kafka. It bounds the stall after a coordinator broker dies (about this
    # long plus Kafka's own failover); shorter stalls less, but a loaded machine then
    # retries more commits.
    transaction_step_timeout_s: float = 10.0
    # How much work one transaction gathers: each poll takes as many records as fit in this
    # many seconds at the recent cost per record. Every report in a transaction waits for its
    # commit, so a longer bound means fewer, larger commits (fewer node copies per report)
    # and later answers; at 0.5 s node copies per report rose from 0.79 to 0.97 (issue 13).
    transaction_batch_s: float = 1.0

    def __post_init__(self) -> None:
        if not self.transaction_batch_s > 0:
            raise ConfigError(f"processor.transaction_batch_s: must be positive, got {self.transaction_batch_s!r}")


@dataclass(frozen=True)
class LegalClockSettings:
    # Operator copies of the legal clock's data files (docs/legal-clock.md); empty =
    # the file packaged in gbus/cases/data. Processor and nodes must read the same ones.
    time_limits: str = ""
    holidays: str = ""
    # The default marks no commune as remote: the province decides which are.
    remote_communes: str = ""


@dataclass(frozen=True)
class DirectorySettings:
    # Effective-dated administrative changes (docs/directory.md): wards merged, agencies
    # added, renamed or dissolved. The processor reads it at start and again when it
    # changes (checked at every tick); a change in force re-routes the open cases it
    # affects. Empty: none.
    changes_file: str = ""


@dataclass(frozen=True)
class SecuritySettings:
    # Keyed hash (HMAC) secret for same-reporter matching. Every intake node must
    # use the same one, or the same reporter looks like two. Development default.
    reporter_hmac_secret: str = field(default="dev-only-reporter-secret", repr=False)
    # Master secret (hex, >= 32 bytes) of the identity key custodian, i.e. the
    # processor: every agency's KEK and the custodian's X25519 key derive from it
    # (docs/identity.md). Development default; never configure it on a node
    # outside development.
    identity_master_hex: str = field(default="00" * 32, repr=False)
    # Names the master in every wrap, so a new master can replace an old one.
    identity_key_epoch: str = "dev-1"
    # Processor only, while rotating: "epoch:hex,epoch:hex" of masters being
    # retired, so their wraps still open and get re-wrapped under the current one.
    identity_previous_masters: str = field(default="", repr=False)
    # Node only: keyring file from `gbus identity keyring` (its area's agency KEKs
    # and the custodian's public key). Empty: development, derived from the master.
    identity_keyring: str = ""
    # Record origin (docs/security.md): this process signs what it writes to Kafka
    # with this certificate's key — a node's falls back to grpc.tls_cert/tls_key, the
    # processor's is processors/<instance>.pem, `gbus tick`'s an operators/ one.
    signing_cert: str = ""
    signing_key: str = ""
    # The public PKI directory (ca.pem, nodes/, processors/, operators/, crl.pem) that
    # signatures are checked against, re-read every trust_reload_s seconds. Empty:
    # nothing is verified (development only; logged loudly at start).
    trust_dir: str = ""
    trust_reload_s: float = 5.0


@dataclass(frozen=True)
class Settings:
    kafka: KafkaSettings = field(default_factory=KafkaSettings)
    grpc: GrpcSettings = field(default_factory=GrpcSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    node: NodeSettings = field(default_factory=NodeSettings)
    processor: ProcessorSettings = field(default_factory=ProcessorSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    legal_clock: LegalClockSettings = field(default_factory=LegalClockSettings)
    directory: DirectorySettings = field(default_factory=DirectorySettings)

    def replace(self, section: str, **values: Any) -> "Settings":
        return dataclasses.replace(self, **{section: dataclasses.replace(getattr(self, section), **values)})


# Section name -> its settings class, read off Settings itself so a new section needs no second list.
_SECTIONS: dict[str, type] = {f.name: f.default_factory for f in dataclasses.fields(Settings)}  # type: ignore[misc]


_SCALARS: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}


def _coerce(value: Any, target: type, where: str) -> Any:
    if target is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where}: expected true/false, got {value!r}")
    if target is int:
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected an integer, got {value!r}") from None
    if target is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {value!r}") from None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    return value


def _apply(settings: Settings, section: str, key: str, value: Any, where: str) -> Settings:
    if section not in _SECTIONS:
        raise ConfigError(f"{where}: unknown section [{section}] (known: {', '.join(_SECTIONS)})")
    cls = _SECTIONS[section]
    types = {f.name: f.type for f in dataclasses.fields(cls)}
    if key not in types:
        raise ConfigError(f"{where}: unknown key {section}.{key} (known: {', '.join(types)})")
    # Annotations are strings here (from __future__ import annotations); every setting is a scalar.
    annotation = types[key]
    target = _SCALARS.get(annotation if isinstance(annotation, str) else annotation.__name__, str)
    return settings.replace(section, **{key: _coerce(value, target, where)})


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    settings = Settings()
    if path:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {p}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: invalid TOML: {exc}") from exc
        for section, values in data.items():
            if not isinstance(values, dict):
                raise ConfigError(f"{p}: top-level key {section!r} must be a [section]")
            for key, value in values.items():
                settings = _apply(settings, section, key, value, f"{p} [{section}] {key}")
    for name, value in sorted((env if env is not None else os.environ).items()):
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if len(parts) != 2:
            raise ConfigError(f"environment {name}: expected GBUS__<SECTION>__<KEY>")
        settings = _apply(settings, parts[0], parts[1], value, f"environment {name}")
    return settings
