"""A process in secure mode refuses the published development secrets.

The development identity master (all zero bytes) and reporter HMAC secret are
in the source code: with them anyone opens every sealed reporter identity on
the topics and in the stores, also after erasure, and confirms a guessed phone
number against `reporter_key`. They exist so that `make run` needs no setup;
a process that is otherwise set up for production (mutual TLS, or an
authenticated Kafka login) must not start with them. Pure: settings in,
problems out.
"""

from __future__ import annotations

from gbus.config import ConfigError, SecuritySettings, Settings

_DEVELOPMENT = SecuritySettings()


def is_secure_mode(settings: Settings) -> bool:
    """Set up for production: callers authenticated by certificate, or Kafka by login."""
    return not settings.grpc.insecure_dev_mode or settings.kafka.security_protocol != "PLAINTEXT"


def public_default_problems(security: SecuritySettings, *, role: str) -> list[str]:
    """The settings of `role` ("node" or "processor") still holding a published development secret."""
    problems = []
    if security.reporter_hmac_secret == _DEVELOPMENT.reporter_hmac_secret:
        problems.append("security.reporter_hmac_secret is the published development secret")
    # A node with a keyring file never uses the master; without one it derives its keys from it.
    uses_master = role == "processor" or not security.identity_keyring
    if uses_master and _is_all_zero(security.identity_master_hex):
        problems.append("security.identity_master_hex is the published all-zero development master")
    return problems


def refuse_public_defaults(settings: Settings, *, role: str) -> None:
    """ConfigError naming each published secret still in use, when in secure mode."""
    if not is_secure_mode(settings):
        return
    problems = public_default_problems(settings.security, role=role)
    if problems:
        raise ConfigError(
            f"{role} refuses to start in secure mode with public secrets: {'; '.join(problems)}. "
            "Generate this installation's own with `gbus pki init` (files identity-master.hex and "
            "reporter-hmac.secret beside the CA, mode 0600) and set them in the config file or as "
            "GBUS__SECURITY__IDENTITY_MASTER_HEX and GBUS__SECURITY__REPORTER_HMAC_SECRET"
        )


def _is_all_zero(master_hex: str) -> bool:
    try:
        master = bytes.fromhex(master_hex)
    except ValueError:
        return False  # not hex at all: master_from_hex says so where the master is used
    return bool(master) and not any(master)
