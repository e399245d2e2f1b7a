"""`gbus pki ...`: a development CA and certificates for mutual TLS.

gbus pki init [--dir var/pki]
gbus pki issue gov.ubnd@79 front.mttq@79 [--dir var/pki]
gbus pki issue-node 79 VN [--dns node79.example] [--ip 10.0.0.5] [--dir var/pki]
gbus pki show var/pki/agencies/gov.ubnd@79.pem [--ca var/pki/ca.pem]
gbus pki issue-signer processor p1 | operator ops [--dir var/pki]
gbus pki issue-broker kafka-1 --dns kafka-1.bus.internal [--ip 10.0.0.11] [--dir var/pki]
gbus pki revoke gov.ubnd@79 | 79 | node:79 | processor:p1 [--dir var/pki]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from gbus.cli.common import EXIT_OK, CliError

DEFAULT_DIR = "var/pki"


def register(subparsers: Any) -> None:
    pki = subparsers.add_parser(
        "pki",
        help="create a development CA and agency/node certificates for mutual TLS",
        description=(
            "Certificates for gRPC mutual TLS. An agency certificate names its agency in the "
            "subject alternative name (URI urn:gbus:agency:<agency_id>); nodes derive the caller's "
            "agency from it. Private keys are written with mode 0600. Files: DIR/ca.pem, "
            "DIR/ca-key.pem, DIR/agencies/<agency_id>.pem|-key.pem, DIR/nodes/<area>.pem|-key.pem."
        ),
    )
    sub = pki.add_subparsers(dest="pki_command", metavar="SUBCOMMAND", required=True)

    init = sub.add_parser(
        "init",
        help="create the CA (EC P-256, valid 5 years)",
        description="Creates DIR/ca.pem and DIR/ca-key.pem. Keep ca-key.pem secret: whoever has it can "
        "issue a certificate for any agency. Also creates, once, this installation's random identity master "
        "and reporter HMAC secret (DIR/identity-master.hex, DIR/reporter-hmac.secret, mode 0600; never "
        "printed): secure-mode nodes and processors refuse the public development ones.",
    )
    _dir_flag(init)
    existing = init.add_mutually_exclusive_group()
    existing.add_argument("--force", action="store_true",
                          help="replace an existing CA (every certificate issued by the old one stops working)")  # fmt: skip
    existing.add_argument("--keep-existing", action="store_true",
                          help="succeed without changes if the CA exists (for scripts that run every time)")  # fmt: skip
    init.set_defaults(func=_init)

    issue = sub.add_parser(
        "issue",
        help="issue member-system client certificates for agencies (valid 1 year)",
        description="Issues (or re-issues, to renew) one certificate per agency id. Every id is checked "
        "before any file is written: its form (sector.role@area) and that the agency directory knows it.",
    )
    issue.add_argument("agency_ids", nargs="+", metavar="AGENCY_ID", help="e.g. gov.ubnd@79, front.mttq@VN")
    _dir_flag(issue)
    issue.add_argument("--extra-agencies", metavar="FILE", help="YAML of extra agencies the directory should also know")
    issue.add_argument("--allow-unknown", action="store_true",
                       help="issue for well-formed ids the directory does not know")  # fmt: skip
    issue.set_defaults(func=_issue)

    node = sub.add_parser(
        "issue-node",
        help="issue node server certificates (valid 1 year; localhost and 127.0.0.1 by default)",
        description="One certificate per area (VN, 79, ...), SAN urn:gbus:node:<area> plus the DNS names "
        "and IP addresses clients dial. A node certificate cannot act as an agency.",
    )
    node.add_argument("areas", nargs="+", metavar="AREA", help="VN, a province code like 79, or 79.26734")
    _dir_flag(node)
    node.add_argument("--dns", action="append", default=[], metavar="NAME",
                      help="a DNS name clients dial (repeatable; localhost is always included)")  # fmt: skip
    node.add_argument("--ip", action="append", default=[], metavar="ADDRESS",
                      help="an IP address clients dial (repeatable; 127.0.0.1 is always included)")  # fmt: skip
    node.set_defaults(func=_issue_node)

    broker = sub.add_parser(
        "issue-broker",
        help="issue a Kafka broker's (or KRaft controller's) TLS certificate and its PEM keystore (valid 1 year)",
        description="For production brokers and controllers (deploy/kafka/production/): a certificate for the "
        "host names clients and other brokers dial, and DIR/brokers/<name>-keystore.pem (key then certificate, "
        "0600), which Kafka reads as ssl.keystore.location with ssl.keystore.type=PEM. No loopback name is "
        "added: `gbus kafka up --secure` issues its own for 127.0.0.1.",
    )
    broker.add_argument("name", help="the broker's name, e.g. kafka-1 (file names only)")
    broker.add_argument("--dns", action="append", required=True, metavar="NAME",
                        help="a host name the broker is dialled by (repeatable; at least one)")  # fmt: skip
    broker.add_argument("--ip", action="append", default=[], metavar="ADDRESS",
                        help="an IP address the broker is dialled by (repeatable)")  # fmt: skip
    _dir_flag(broker)
    broker.set_defaults(func=_issue_broker)

    signer = sub.add_parser(
        "issue-signer",
        help="issue a record-signing certificate for a case processor or an operator (valid 1 year)",
        description="A processor signs the case history it writes (nodes verify it before applying a copy); "
        "an operator signs Ticks (`gbus tick`), which a verifying processor accepts from nobody else. "
        "Files: DIR/processors/<name>.pem|-key.pem, DIR/operators/<name>.pem|-key.pem. Issuing a second "
        "processor certificate is how its key is rotated: keep the old one in the trust directory until "
        "nothing signed by it is still to be verified.",
    )
    signer.add_argument("kind", choices=("processor", "operator"))
    signer.add_argument("name", help="the processor instance or operator name, e.g. p1, ops")
    _dir_flag(signer)
    signer.set_defaults(func=_issue_signer)

    revoke = sub.add_parser(
        "revoke",
        help="revoke certificates: writes DIR/crl.pem, which nodes and processors reload without a restart",
        description="Adds the serial of each named identity's current certificate to the CA-signed revocation "
        "list DIR/crl.pem. A revoked agency is refused by every node at the next call after its reload "
        "interval (security.trust_reload_s); a revoked node's records are refused by the processor. Copy "
        "crl.pem to every host's trust directory.",
    )
    revoke.add_argument("targets", nargs="+", metavar="TARGET",
                        help="an agency id (gov.ubnd@79), a node area (79, VN or node:79), processor:NAME, operator:NAME")  # fmt: skip
    _dir_flag(revoke)
    revoke.set_defaults(func=_revoke)

    show = sub.add_parser("show", help="print a certificate's subject, SANs, agency and validity")
    show.add_argument("file", metavar="FILE", help="a PEM certificate")
    show.add_argument("--ca", help="also check that this CA certificate signed it (exit 1 if not)")
    show.add_argument("--json", action="store_true", help="one JSON object instead of text")
    show.set_defaults(func=_show)


def _dir_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", default=DEFAULT_DIR, help=f"PKI directory (default: {DEFAULT_DIR})")


def _init(args: argparse.Namespace) -> int:
    from gbus.security.pki import PkiError, PkiLayout, create_ca

    layout = PkiLayout(Path(args.dir))
    if layout.ca_cert.exists() and args.keep_existing:
        print(f"kept the existing CA {layout.ca_cert}")
        _ensure_secrets(layout.root)
        return EXIT_OK
    try:
        issued = create_ca(layout.root, overwrite=args.force)
    except PkiError as exc:
        raise CliError(f"{exc} (use --force to replace it, --keep-existing to keep it)") from exc
    until = _day(issued.certificate.not_valid_after_utc)
    print(f"created CA {issued.cert_path} (key {issued.key_path}), valid until {until}")
    _ensure_secrets(layout.root)
    return EXIT_OK


def _ensure_secrets(root: Path) -> None:
    """This installation's identity master and reporter HMAC secret: created once, never printed."""
    from gbus.security.installation_secrets import HMAC_SECRET_FILE, MASTER_FILE, ensure_installation_secrets

    ensure_installation_secrets(root)
    print(f"installation secrets (mode 0600, kept if present): {root / MASTER_FILE}, {root / HMAC_SECRET_FILE}")


