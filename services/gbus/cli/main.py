"""Entry point of the `gbus` console script.

Each module in COMMAND_MODULES exposes `register(subparsers)` which adds its
subcommand(s) and sets `func` on the parser to a callable `(args) -> int`.
Modules are imported lazily at startup so that `gbus --help` stays fast and
so that one area's heavy imports (grpc, fastavro) are not paid by another.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from gbus.cli.common import EXIT_OK, CliError, fail

EXIT_CODES = """exit codes:
  0  success
  1  runtime failure (Kafka or a node unreachable, a refused call, a failed check)
  2  usage error (bad flag, bad configuration value)
  3  partial failure: some input lines were bad (reported as FILE:LINE: reason), the rest done
"""

COMMAND_MODULES: tuple[str, ...] = (
    "gbus.cli.kafka_cmd",
    "gbus.cli.schemas_cmd",
    "gbus.cli.route_cmd",
    "gbus.cli.dedup_cmd",
    "gbus.cli.node_cmd",
    "gbus.cli.pki_cmd",
    "gbus.cli.run_cmd",
    "gbus.cli.processor_cmd",
    "gbus.cli.topics_cmd",
    "gbus.cli.status_cmd",
    "gbus.cli.trace_cmd",
    "gbus.cli.dlq_cmd",
    "gbus.cli.import_cmd",
    "gbus.cli.monitor_cmd",
    "gbus.cli.identity_cmd",
    "gbus.cli.tick_cmd",
    "gbus.cli.report_cmd",
    "gbus.cli.open311_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gbus",
        description=(
            "grievance-bus: routes citizens' reports between party, government, "
            "Front and union systems, merges duplicates and syncs case status."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except CliError as exc:
        fail(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`gbus route agencies | head -1`): that is not an error.
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
