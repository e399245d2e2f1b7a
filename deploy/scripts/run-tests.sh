#!/usr/bin/env bash
# Start one Kafka broker for the test session, run pytest, and stop the broker
# whatever happens (the EXIT trap also runs on failure and on Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/../.."

GBUS=.venv/bin/gbus
DATA_DIR=var/test-kafka

started=$(date +%s)
echo "== starting a Kafka broker for the tests (data dir $DATA_DIR)" >&2
bootstrap=$($GBUS kafka up --data-dir "$DATA_DIR" --port 0 --fresh | tail -n 1)
trap '$GBUS kafka down --data-dir "$DATA_DIR" >&2 || true' EXIT
echo "== broker ready at $bootstrap" >&2

set +e
GBUS_TEST_KAFKA_BOOTSTRAP="$bootstrap" .venv/bin/pytest "$@"
rc=$?
set -e
echo "== tests finished in $(( $(date +%s) - started ))s with exit code $rc" >&2
exit $rc
