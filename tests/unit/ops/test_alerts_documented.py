"""Every alert rule in deploy/prometheus has its row in docs/operations.md: what it means, what to do."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


def test_every_alert_is_explained_to_the_operator():
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text(encoding="utf-8"))
    alerts = [r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r]
    page = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    assert alerts, "no alert rules found"
    missing = [a for a in alerts if f"| `{a}` |" not in page]
    assert not missing, f"alerts without a row in docs/operations.md: {missing}"
