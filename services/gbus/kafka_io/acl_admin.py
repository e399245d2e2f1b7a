"""Applying acl_policy rules to a cluster, and SCRAM credentials, with kafka-python's admin API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from gbus.kafka_io.acl_policy import AclRule


class AclApplyError(Exception):
    """The broker refused one or more ACLs; the message lists them."""


def to_kafka_acl(rule: AclRule) -> ACL:
    return ACL(
        principal=rule.principal,
        host="*",
        operation=ACLOperation[rule.operation.value],
        permission_type=ACLPermissionType.ALLOW,
        resource_pattern=ResourcePattern(
            ResourceType[rule.resource.value], rule.name, ACLResourcePatternType[rule.pattern.value]
        ),
    )


def apply_acls(admin: KafkaAdminClient, rules: Iterable[AclRule]) -> int:
    """Create the ACLs (creating an existing one is a no-op in Kafka); returns how many."""
    acls = [to_kafka_acl(r) for r in rules]
    if not acls:
        return 0
    result: dict[str, Any] = admin.create_acls(acls)
    failed = result.get("failed") or []
    if failed:
        detail = "; ".join(f"{acl}: {err}" for acl, err in failed)
        raise AclApplyError(f"{len(failed)} of {len(acls)} ACLs were refused: {detail}")
    return len(acls)


def set_scram_password(admin: KafkaAdminClient, user: str, password: str, mechanism: str = "SCRAM-SHA-512") -> None:
    """Create or replace a user's SCRAM credential (takes effect for new connections)."""
    mech = ScramMechanism[mechanism.replace("-", "_")]
    errors = admin.alter_user_scram_credentials([UserScramCredentialUpsertion(user, mech, password)])
    # {user: None} on success, {user: message} on failure.
    failed = {u: e for u, e in (errors or {}).items() if e}
    if failed:
        raise AclApplyError(f"changing the SCRAM credential of {user} failed: {failed}")
