"""API keys the bus makes for Open311 clients."""

from __future__ import annotations

import argparse

from gbus.open311.keys import ApiKeys


def test_a_new_key_never_looks_like_a_command_line_option() -> None:
    # token_urlsafe starts with '-' one time in 64; `gbus run` passes the key on a command line.
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-key", action="append")
    for _ in range(2000):
        pair = f"{ApiKeys.new_key()}=gov.ubnd@79"
        assert not pair.startswith("-")
        assert parser.parse_args(["--api-key", pair]).api_key == [pair]


def test_new_keys_differ_and_parse_back_to_their_agency() -> None:
    keys = {ApiKeys.new_key() for _ in range(100)}
    assert len(keys) == 100
    parsed = ApiKeys.parse(f"{k}=gov.ubnd@79" for k in keys)
    assert parsed.agencies() == frozenset({"gov.ubnd@79"})
