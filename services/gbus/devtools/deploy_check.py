"""Mechanical checks of the production topology in deploy/ (run by deploy/scripts/check-deploy.sh).

    python -m gbus.devtools.deploy_check [--deploy-dir deploy]

- every gbus config file (deploy/config/*.toml) loads as the processes would load it, with no
  unknown key, and names no loopback address (a production process talks to other hosts);
- every systemd unit (deploy/systemd/) points at a config file that exists in deploy/, and at
  no loopback address;
- every production Kafka file (deploy/kafka/production/) names no loopback address, keeps
  min.insync.replicas below the replication factor, and has no listener without TLS.

systemd-analyze verify on the units runs in the shell script (it needs systemd's own files).
Pure checks on text: each returns problems as sentences, empty when all is well.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

# What a production file must not contain: the bus's hosts are other machines.
_LOOPBACK = re.compile(r"\b(127\.\d+\.\d+\.\d+|localhost|::1)\b")
_CONFIG_REF = re.compile(r"--config\s+/etc/gbus/(\S+\.toml)")
_KAFKA_REF = re.compile(r"/etc/kafka/(\S+\.properties)")


def loopback_lines(name: str, text: str) -> list[str]:
    return [
        f"{name}:{number}: names a loopback address ({found.group(1)}); production processes run on separate hosts"
        for number, line in enumerate(text.splitlines(), 1)
        if not line.lstrip().startswith("#") and (found := _LOOPBACK.search(line))
    ]


def parse_properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def kafka_problems(name: str, text: str) -> list[str]:
    props = parse_properties(text)
    problems = loopback_lines(name, text)
    if "process.roles" not in props:
        problems.append(f"{name}: no process.roles (broker or controller: KRaft controllers run apart)")
    protocols = dict(
        item.split(":", 1) for item in props.get("listener.security.protocol.map", "").split(",") if ":" in item
    )
    for listener in props.get("listeners", "").split(","):
        label = listener.split("://", 1)[0].strip()
        if label and protocols.get(label, label) not in ("SSL", "SASL_SSL"):
            problems.append(f"{name}: listener {label} is {protocols.get(label, label)}, not TLS")
    factor, min_isr = props.get("default.replication.factor"), props.get("min.insync.replicas")
    if factor and min_isr and int(min_isr) >= int(factor):
        problems.append(f"{name}: min.insync.replicas {min_isr} leaves no broker to lose with replication {factor}")
    return problems


def unit_problems(name: str, text: str, deploy_dir: Path) -> list[str]:
    problems = loopback_lines(name, text)
    for config in _CONFIG_REF.findall(text):
        if not (deploy_dir / "config" / config).is_file():
            problems.append(f"{name}: runs with /etc/gbus/{config}, but deploy/config/{config} does not exist")
    for properties in _KAFKA_REF.findall(text):
        if not (deploy_dir / "kafka" / "production" / properties).is_file():
            problems.append(
                f"{name}: runs with /etc/kafka/{properties}, but deploy/kafka/production/{properties} does not exist"
            )
    if "ExecStart=" not in text:
        problems.append(f"{name}: no ExecStart")
    return problems


def config_problems(name: str, path: Path) -> list[str]:
    from gbus.config import ConfigError, load_settings

    try:
        load_settings(path, env={})  # the file alone: the environment of this machine is not production's
    except ConfigError as exc:
        return [f"{name}: {exc}"]
    return loopback_lines(name, path.read_text(encoding="utf-8"))


def check(deploy_dir: Path) -> list[str]:
    problems: list[str] = []
    configs = sorted((deploy_dir / "config").glob("*.toml"))
    units = sorted((deploy_dir / "systemd").glob("*.service"))
    kafka = sorted((deploy_dir / "kafka" / "production").glob("*.properties"))
    for label, found in (("deploy/config/*.toml", configs), ("deploy/systemd/*.service", units),
                         ("deploy/kafka/production/*.properties", kafka)):  # fmt: skip
        if not found:
            problems.append(f"{label}: none found")
    for path in configs:
        problems += config_problems(f"deploy/config/{path.name}", path)
    for path in units:
        problems += unit_problems(f"deploy/systemd/{path.name}", path.read_text(encoding="utf-8"), deploy_dir)
    for path in kafka:
        problems += kafka_problems(f"deploy/kafka/production/{path.name}", path.read_text(encoding="utf-8"))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deploy-dir", type=Path, default=Path("deploy"))
    args = parser.parse_args(argv)
    problems = check(args.deploy_dir)
    for problem in problems:
        print(f"deploy-check: {problem}", file=sys.stderr)
    if not problems:
        print(f"deploy-check: production topology in {args.deploy_dir} is consistent")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