def _issue(args: argparse.Namespace) -> int:
    from gbus.domain.vocabulary import is_agency_id
    from gbus.security.pki import PkiError, issue_agency_certificate

    malformed = [a for a in args.agency_ids if not is_agency_id(a)]
    if malformed:
        raise CliError(
            f"not an agency id: {', '.join(malformed)} (expected sector.role@area, e.g. gov.ubnd@79, front.mttq@VN)"
        )
    if not args.allow_unknown:
        directory = _directory(args.extra_agencies)
        unknown = [a for a in args.agency_ids if a not in directory]
        if unknown:
            raise CliError(
                f"not in the agency directory: {', '.join(unknown)} "
                "(check with `gbus route agencies ID`; --allow-unknown to issue anyway)"
            )
    for agency_id in args.agency_ids:
        try:
            issued = issue_agency_certificate(Path(args.dir), agency_id)
        except PkiError as exc:
            raise CliError(str(exc)) from exc
        _print_issued(agency_id, issued)
    return EXIT_OK


def _issue_node(args: argparse.Namespace) -> int:
    from gbus.domain.vocabulary import is_area
    from gbus.security.pki import DEFAULT_NODE_DNS, DEFAULT_NODE_IPS, PkiError, issue_node_certificate

    malformed = [a for a in args.areas if not is_area(a)]
    if malformed:
        raise CliError(f"not an area: {', '.join(malformed)} (expected VN, a province code like 79, or 79.26734)")
    directory = _directory(None)
    unknown = [a for a in args.areas if not directory.has_area(a)]
    if unknown:
        raise CliError(f"no such area: {', '.join(unknown)}")
    dns = tuple(dict.fromkeys([*DEFAULT_NODE_DNS, *args.dns]))
    ips = tuple(dict.fromkeys([*DEFAULT_NODE_IPS, *args.ip]))
    for area in args.areas:
        try:
            issued = issue_node_certificate(Path(args.dir), area, dns_names=dns, ip_addresses=ips)
        except PkiError as exc:
            raise CliError(str(exc)) from exc
        _print_issued(f"node {area}", issued)
    return EXIT_OK


