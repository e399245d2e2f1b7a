"""deploy/prometheus and deploy/grafana validated by promtool, not by eye.

promtool comes from the Debian package `prometheus` (deploy/scripts/install-system-deps.sh,
run by `make test`). Without it these tests fail and say so: they are never skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gbus.observability.metrics import Metrics, MonitorMetrics

REPO = Path(__file__).resolve().parents[3]
PROM = REPO / "deploy" / "prometheus"
DASHBOARD = REPO / "deploy" / "grafana" / "dashboard.json"


def promtool(*args: str, cwd: Path = PROM) -> subprocess.CompletedProcess:
    exe = shutil.which("promtool")
    if exe is None:
        pytest.fail(
            "promtool not found: install the Debian package `prometheus` (deploy/scripts/install-system-deps.sh)"
        )
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_the_scrape_config_passes_promtool_check_config():
    assert "SUCCESS" in ok(promtool("check", "config", "prometheus.yml"))


def test_the_alert_rules_pass_promtool_check_rules():
    assert "SUCCESS" in ok(promtool("check", "rules", "alerts.yml"))


def test_every_alert_fires_in_its_promtool_unit_test():
    assert "SUCCESS" in ok(promtool("test", "rules", "alerts_test.yml"))
    tested = {t["alertname"] for test in yaml.safe_load((PROM / "alerts_test.yml").read_text())["tests"]
              for t in test.get("alert_rule_test", []) if t["exp_alerts"]}  # fmt: skip
    assert tested == set(alert_names())


def alert_names() -> list[str]:
    groups = yaml.safe_load((PROM / "alerts.yml").read_text())["groups"]
    return [r["alert"] for g in groups for r in g["rules"] if "alert" in r]


def dashboard_exprs() -> list[str]:
    doc = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in doc["panels"] for t in p.get("targets", [])]
    return exprs + [a["expr"] for a in doc["annotations"]["list"] if "expr" in a]


def test_every_dashboard_query_is_valid_promql(tmp_path):
    # promtool parses rule expressions: each panel query becomes a recording rule of a scratch file.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": f"dashboard:panel_{i}", "expr": e} for i, e in enumerate(dashboard_exprs())],
            }
        ]
    }
    (tmp_path / "dashboard_rules.yml").write_text(yaml.safe_dump(rules))
    assert "SUCCESS" in ok(promtool("check", "rules", "dashboard_rules.yml", cwd=tmp_path))


def registered_names() -> set[str]:
    names: set[str] = set()
    for registry in (Metrics().registry, MonitorMetrics().registry):
        for family in registry.collect():
            names.add(family.name)
            names.update(s.name for s in family.samples)
    for family in list(names):
        names.update(f"{family}{suffix}" for suffix in ("_bucket", "_sum", "_count", "_total"))
    return names


def test_every_metric_the_rules_and_dashboard_read_is_one_the_processes_export():
    text = (PROM / "alerts.yml").read_text() + "\n".join(dashboard_exprs())
    used = set(re.findall(r"\bgbus_[a-z_]+\b", text))
    assert used and used <= registered_names(), sorted(used - registered_names())
