"""The request_id format, one rule for reports and commands. Pure.

A member system names each submission and each command with its own request_id;
the bus derives report and command ids from it, so a retry is recognised anywhere.
It travels in ids, cursors and Kafka keys, hence a short, plain alphabet.
"""

from __future__ import annotations

import re

MAX_REQUEST_ID_CHARS = 128
_ALPHABET = re.compile(r"[A-Za-z0-9._:/-]+")


def request_id_problem(request_id: str) -> str | None:
    """What is wrong with a non-empty request_id, in words for a field violation; None when it is valid.

    Whether one is required (reports) or generated when missing (commands) is the caller's rule.
    """
    if len(request_id) > MAX_REQUEST_ID_CHARS:
        return f"is longer than {MAX_REQUEST_ID_CHARS} characters"
    if not _ALPHABET.fullmatch(request_id):
        return "may contain only letters, digits and . _ : / -"
    return None
