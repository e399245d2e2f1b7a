#!/usr/bin/env bash
# Debian packages the tests and the operator tooling use: prometheus (the server and promtool);
# chromium and poppler-utils (pdftoppm) to look at the weekly situation report as a reader would
# (tests/integration/situation), with DejaVu fonts for Vietnamese diacritics.
# Idempotent and non-interactive: does nothing when promtool, prometheus, chromium and pdftoppm are on PATH.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# systemd-analyze verifies the production units in deploy/systemd (deploy/scripts/verify-systemd-units.sh).
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
# The Kafka TLS test captures the broker's port to show no report text crosses it in clear.
command -v tcpdump >/dev/null 2>&1 || missing+=(tcpdump)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-system-deps: need root to install: ${missing[*]}" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: no apt-get; install these by hand: ${missing[*]} (promtool and prometheus on PATH)" >&2
    exit 1
fi

mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "== installing Debian packages: ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# No recommends: the node exporter and the rest are not needed, only the two binaries.
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# The package enables a system service; the tests start their own server on a free port.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
command -v promtool >/dev/null && command -v prometheus >/dev/null && command -v chromium >/dev/null && command -v pdftoppm >/dev/null \
    && command -v systemd-analyze >/dev/null
