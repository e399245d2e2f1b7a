"""Hypothesis strategies that generate valid records for any Avro schema."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import strategies as st

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_TS_MIN = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TS_MAX = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _millis(dt: datetime) -> datetime:
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


def strategy_for(schema, namespace: str = "", named: dict | None = None):
    named = {} if named is None else named
    if isinstance(schema, str):
        if schema in named:
            return named[schema]
        if f"{namespace}.{schema}" in named:
            return named[f"{namespace}.{schema}"]
        return _primitive(schema)
    if isinstance(schema, list):
        branches = [(_branch_name(b, namespace), strategy_for(b, namespace, named)) for b in schema]
        records = [name for name, _ in branches if name]
        parts = []
        for name, strat in branches:
            if name and len(records) > 1:
                parts.append(strat.map(lambda rec, n=name: (n, rec)))
            else:
                parts.append(strat)
        return st.one_of(*parts)
    kind = schema["type"]
    if kind == "record":
        ns = schema.get("namespace", namespace)
        full = schema["name"] if "." in schema["name"] else f"{ns}.{schema['name']}"
        fields = {f["name"]: strategy_for(f["type"], ns, named) for f in schema["fields"]}
        strat = st.fixed_dictionaries(fields)
        named[full] = strat
        return strat
    if kind == "array":
        return st.lists(strategy_for(schema["items"], namespace, named), max_size=4)
    if kind == "map":
        return st.dictionaries(st.text(max_size=8), strategy_for(schema["values"], namespace, named), max_size=3)
    if kind == "long" and schema.get("logicalType") == "timestamp-millis":
        return st.datetimes(
            min_value=_TS_MIN.replace(tzinfo=None),
            max_value=_TS_MAX.replace(tzinfo=None),
            timezones=st.just(timezone.utc),
        ).map(_millis)
    return strategy_for(kind, namespace, named)


def _branch_name(schema, namespace: str) -> str | None:
    if isinstance(schema, dict) and schema.get("type") == "record":
        ns = schema.get("namespace", namespace)
        return schema["name"] if "." in schema["name"] else f"{ns}.{schema['name']}"
    return None


def _primitive(name: str):
    return {
        "null": st.none(),
        "boolean": st.booleans(),
        "int": st.integers(*_INT32),
        "long": st.integers(*_INT64),
        "float": st.floats(width=32, allow_nan=False),
        "double": st.floats(allow_nan=False),
        "bytes": st.binary(max_size=32),
        "string": st.text(max_size=40),
    }[name]
