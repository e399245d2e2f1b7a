"""The built wheel works outside the checkout: schemas, rules, roles and sample data ship inside it.

Offline and fast: the wheel is built without build isolation from a copy of the sources,
installed with --no-deps into a fresh venv, and the venv reaches the pinned dependencies
through a .pth line naming the checkout venv's site-packages (which is only appended
to sys.path, so the installed gbus is found first and the checkout's editable gbus,
whose .pth is not processed there, never).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[3]
# What a wheel is built from; the links inside services/ point into schemas/, deploy/sample/ and deploy/kafka/.
SOURCES = ("pyproject.toml", "README.md", "services", "schemas", "deploy/sample", "deploy/kafka")


def _run(*args: str | Path, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )
    assert result.returncode == 0, f"{args}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv holding only the wheel (its dependencies come from the checkout venv)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in SOURCES:
        origin, copy = CHECKOUT / name, src / name
        if origin.is_dir():
            shutil.copytree(origin, copy, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))  # fmt: skip
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, copy)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--quiet",
        "-w",
        tmp / "dist",
        src,
        cwd=tmp,
    )
    [wheel] = (tmp / "dist").glob("grievance_bus-*.whl")

    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    python = venv / "bin" / "python"
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel, cwd=tmp
    )
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).stdout.strip())
    (site / "checkout_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A working directory with nothing of the checkout in it."""
    return tmp_path


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, elsewhere):
    out = _run(installed / "python", "-c",
               "import gbus, gbus.devrun.sample_flow as s; print(gbus.__file__); print(s.SAMPLE_FILE.is_file())",
               cwd=elsewhere).stdout.split()  # fmt: skip
    assert Path(out[0]).is_relative_to(installed.parent) and out[1] == "True"


def test_gbus_schemas_check_installed_finds_every_published_version_in_the_wheel(installed, elsewhere):
    out = _run(installed / "gbus", "schemas", "check", "--installed", cwd=elsewhere).stdout
    first, *_, last = out.strip().splitlines()
    location = Path(first.rsplit(" in ", 1)[1])
    assert location.is_relative_to(installed.parent) and location.name == "schemas"
    published = json.loads((CHECKOUT / "schemas" / "published.lock").read_text())
    assert last.startswith(f"schemas ok: {len(published)} versions")


def test_gbus_route_explain_routes_with_the_rules_and_directory_in_the_wheel(installed, elsewhere):
    report = {
        "request_id": "w-1", "kind": "to_cao", "category": "tham_nhung_tieu_cuc", "channel": "mttq",
        "province_code": "79", "ward_code": "26743", "title": "Tố cáo", "description": "Cán bộ phường nhận tiền.",
        "submitted_at": "2026-11-02T08:30:00+07:00", "origin_agency": "front.mttq@79.26743",
        "subject_agency": "gov.ubnd@79.26743",
    }  # fmt: skip
    (elsewhere / "reports.jsonl").write_text(json.dumps(report, ensure_ascii=False) + "\n", encoding="utf-8")
    out = _run(installed / "gbus", "route", "explain", "--input", "reports.jsonl", cwd=elsewhere).stdout
    assert json.loads(out) == {
        "report_id": "front.mttq@79.26743/w-1", "handler": "gov.ubnd@79",
        "watchers": ["party.ubkt@79", "front.mttq@79.26743"], "rule": "to-cao",
    }  # fmt: skip


def test_the_kafka_harness_inputs_ship_in_the_wheel(installed, elsewhere):
    code = ("from gbus.kafka_harness import paths; d = paths.deploy_dir(); print(d); print(paths.checkout_root()); "
            "print(all((d / f).is_file() for f in ('pom.xml', 'server.properties.template', "
            "'cluster-node.properties.template', 'log4j2.properties')))")  # fmt: skip
    deploy, checkout, complete = _run(installed / "python", "-c", code, cwd=elsewhere).stdout.split()
    assert Path(deploy).is_relative_to(installed.parent) and checkout == "None" and complete == "True"


def test_gbus_kafka_up_and_down_run_from_the_installed_copy(installed, elsewhere):
    # The checkout's jar cache keeps the test offline: the pom in the wheel is the checkout's, byte for byte.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["GBUS_KAFKA_CACHE"] = str(CHECKOUT / ".cache" / "kafka")

    def gbus_kafka(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(installed / "gbus"), "kafka", *args, "--data-dir", "kafka"], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip

    def state() -> str:
        return json.loads(gbus_kafka("status", "--json").stdout)["state"]

    try:
        up = gbus_kafka("up", "--port", "0")
        assert up.returncode == 0, up.stderr[-3000:]
        assert up.stdout.strip().splitlines()[-1].startswith("127.0.0.1:")
        assert state() == "running"
    finally:
        down = gbus_kafka("down")
    assert down.returncode == 0, down.stderr[-3000:]
    assert state() == "stopped"
