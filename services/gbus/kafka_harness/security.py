"""`--secure` clusters: SASL/SCRAM-SHA-512 for clients, ACLs enforced, credentials in the data dir.

    <data-dir>/credentials.json   (0600) every SCRAM user's password + the controller's

Listeners of a secure node:
    SASL_SSL://127.0.0.1:<port>         clients and inter-broker traffic: TLS with a certificate
                                        from the bus CA (tls.py), then SCRAM-SHA-512 (brokers as admin)
    CONTROLLER://127.0.0.1:<cport>      KRaft, SASL/PLAIN with one static user "controller"; the only
                                        listener without TLS, and on loopback only (in production the
                                        controllers' network is the operator's, deploy/kafka/)

KRaft cannot use SCRAM on the controller listener (the credentials live in the metadata log
the controller is serving), and a PLAINTEXT controller listener would make the broker's
registration come from User:ANONYMOUS, which would then have to be a super user. PLAIN with a
static, generated password keeps ANONYMOUS powerless. SCRAM users are created when storage
is formatted (StorageTool --add-scram), so the first broker start already authenticates them.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from gbus.config import KafkaSettings
from gbus.kafka_harness.config import NodeSpec
from gbus.kafka_harness.errors import DataDirError
from gbus.kafka_harness.ports import HOST
from gbus.kafka_harness.tls import BrokerTls
from gbus.kafka_io.acl_policy import ADMIN_USER, PROCESSOR_USER, node_user

CREDENTIALS_FILE = "credentials.json"
MECHANISM = "SCRAM-SHA-512"
CONTROLLER_USER = "controller"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


@dataclass(frozen=True, slots=True)
class Credentials:
    users: dict[str, str]
    controller_password: str
    mechanism: str = MECHANISM

    @classmethod
    def generate(cls, areas: Iterable[str]) -> "Credentials":
        names = [ADMIN_USER, PROCESSOR_USER, *(node_user(a) for a in areas)]
        return cls(users={n: new_password() for n in names}, controller_password=new_password())

    def password(self, user: str) -> str:
        try:
            return self.users[user]
        except KeyError:
            raise DataDirError(f"no Kafka user {user!r} in this cluster's {CREDENTIALS_FILE}") from None

    def with_password(self, user: str, password: str) -> "Credentials":
        return Credentials({**self.users, user: password}, self.controller_password, self.mechanism)

    def to_json(self) -> dict[str, object]:
        return {"mechanism": self.mechanism, "users": self.users, "controller_password": self.controller_password}


def new_password() -> str:
    # 32 URL-safe characters: no quote or backslash can break the JAAS line or the --add-scram value.
    return secrets.token_urlsafe(24)


def credentials_path(data_dir: Path) -> Path:
    return data_dir / CREDENTIALS_FILE


def save_credentials(data_dir: Path, creds: Credentials) -> None:
    path = credentials_path(data_dir)
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(creds.to_json(), handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def load_credentials(data_dir: Path) -> Credentials:
    path = credentials_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(
            users={str(k): str(v) for k, v in raw["users"].items()},
            controller_password=str(raw["controller_password"]),
            mechanism=str(raw.get("mechanism", MECHANISM)),
        )
    except FileNotFoundError:
        raise DataDirError(f"{path} is missing: this secure cluster cannot be used; use --fresh") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataDirError(f"{path} is unreadable ({exc}); use --fresh") from exc


def scram_format_args(creds: Credentials) -> list[str]:
    """StorageTool format arguments that create every SCRAM user in the bootstrap metadata."""
    args: list[str] = []
    for user, password in sorted(creds.users.items()):
        args += ["--add-scram", f"{creds.mechanism}=[name={user},password={password}]"]
    return args


def broker_overrides(node: NodeSpec, creds: Credentials, tls: BrokerTls) -> dict[str, str]:
    """server.properties lines that replace the template's PLAINTEXT listeners (later keys win)."""
    admin_jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN_USER}" password="{creds.password(ADMIN_USER)}";'
    )
    cpw = creds.controller_password
    controller_jaas = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{CONTROLLER_USER}" password="{cpw}" user_{CONTROLLER_USER}="{cpw}";'
    )
    return {
        "listeners": f"SASL_SSL://{HOST}:{node.port},CONTROLLER://{HOST}:{node.controller_port}",
        "advertised.listeners": f"SASL_SSL://{HOST}:{node.port},CONTROLLER://{HOST}:{node.controller_port}",
        "listener.security.protocol.map": "CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
        "inter.broker.listener.name": "SASL_SSL",
        "sasl.enabled.mechanisms": creds.mechanism,
        "sasl.mechanism.inter.broker.protocol": creds.mechanism,
        f"listener.name.sasl_ssl.{creds.mechanism.lower()}.sasl.jaas.config": admin_jaas,
        **tls.broker_config(),
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": controller_jaas,
        "authorizer.class.name": AUTHORIZER,
        "super.users": f"User:{ADMIN_USER};User:{CONTROLLER_USER}",
        "allow.everyone.if.no.acl.found": "false",
    }


class KafkaLogin(TypedDict, total=False):
    """The KafkaSettings fields of a login ({} for a plaintext cluster)."""

    security_protocol: str
    sasl_mechanism: str
    sasl_username: str
    sasl_password: str
    ssl_cafile: str


def settings_fields(creds: Credentials, ca_file: Path, user: str = ADMIN_USER) -> KafkaLogin:
    """KafkaSettings fields (GBUS__KAFKA__<FIELD>) that connect over TLS and log in as `user`."""
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": creds.mechanism,
        "sasl_username": user,
        "sasl_password": creds.password(user),
        "ssl_cafile": str(ca_file),
    }


def client_config(creds: Credentials, ca_file: Path, user: str = ADMIN_USER) -> dict[str, object]:
    """kafka-python keyword arguments: the same login, through KafkaSettings (one place for the rule)."""
    return KafkaSettings(**settings_fields(creds, ca_file, user)).client_security()
