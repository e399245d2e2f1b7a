"""An Open311 error: the HTTP status and one description per problem (rendered as GeoReport's error array)."""

from __future__ import annotations


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions or ("error",)


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, *descriptions)


def not_found(description: str) -> Open311Error:
    return Open311Error(404, description)
