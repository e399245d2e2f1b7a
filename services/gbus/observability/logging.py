"""structlog JSON logging: one event per line, context bound, no f-strings.

log = get_logger(__name__).bind(shard="79")
log.info("case_opened", case_id=case_id, report_id=report_id)
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}


def configure_logging(level: str = "INFO", fmt: str = "json", stream: TextIO | None = None, **context: Any) -> None:
    """Configure structlog and the stdlib root logger (kafka-python and grpc log there).

    `context` (e.g. node="79", process="processor") is bound to every event.
    """
    lvl = _LEVELS.get(level.upper())
    if lvl is None:
        raise ValueError(f"unknown log level {level!r} (one of {', '.join(_LEVELS)})")
    out = stream or sys.stderr
    shared: list[Any] = [
        # Process-wide context is static, not a contextvar: contextvars bound here would be seen
        # only by this thread, not by gRPC workers, Kafka feed threads or the processor loop.
        _StaticContext(context),
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.StackInfoRenderer(), structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(lvl),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.clear_contextvars()

    # Library logs (kafka-python is chatty at INFO) go through the same renderer.
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=renderer,
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(lvl, logging.WARNING))


class _StaticContext:
    """Adds the process's context (node, process...) to every event, from any thread."""

    def __init__(self, context: dict[str, Any]) -> None:
        self._context = dict(context)

    def __call__(self, _logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
        for key, value in self._context.items():
            event.setdefault(key, value)
        return event


def get_logger(name: str | None = None, **context: Any) -> Any:
    return structlog.get_logger(name).bind(**context) if context else structlog.get_logger(name)
