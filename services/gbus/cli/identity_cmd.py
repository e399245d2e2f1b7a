"""`gbus identity`: reporter identity keys and erasure (docs/identity.md).

    gbus identity keyring --area 79 --out var/keys/node-79.json [--config custodian.toml]
    gbus identity erase CASE_ID --as AGENCY --node HOST:PORT [--reason TEXT] [--pki DIR]

`keyring` runs where the master secret lives (the processor's host): it writes
the file a node's `security.identity_keyring` points to, holding the KEKs of
that area's agencies and the custodian's public key, never the master.
`erase` asks a node to have the processor shred a case's reporter identities;
only the case's handler or its superior may.
"""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path
from typing import Any

from gbus.cli.common import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("identity", help="reporter identity keys: node keyrings, erasure")
    sub = parser.add_subparsers(dest="identity_command", metavar="ACTION", required=True)

    ring = sub.add_parser("keyring", help="write a node's keyring (its area's agency KEKs) from the master secret")
    ring.add_argument("--area", required=True, help="node area: VN or a province code")
    ring.add_argument("--out", required=True, help="keyring file to write (mode 0600)")
    ring.add_argument("--config", help="TOML settings holding security.identity_master_hex")
    ring.set_defaults(func=_keyring)

    erase = sub.add_parser("erase", help="crypto-shred every reporter identity of a case")
    erase.add_argument("case_id")
    erase.add_argument(
        "--as", dest="agency", required=True, help="the calling agency (the case's handler or its superior)"
    )
    erase.add_argument("--node", required=True, help="HOST:PORT of the agency's node")
    erase.add_argument("--reason", default="", help="recorded in the case history")
    erase.add_argument("--pki", help="`gbus pki` directory: call with the agency's certificate (mTLS)")
    erase.set_defaults(func=_erase)


def _keyring(args: argparse.Namespace) -> int:
    from gbus.config import ConfigError, load_settings
    from gbus.routing import Router
    from gbus.security.keys import dump_node_keyring, issue_node_keyring, master_from_hex
    from gbus.security.provisioning import area_agencies

    try:
        security = load_settings(args.config).security
        master = master_from_hex(security.identity_master_hex)
    except (ConfigError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    directory = Router.default().directory
    if not directory.has_area(args.area):
        raise CliError(f"unknown area {args.area!r}")
    agencies = area_agencies(directory, args.area)
    ring = issue_node_keyring(master, security.identity_key_epoch, agencies)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written 0600 from the start: the file holds key-encryption keys.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(dump_node_keyring(ring))
    print(f"keyring for area {args.area}: {len(agencies)} agencies, epoch {ring.epoch} -> {out}")
    return 0


def _erase(args: argparse.Namespace) -> int:
    import grpc

    from gbus.v1 import case_pb2, case_pb2_grpc

    if args.pki:
        from gbus.api.tls import agency_channel

        channel = agency_channel(args.node, args.pki, args.agency)
        metadata: tuple[tuple[str, str], ...] = ()
    else:
        channel = grpc.insecure_channel(args.node)
        metadata = (("x-agency-id", args.agency),)  # development mode only
    request = case_pb2.EraseReporterIdentityRequest(
        case_id=args.case_id, reason=args.reason, request_id=f"erase-{uuid.uuid4().hex}"
    )
    try:
        with channel:
            case = (
                case_pb2_grpc.CaseServiceStub(channel)
                .EraseReporterIdentity(request, metadata=metadata, timeout=30)
                .case
            )
    except grpc.RpcError as exc:
        raise CliError(f"erase refused: {exc.code().name}: {exc.details()}") from exc
    print(f"case {case.case_id or args.case_id}: reporter identities erased (version {case.version})")
    return 0
