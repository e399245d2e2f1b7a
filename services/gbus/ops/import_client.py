"""Sending an import plan through IntakeService.SubmitReports, a few streams at a time."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc

from gbus.ops.import_lines import Batch, ImportPlan, ImportSummary
from gbus.ops.progress import Progress
from gbus.v1 import intake_pb2, intake_pb2_grpc

_STATUS = {
    intake_pb2.REPORT_OUTCOME_STATUS_ACCEPTED: "accepted",
    intake_pb2.REPORT_OUTCOME_STATUS_REPLAYED: "replayed",
    intake_pb2.REPORT_OUTCOME_STATUS_REJECTED: "rejected",
}
# Worth retrying: the node or Kafka was briefly away. Resending a whole stream is safe (idempotent).
_RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED}
AGENCY_HEADER = "x-agency-id"


def send_plan(
    channel: grpc.Channel,
    plan: ImportPlan,
    summary: ImportSummary,
    progress: Progress,
    *,
    workers: int = 4,
    retries: int = 2,
    timeout_s: float = 120.0,
    extra_metadata: tuple[tuple[str, str], ...] = (),
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(channel)

    def one(batch: Batch) -> tuple[Batch, list[tuple[int, str, list[str]]] | None, str | None]:
        metadata = ((AGENCY_HEADER, batch.agency), *extra_metadata)
        for attempt in range(retries + 1):
            try:
                reply = stub.SubmitReports(
                    (intake_pb2.SubmitReportsRequest(report=i.report) for i in batch.items),
                    metadata=metadata,
                    timeout=timeout_s,
                )
                return (
                    batch,
                    [(int(o.index), _STATUS.get(o.status, "rejected"), list(o.errors)) for o in reply.outcomes],
                    None,
                )
            except grpc.RpcError as exc:
                code = exc.code() if hasattr(exc, "code") else None
                if code in _RETRYABLE and attempt < retries:
                    time.sleep(min(2.0**attempt, 10.0))
                    continue
                return (
                    batch,
                    None,
                    f"{getattr(code, 'name', 'ERROR')}: {exc.details() if hasattr(exc, 'details') else exc}",
                )
        raise AssertionError("unreachable")

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="import") as pool:
        for batch, outcomes, error in pool.map(one, plan.batches):
            if outcomes is None:
                summary.add_failure(batch, error or "failed")
            else:
                summary.add_outcomes(batch, outcomes)
            progress.advance(len(batch.items))


def open_channel(target: str, *, tls: Any = None) -> grpc.Channel:
    """Insecure in development; with `tls` (grpc.ChannelCredentials) over mutual TLS."""
    options = [
        ("grpc.max_receive_message_length", 16 * 1024 * 1024),
        ("grpc.max_send_message_length", 16 * 1024 * 1024),
    ]
    if tls is not None:
        return grpc.secure_channel(target, tls, options=options)
    return grpc.insecure_channel(target, options=options)
