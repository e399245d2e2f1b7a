"""`gbus open311`: the Open311 GeoReport v2 gateway in front of a node (docs/open311.md).

    gbus open311 --node 127.0.0.1:40123 [--api-key KEY=AGENCY_ID ...] [--listen HOST:PORT]
                 [--data-dir DIR] [--channel app_cong_dan]

Without --api-key a random key is made for --agency (default gov.ubnd@79).
Prints one line when ready:

    open311 url=http://127.0.0.1:40125/ api_key=KEY agency=gov.ubnd@79
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gbus.cli.common import EXIT_OK, EXIT_USAGE, CliError, stop_on_signals


def register(subparsers: Any) -> None:
    from gbus.open311.defaults import DEFAULT_CHANNEL, DEMO_AGENCY

    p = subparsers.add_parser(
        "open311",
        help="run the Open311 GeoReport v2 gateway (HTTP) in front of a node",
        description="Serve GeoReport v2 (JSON and XML) for civic apps; each API key speaks for one agency.",
    )
    p.add_argument("--node", required=True, help="the node's gRPC address HOST:PORT")
    p.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY=AGENCY_ID",
        help="an API key and the agency it speaks for (repeatable; visible in the process list)",
    )
    p.add_argument("--api-keys-file", help="KEY=AGENCY_ID lines (# comments), kept out of the process list")  # fmt: skip
    p.add_argument(
        "--agency", default=DEMO_AGENCY, help=f"agency of the generated key when no --api-key (default {DEMO_AGENCY})"
    )
    p.add_argument("--listen", default="127.0.0.1:0", help="HTTP listen address HOST:PORT (port 0 = any free port)")
    p.add_argument("--data-dir", default="var/open311", help="directory of the gateway's store (tokens, coordinates)")
    p.add_argument(
        "--channel", default=DEFAULT_CHANNEL, help=f"channel of the reports it files (default {DEFAULT_CHANNEL})"
    )
    p.add_argument("--tls-ca", help="CA bundle of a secure node (mutual TLS); with --tls-cert and --tls-key")
    p.add_argument(
        "--tls-cert", help="the agency's certificate: the node knows the caller by it (one agency per gateway)"
    )
    p.add_argument("--tls-key", help="the agency certificate's private key")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gbus.open311.app import Open311App
    from gbus.open311.keys import ApiKeys

    pairs = list(args.api_key) + (_key_lines(args.api_keys_file) if args.api_keys_file else [])
    pairs = pairs or [f"{ApiKeys.new_key()}={args.agency}"]
    try:
        keys = ApiKeys.parse(pairs)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    tls_files = (args.tls_ca, args.tls_cert, args.tls_key)
    if any(tls_files) and not all(tls_files):
        raise CliError("--tls-ca, --tls-cert and --tls-key go together", EXIT_USAGE)
    tls = tls_files if all(tls_files) else None
    if tls is not None and len(keys.agencies()) > 1:
        # Over mutual TLS the node knows the caller by the one certificate: a key of another
        # agency would act with this certificate's rights.
        raise CliError("with --tls-cert every --api-key must belong to the certificate's agency", EXIT_USAGE)
    stop = stop_on_signals()
    try:
        app = Open311App(node=args.node, keys=keys, data_dir=args.data_dir, listen=args.listen, channel=args.channel,
                         tls=tls).start()  # fmt: skip
    except OSError as exc:
        raise CliError(f"open311 did not start: {exc}") from exc
    demo_key, _, demo_agency = pairs[0].partition("=")
    print(app.ready_line(demo_key, demo_agency), flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        app.stop()
    print("open311 stopped", file=sys.stderr)
    return EXIT_OK


def _key_lines(path: str) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"--api-keys-file: {exc}", EXIT_USAGE) from exc
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
