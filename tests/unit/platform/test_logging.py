"""structlog JSON logging: one JSON object per line with bound context."""

from __future__ import annotations

import io
import json
import logging

from gbus.observability.logging import configure_logging, get_logger


def test_events_are_json_lines_with_bound_context_and_library_logs_too():
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out, node="79")
    get_logger("t", shard="79").info("case_opened", case_id="79-abc")
    logging.getLogger("grpc._server").warning("peer %s gone", "127.0.0.1:9092")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["event"] == "case_opened"
    assert lines[0]["case_id"] == "79-abc" and lines[0]["shard"] == "79" and lines[0]["node"] == "79"
    assert lines[0]["level"] == "info" and "timestamp" in lines[0]
    assert lines[1]["event"] == "peer 127.0.0.1:9092 gone" and lines[1]["node"] == "79"


def test_events_below_the_configured_level_are_dropped():
    out = io.StringIO()
    configure_logging("WARNING", "json", stream=out)
    get_logger("t").info("noise")
    get_logger("t").warning("signal")
    events = [json.loads(line)["event"] for line in out.getvalue().splitlines()]
    assert events == ["signal"]


def test_the_process_context_reaches_events_logged_from_other_threads():
    import threading

    out = io.StringIO()
    configure_logging("INFO", "json", stream=out, node="79", process="node")
    worker = threading.Thread(target=lambda: get_logger("grpc-worker").info("report_stream_done", accepted=3))
    worker.start()
    worker.join()
    [line] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (line["event"], line["node"], line["process"], line["accepted"]) == ("report_stream_done", "79", "node", 3)
