"""Opaque tokens a node hands out: WatchCases cursors, ListCases and ListAgencies page tokens.

Both name the store they came from (its epoch): a cursor from another node,
or from before this node's store was rebuilt, would silently skip or repeat
changes, so it is refused instead. A page token also carries a digest of the
query it belongs to, so it cannot be reused with different filters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from gbus.errors import ValidationError

# Positions and keys end up as SQLite parameters, which are signed 64-bit: a
# larger number from a forged token would fail there (OverflowError), not here.
_SQLITE_INT_MAX = 2**63 - 1
_MAX_POSITION_DIGITS = len(str(_SQLITE_INT_MAX))


def encode_cursor(epoch: str, position: int) -> str:
    return f"{epoch}.{position}"


def decode_cursor(cursor: str, epoch: str) -> int:
    """The change-log position after which to resume; 0 for an empty cursor."""
    if not cursor:
        return 0
    store_epoch, _, digits = cursor.partition(".")
    position = _position_of(digits)
    if position is None:
        raise ValidationError.single("cursor", "is not a cursor this bus issued")
    if store_epoch != epoch:
        raise ValidationError.single(
            "cursor", "was issued by another node or an earlier store of this node; resume with an empty cursor"
        )
    return position


def _position_of(digits: str) -> int | None:
    # isascii: str.isdigit() also accepts digits such as "²" that int() refuses.
    if not (digits.isascii() and digits.isdigit() and len(digits) <= _MAX_POSITION_DIGITS):
        return None
    position = int(digits)
    return position if position <= _SQLITE_INT_MAX else None


def query_digest(query: dict[str, Any]) -> str:
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def encode_page_token(epoch: str, digest: str, last_key: tuple[int | str, ...]) -> str:
    raw = json.dumps({"e": epoch, "q": digest, "k": list(last_key)}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_page_token(
    token: str, epoch: str, digest: str, key_types: tuple[type, ...] = (int, str)
) -> tuple[Any, ...] | None:
    """The key of the last item already returned; None for the first page.

    `key_types` is the key's shape, converted element by element so a forged
    token fails here: (opened_at_ms, case_id) for cases, (agency_id,) for agencies.
    """
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        key = tuple(kind(value) for kind, value in zip(key_types, data["k"], strict=True))
        token_epoch, token_digest = data["e"], data["q"]
        if any(isinstance(k, int) and not -_SQLITE_INT_MAX <= k <= _SQLITE_INT_MAX for k in key):
            raise ValueError("key out of range")
    # OverflowError: int(Infinity), which json accepts; RecursionError: a deeply nested forgery.
    except (binascii.Error, ValueError, KeyError, IndexError, TypeError, OverflowError, RecursionError):
        raise ValidationError.single("page_token", "is not a page token this bus issued") from None
    if token_epoch != epoch:
        raise ValidationError.single("page_token", "was issued by another node; start again without a page token")
    if token_digest != digest:
        raise ValidationError.single(
            "page_token", "belongs to a query with other filters; keep the filters or start again"
        )
    return key
