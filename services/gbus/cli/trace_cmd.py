"""`gbus trace CASE_ID`: the case's full history with its hash chain verified, and each node's copy.

Exit codes: 0 the history verifies end to end; 1 it does not (a broken chain
in case-events or a node copy that fails its integrity check: the output names
the event and why); 2 usage; 4 no record of the case exists.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from gbus.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError
from gbus.cli.ops_args import add_json_arg, add_kafka_args, kafka_failure, quiet_logging, settings_from

EXIT_NOT_FOUND = 4


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "trace",
        help="show a case's event history, verify its hash chain, and which nodes hold which version",
        description=(
            "Read every event of the case from the case-events topic (the partition of its shard), verify the "
            "hash chain (a forged, altered, missing or reordered event is named with its offset and the reason), "
            "show the latest snapshot from case-state and the latest copy of the case on every node.<area> topic."
        ),
        epilog="exit codes: 0 verified, 1 chain broken or a node copy fails integrity, 2 usage, 4 case not found",
    )
    parser.add_argument("case_id", metavar="CASE_ID", help="e.g. 79-3f2a9c0d1e4b5a")
    add_kafka_args(parser)
    add_json_arg(parser)
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from kafka.errors import KafkaError

    from gbus.ops.trace import render_trace, trace_dict
    from gbus.ops.trace_read import TraceError, gather_trace
    from gbus.security.trust import TrustStore

    settings = settings_from(args)
    quiet_logging(settings)
    try:
        # With security.trust_dir each event's signature is checked, not just read off its headers.
        trust = TrustStore(Path(settings.security.trust_dir)) if settings.security.trust_dir else None
        trace = gather_trace(settings.kafka, args.case_id, trust=trust)
    except TraceError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except (KafkaError, OSError, TimeoutError) as exc:
        raise kafka_failure(exc, settings.kafka.bootstrap_servers) from exc
    if args.json:
        print(json.dumps(trace_dict(trace), ensure_ascii=False, indent=2))
    else:
        print("\n".join(render_trace(trace)))
    if not trace.found:
        return EXIT_NOT_FOUND
    return EXIT_OK if trace.verified else EXIT_FAILURE