def _issue_broker(args: argparse.Namespace) -> int:
    from gbus.kafka_harness.tls import write_keystore
    from gbus.security.pki import PkiError, PkiLayout, issue_broker_certificate

    try:
        issued = issue_broker_certificate(
            Path(args.dir), args.name, dns_names=tuple(args.dns), ip_addresses=tuple(args.ip)
        )
    except PkiError as exc:
        raise CliError(str(exc)) from exc
    keystore = write_keystore(
        issued.cert_path, issued.key_path, PkiLayout(Path(args.dir)).root / "brokers" / f"{args.name}-keystore.pem"
    )
    _print_issued(f"broker {args.name}", issued)
    print(f"keystore {keystore}")
    return EXIT_OK


def _issue_signer(args: argparse.Namespace) -> int:
    from gbus.security.pki import PkiError, issue_signer_certificate

    try:
        issued = issue_signer_certificate(Path(args.dir), args.kind, args.name)
    except PkiError as exc:
        raise CliError(str(exc)) from exc
    _print_issued(f"{args.kind} {args.name}", issued)
    return EXIT_OK


def _revoke(args: argparse.Namespace) -> int:
    from gbus.security.pki import PkiError
    from gbus.security.revocation import revoke

    for target in args.targets:
        try:
            path, serial = revoke(Path(args.dir), target)
        except PkiError as exc:
            raise CliError(str(exc)) from exc
        print(f"revoked {target}: {path} (serial {serial:x}); list {Path(args.dir) / 'crl.pem'}")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from gbus.security.certificates import CertificateError, describe_certificate, issued_by

    pem = _read(args.file, "FILE")
    try:
        info = describe_certificate(pem)
        signed = issued_by(pem, _read(args.ca, "--ca")) if args.ca else None
    except CertificateError as exc:
        raise CliError(f"{args.file}: {exc}") from exc
    now = dt.datetime.now(dt.timezone.utc)
    state = "expired" if now > info.not_after else "not yet valid" if now < info.not_before else "valid"
    fields: dict[str, Any] = {
        "file": args.file,
        "subject": info.subject,
        "issuer": info.issuer,
        "serial": info.serial_hex,
        "not_before": info.not_before.isoformat(),
        "not_after": info.not_after.isoformat(),
        "state": state,
        "is_ca": info.is_ca,
        "san_uris": list(info.uris),
        "san_dns": list(info.dns_names),
        "san_ips": list(info.ip_addresses),
        "agency": info.agency,
        "node_area": info.node_area,
    }
    if signed is not None:
        fields["signed_by_ca"] = signed
    if args.json:
        print(json.dumps(fields, ensure_ascii=False))
    else:
        width = max(len(k) for k in fields)
        for key, value in fields.items():
            text = ", ".join(value) if isinstance(value, list) else value
            print(f"{key:<{width}}  {text if text not in (None, '') else '-'}")
    if signed is False:
        raise CliError(f"{args.file} was not signed by {args.ca}")
    return EXIT_OK


def _directory(extra_agencies: str | None) -> Any:
    from gbus.directory import DataFileError, Directory

    try:
        return Directory.from_files(extra_agencies=extra_agencies)
    except DataFileError as exc:
        raise CliError(f"cannot load the agency directory:\n{exc}") from exc


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"{what}: cannot read {path}: {exc.strerror}") from exc


def _print_issued(who: str, issued: Any) -> None:
    until = _day(issued.certificate.not_valid_after_utc)
    print(f"issued {who}: {issued.cert_path} (key {issued.key_path}), valid until {until}")


def _day(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d")
