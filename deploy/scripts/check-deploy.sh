#!/usr/bin/env bash
# Validate the Prometheus deploy files with promtool: config, rules, and the rules' unit tests.
# (`promtool check metrics` runs on real /metrics output in tests/integration/ops.)
set -euo pipefail
cd "$(dirname "$0")/../prometheus"
if ! command -v promtool >/dev/null 2>&1; then
    echo "check-deploy: promtool not found; run deploy/scripts/install-system-deps.sh" >&2
    exit 1
fi
promtool check config prometheus.yml
promtool check rules alerts.yml
promtool test rules alerts_test.yml

# The production topology (docs/operations-deploy.md): systemd units, gbus configs, Kafka files.
cd ../..
bash deploy/scripts/verify-systemd-units.sh
"${GBUS_PYTHON:-.venv/bin/python}" -m gbus.devtools.deploy_check --deploy-dir deploy
