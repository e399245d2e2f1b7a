#!/usr/bin/env bash
# systemd-analyze verify on every unit of deploy/systemd, in a scratch root that holds systemd's
# own units and a stand-in for each program a unit starts (verify refuses an ExecStart whose
# program is missing, and the bus is not installed on the machine running the checks).
# Any warning (an unknown key, a misspelt section) fails the check, not only errors.
set -euo pipefail
units_dir="$(cd "$(dirname "$0")/../systemd" && pwd)"
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "verify-systemd-units: systemd-analyze not found; apt-get install systemd" >&2
    exit 1
fi
system_units=/usr/lib/systemd/system
[ -d "$system_units" ] || system_units=/lib/systemd/system
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system"
cp -a "$system_units" "$root/usr/lib/systemd/system"
cp "$units_dir"/*.service "$root/etc/systemd/system/"
for program in $(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$units_dir"/*.service | sort -u); do
    mkdir -p "$root$(dirname "$program")"
    printf '#!/bin/sh\n' >"$root$program"
    chmod +x "$root$program"
done
names=()
for unit in "$units_dir"/*.service; do
    name="$(basename "$unit")"
    # A template is verified through an instance, as systemctl would start it.
    case "$name" in
        gbus-node@.service) name="gbus-node@79.service" ;;
        *@.service) name="${name%@.service}@p1.service" ;;
    esac
    names+=("$name")
done
if ! out="$(systemd-analyze verify --root="$root" --man=no "${names[@]}" 2>&1)"; then
    echo "$out" >&2
    exit 1
fi
if [ -n "$out" ]; then
    echo "$out" >&2
    echo "verify-systemd-units: warnings above count as errors" >&2
    exit 1
fi
echo "verify-systemd-units: ${#names[@]} units verified: ${names[*]}"
