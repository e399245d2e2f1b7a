"""Arguments shared by the operator commands (status, trace, dlq, import, monitor)."""

from __future__ import annotations

import argparse
from typing import Any

from gbus.cli.common import EXIT_USAGE, CliError, settings_with


def add_kafka_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="TOML settings file (GBUS__SECTION__KEY environment overrides apply)")
    parser.add_argument(
        "--bootstrap", help="Kafka bootstrap servers HOST:PORT[,HOST:PORT] (default: kafka.bootstrap_servers)"
    )
    parser.add_argument("--topic-prefix", help="prefix of the bus's topic names (default: kafka.topic_prefix, 'gbus.')")
    parser.add_argument(
        "--timeout", type=float, help="seconds to wait for Kafka to answer (default: kafka.request_timeout_ms)"
    )


def add_json_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout (for scripts)")


def settings_from(args: argparse.Namespace) -> Any:
    """Settings of an operator command: the file, GBUS__* overrides, then add_kafka_args' flags."""
    timeout = getattr(args, "timeout", None)
    if timeout is not None and timeout <= 0:
        raise CliError("--timeout must be positive", EXIT_USAGE)
    return settings_with(
        getattr(args, "config", None),
        (
            ("kafka", "bootstrap_servers", getattr(args, "bootstrap", None)),
            ("kafka", "topic_prefix", getattr(args, "topic_prefix", None)),
            ("kafka", "request_timeout_ms", int(timeout * 1000) if timeout else None),
        ),
    )


def quiet_logging(settings: Any) -> None:
    """Our logs to stderr at WARNING; stdout carries the command's result.

    kafka-python's own retries (a refused connection, a bootstrap backoff) stay silent
    unless logging.level is DEBUG: an operator command that cannot reach Kafka says so
    in one line (kafka_failure), not in a dozen JSON events about each attempt.
    """
    import logging

    from gbus.observability.logging import configure_logging

    level = settings.logging.level if settings.logging.level in ("WARNING", "ERROR") else "WARNING"
    configure_logging(level, settings.logging.format, process="cli")
    if settings.logging.level != "DEBUG":
        logging.getLogger("kafka").setLevel(logging.CRITICAL)


def kafka_failure(exc: Exception, bootstrap: str) -> CliError:
    # kafka-python's errors already start with their class name ("KafkaTimeoutError: ...").
    text = str(exc)
    name = type(exc).__name__
    reason = text if text.startswith(name) else f"{name}: {text}" if text else name
    return CliError(f"cannot reach Kafka at {bootstrap}: {reason}")
