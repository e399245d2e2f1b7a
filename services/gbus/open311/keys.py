"""API keys: which agency a GeoReport client speaks for (GeoReport's api_key parameter)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable

from gbus.open311.errors import Open311Error


class ApiKeys:
    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = dict(keys)

    @classmethod
    def parse(cls, pairs: Iterable[str]) -> "ApiKeys":
        """`KEY=AGENCY_ID` pairs, as given on the command line."""
        keys: dict[str, str] = {}
        for pair in pairs:
            key, sep, agency = pair.partition("=")
            if not sep or not key or "@" not in agency:
                raise ValueError(f"--api-key wants KEY=AGENCY_ID (e.g. k1=gov.ubnd@79), got {pair!r}")
            keys[key] = agency
        return cls(keys)

    @staticmethod
    def new_key() -> str:
        # The prefix keeps a key from starting with '-' (token_urlsafe does so one time in 64),
        # which a command line would take for an option, and makes a leaked key easy to grep for.
        return "gk_" + secrets.token_urlsafe(24)

    def agencies(self) -> frozenset[str]:
        return frozenset(self._keys.values())

    def agency_of(self, api_key: str | None) -> str:
        """401 without a key, 403 for a key that is not ours (compared in constant time)."""
        if not api_key:
            raise Open311Error(401, "api_key is required")
        for key, agency in self._keys.items():
            if hmac.compare_digest(key.encode(), api_key.encode()):
                return agency
        raise Open311Error(403, "api_key is not valid")
