"""docs/configuration.md is generated from Settings: every key, its environment variable, default and meaning."""

from __future__ import annotations

import dataclasses

from gbus import config
from gbus.devtools.config_doc import UNDOCUMENTED, field_comments, render

SOURCE = """
class A:
    # Where it listens.
    listen: str = ""
    # Certificate files, all three together.
    tls_cert: str = ""
    tls_key: str = ""

    other: int = 0
"""


def test_a_comment_above_a_field_is_its_meaning_and_covers_the_fields_right_below_it():
    comments = field_comments(SOURCE)
    assert comments[("A", "listen")] == "Where it listens."
    assert comments[("A", "tls_key")] == "Certificate files, all three together."
    assert ("A", "other") not in comments  # a blank line ends the run


def test_every_setting_is_on_the_page_with_its_environment_variable():
    page = render()
    for section in dataclasses.fields(config.Settings):
        assert f"## [{section.name}]" in page
        for f in dataclasses.fields(section.default_factory()):
            assert f"`{config.ENV_PREFIX}{section.name.upper()}__{f.name.upper()}`" in page


def test_every_setting_has_a_meaning_written_beside_it_in_config_py():
    assert UNDOCUMENTED not in render()


def test_secrets_never_show_their_value():
    page = render()
    assert "dev-only-reporter-secret" not in page and "00" * 32 not in page
