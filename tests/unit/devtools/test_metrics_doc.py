"""docs/metrics.md is generated from the registries: every metric a process serves is on it, with its help."""

from __future__ import annotations

from gbus.devtools.metrics_doc import render
from gbus.observability.metrics import Metrics, MonitorMetrics


def _served(registry) -> set[str]:
    return {m.name + ("_total" if m.type == "counter" else "") for m in registry.collect()}


def test_every_metric_a_process_serves_is_on_the_page():
    page = render()
    for name in _served(Metrics().registry) | _served(MonitorMetrics().registry):
        assert f"| `{name}` |" in page, name


def test_the_page_carries_the_help_text_beside_each_name():
    page = render()
    assert "| `gbus_reports_received_total` | counter | `channel`, `kind` |" in page
    assert "Reports accepted by intake." in page
