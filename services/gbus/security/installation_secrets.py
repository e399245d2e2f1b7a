"""This installation's own identity master and reporter HMAC secret, kept beside its CA.

`gbus pki init` and `gbus run --secure` create them once, from the operating
system's random source, as two 0600 files in the PKI directory; they are never
printed. They are created only when missing and never replaced: a new master
would leave every sealed identity unreadable (rotation is a deliberate step,
security.identity_previous_masters), and a new HMAC secret would split each
reporter in two for duplicate detection.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from gbus.private_files import FILE_MODE, private_dir

MASTER_FILE = "identity-master.hex"
HMAC_SECRET_FILE = "reporter-hmac.secret"
# 32 bytes: the identity master must be at least that (gbus.security.keys), and an
# HMAC-SHA256 key gains nothing from more.
_SECRET_BYTES = 32


@dataclass(frozen=True)
class InstallationSecrets:
    identity_master_hex: str = field(repr=False)
    reporter_hmac_secret: str = field(repr=False)

    def as_env(self) -> dict[str, str]:
        """The settings overrides a child process reads them from (never logged or printed)."""
        return {
            "GBUS__SECURITY__IDENTITY_MASTER_HEX": self.identity_master_hex,
            "GBUS__SECURITY__REPORTER_HMAC_SECRET": self.reporter_hmac_secret,
        }


def ensure_installation_secrets(pki_dir: str | Path) -> InstallationSecrets:
    """The secrets in `pki_dir`, each created first if it is missing."""
    root = private_dir(pki_dir)
    _create_once(root / MASTER_FILE, secrets.token_hex(_SECRET_BYTES))
    _create_once(root / HMAC_SECRET_FILE, secrets.token_urlsafe(_SECRET_BYTES))
    return load_installation_secrets(root)


def load_installation_secrets(pki_dir: str | Path) -> InstallationSecrets:
    root = Path(pki_dir)
    return InstallationSecrets(
        identity_master_hex=(root / MASTER_FILE).read_text(encoding="ascii").strip(),
        reporter_hmac_secret=(root / HMAC_SECRET_FILE).read_text(encoding="ascii").strip(),
    )


def _create_once(path: Path, value: str) -> None:
    try:
        # O_EXCL: two processes racing to create it cannot both write, and an existing
        # secret is never replaced.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(value + "\n")
