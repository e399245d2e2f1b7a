"""`gbus import FILE.jsonl --node HOST:PORT`: bulk submit through IntakeService.SubmitReports.

Exit codes: 0 every line accepted or already accepted; 1 some lines were not
submitted (node or Kafka unavailable: rerun, it is safe); 2 usage;
3 some lines were rejected (each listed with its line number and field errors).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from gbus.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, CliError, read_jsonl

# The node answers a stream with one outcome per report and caps a stream at 10,000 reports.
MAX_BATCH = 10_000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="bulk submit reports from a JSONL file through a node's SubmitReports stream",
        description=(
            "Submit every line of FILE (one report per line, fields as in deploy/sample/reports.jsonl: the "
            "report fields plus an optional reporter object) to a node. Lines are grouped by origin_agency, "
            "which is the caller (x-agency-id) in development mode, and sent in streams of --batch reports. "
            "Safe to rerun: a line accepted before comes back as a duplicate and creates nothing new. "
            "Progress goes to stderr, the summary to stdout."
        ),
        epilog="exit codes: 0 all accepted (or accepted before), 1 some not submitted (rerun), 2 usage, 3 some rejected",
    )
    parser.add_argument("--input", "-i", metavar="FILE.jsonl", help="input file, '-' for stdin")
    # The input used to be positional; still accepted, so existing scripts keep working.
    parser.add_argument("file", nargs="?", metavar="FILE.jsonl", help=argparse.SUPPRESS)
    parser.add_argument("--node", required=True, metavar="HOST:PORT", help="gRPC address of the node's IntakeService")
    parser.add_argument("--agency-header", metavar="AGENCY_ID",
                        help="send every stream as this agency (x-agency-id), e.g. a superior submitting for the "
                             "agencies below it; default: each line's origin_agency")  # fmt: skip
    parser.add_argument(
        "--batch", type=int, default=1000, help=f"reports per stream (default: %(default)s, at most {MAX_BATCH})"
    )
    parser.add_argument("--workers", type=int, default=4, help="streams in flight at once (default: %(default)s)")
    parser.add_argument(
        "--retries", type=int, default=2, help="resends of a stream the node could not take (default: %(default)s)"
    )
    parser.add_argument(
        "--tls-ca", help="CA bundle of the node's certificate (mutual TLS; with --tls-cert and --tls-key)"
    )
    parser.add_argument("--tls-cert", help="this agency's client certificate (PEM)")
    parser.add_argument("--tls-key", help="this agency's private key (PEM)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gbus.ops.import_client import open_channel, send_plan
    from gbus.ops.import_lines import ImportSummary, plan_import, render_summary
    from gbus.ops.progress import Progress

    if not 1 <= args.batch <= MAX_BATCH:
        raise CliError(f"--batch must be between 1 and {MAX_BATCH}", EXIT_USAGE)
    if args.workers < 1 or args.retries < 0:
        raise CliError("--workers must be at least 1 and --retries at least 0", EXIT_USAGE)
    tls_args = (args.tls_ca, args.tls_cert, args.tls_key)
    if any(tls_args) and not all(tls_args):
        raise CliError("--tls-ca, --tls-cert and --tls-key go together", EXIT_USAGE)

    source = args.input or args.file
    if not source or (args.input and args.file):
        raise CliError("give the input file once, as --input FILE.jsonl ('-' for stdin)", EXIT_USAGE)
    started = time.monotonic()
    plan = plan_import(list(read_jsonl(source)), agency_header=args.agency_header, batch_size=args.batch)
    summary = ImportSummary(lines=plan.lines, rejected=list(plan.local_rejects))
    progress = Progress(plan.lines, enabled=not args.no_progress)
    progress.advance(len(plan.local_rejects))
    tls = None
    if all(tls_args):
        from gbus.api.tls import client_credentials

        try:
            tls = client_credentials(args.tls_ca, args.tls_cert, args.tls_key)
        except Exception as exc:  # noqa: BLE001 - unreadable PEM files: say which, in one line
            raise CliError(f"cannot load the TLS files: {exc}", EXIT_USAGE) from exc
    channel = open_channel(args.node, tls=tls)
    try:
        send_plan(channel, plan, summary, progress, workers=args.workers, retries=args.retries)
    finally:
        channel.close()
        progress.finish()
    summary.seconds = time.monotonic() - started
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(render_summary(summary, source=source)))
    sys.stdout.flush()
    if summary.failed:
        return EXIT_FAILURE
    return EXIT_PARTIAL if summary.rejected else EXIT_OK
