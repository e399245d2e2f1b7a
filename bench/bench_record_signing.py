"""What record origin costs (issue 10): signing at a node, verifying at the processor.

Per record of realistic size (a Report of ~1.5 kB and a CaseCopy of ~20 kB), median
and p99 of:

- `RecordSigner.headers` (the node's or processor's cost per record written),
- `verify_with` against a loaded trust snapshot (the processor's cost per input record,
  a node's per copy),

next to the baseline measured in the same run: Avro-encoding the same record, which
every writer pays anyway.

    .venv/bin/python bench/bench_record_signing.py [--n 2000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from gbus.codec import AvroCodec
from gbus.security.pki import create_ca, issue_node_certificate
from gbus.security.record_signing import RecordSigner
from gbus.security.trust import load_trust, verify_with
from gbus.wire.avro_records import report_record


def timed(fn, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples) * 1e6, samples[int(0.99 * (n - 1))] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()

    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from support.factories import T0, case_report

    codec = AvroCodec()
    record = report_record(case_report(description="Một hộ dân xây tường rào lấn ra đường đi chung. " * 25).report,
                           shard="79", accepted_at=T0, accepted_by="79")  # fmt: skip
    value = codec.encode("gbus.avro.Report", record)
    copy_like = value * 14  # the size of a case copy with a dozen events
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        create_ca(root)
        issued = issue_node_certificate(root, "79")
        key = serialization.load_pem_private_key(issued.key_path.read_bytes(), password=None)
        signer = RecordSigner("node:79", key)  # type: ignore[arg-type]
        trust = load_trust(root)
        now = datetime.now(timezone.utc)
        rows = [("avro encode (baseline)", len(value), timed(lambda: codec.encode("gbus.avro.Report", record), args.n))]
        for label, payload in (("report", value), ("case copy", copy_like)):
            headers = signer.headers("gbus.reports", b"79", payload)
            rows.append(
                (
                    f"sign {label}",
                    len(payload),
                    timed(lambda p=payload: signer.headers("gbus.reports", b"79", p), args.n),
                )
            )
            rows.append((f"verify {label}", len(payload),
                         timed(lambda p=payload, h=headers: verify_with(trust, "gbus.reports", b"79", p, h, now), args.n)))  # fmt: skip
    print(f"{'operation':<24} {'bytes':>7} {'median µs':>10} {'p99 µs':>8}")
    for label, size, (median, p99) in rows:
        print(f"{label:<24} {size:>7} {median:>10.0f} {p99:>8.0f}")


if __name__ == "__main__":
    main()
