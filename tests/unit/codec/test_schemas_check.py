"""`gbus schemas check`: FULL_TRANSITIVE compatibility and the publish lock."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gbus.cli.main import main as gbus_main
from gbus.codec.schema_store import DEFAULT_SCHEMA_DIR


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    root = tmp_path / "schemas"
    shutil.copytree(DEFAULT_SCHEMA_DIR, root)
    return root


def _add_version(root: Path, name: str, mutate) -> None:
    folder = root / name
    latest = max(int(p.stem[1:]) for p in folder.glob("v*.avsc"))
    schema = json.loads((folder / f"v{latest}.avsc").read_text())
    mutate(schema)
    (folder / f"v{latest + 1}.avsc").write_text(json.dumps(schema))


def test_the_shipped_schemas_pass_the_check(capsys):
    assert gbus_main(["schemas", "check"]) == 0
    assert "schemas ok" in capsys.readouterr().out


def test_a_new_required_field_without_default_is_rejected(schema_copy, capsys):
    _add_version(
        schema_copy,
        "gbus.avro.Report",
        lambda s: s["fields"].append({"name": "priority", "type": "int"}),
    )
    assert gbus_main(["schemas", "--dir", str(schema_copy), "check"]) == 1
    out = capsys.readouterr().out
    assert "INCOMPATIBLE" in out and "gbus.avro.Report v2" in out and "priority" in out


def test_removing_a_field_without_default_is_rejected(schema_copy, capsys):
    _add_version(
        schema_copy,
        "gbus.avro.Agency",
        lambda s: s.update(fields=[f for f in s["fields"] if f["name"] != "name"]),
    )
    assert gbus_main(["schemas", "--dir", str(schema_copy), "check"]) == 1
    assert "gbus.avro.Agency v1 cannot read gbus.avro.Agency v2" in capsys.readouterr().out


def test_a_compatible_new_version_must_be_published_before_it_passes(schema_copy, capsys):
    _add_version(
        schema_copy,
        "gbus.avro.Agency",
        lambda s: s["fields"].append({"name": "email", "type": ["null", "string"], "default": None}),
    )
    assert gbus_main(["schemas", "--dir", str(schema_copy), "check"]) == 1
    assert "UNPUBLISHED: gbus.avro.Agency/v2.avsc" in capsys.readouterr().out
    assert gbus_main(["schemas", "--dir", str(schema_copy), "publish"]) == 0
    assert gbus_main(["schemas", "--dir", str(schema_copy), "check"]) == 0


def test_editing_a_published_version_in_place_is_rejected(schema_copy, capsys):
    path = schema_copy / "gbus.avro.Agency" / "v1.avsc"
    schema = json.loads(path.read_text())
    schema["fields"].append({"name": "email", "type": ["null", "string"], "default": None})
    path.write_text(json.dumps(schema))
    assert gbus_main(["schemas", "--dir", str(schema_copy), "check"]) == 1
    assert "changed in place" in capsys.readouterr().out


def test_deleting_a_published_version_is_rejected(schema_copy, capsys):
    shutil.rmtree(schema_copy / "gbus.avro.DeadLetter")
    assert gbus_main(["schemas", "--dir", str(schema_copy), "check"]) == 1
    assert "was deleted" in capsys.readouterr().out
