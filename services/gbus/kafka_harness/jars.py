"""The broker classpath: fetched once from Maven Central, then reused from the cache.

`mvn dependency:copy-dependencies` on deploy/kafka/pom.xml copies the runtime jars into
<cache>/<version>/lib. Maven keeps its own download cache (~/.m2), so fetching again
after the project cache is wiped takes seconds, not minutes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gbus.kafka_harness import paths
from gbus.kafka_harness.errors import JarFetchError
from gbus.kafka_harness.prereqs import find_mvn

Progress = Callable[[str], None]

_POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Generous: the very first run downloads Maven's own plugins as well as ~45 MB of jars.
FETCH_TIMEOUT_S = 900


@dataclass(frozen=True, slots=True)
class KafkaRuntime:
    version: str
    lib_dir: Path

    @property
    def classpath(self) -> str:
        return str(self.lib_dir / "*")  # the JVM expands the wildcard itself


def kafka_version(pom: Path) -> str:
    try:
        root = ET.parse(pom).getroot()
    except (OSError, ET.ParseError) as exc:
        raise JarFetchError(f"cannot read {pom}: {exc}") from exc
    node = root.find("m:properties/m:kafka.version", _POM_NS)
    version = (node.text or "").strip() if node is not None else ""
    if not version:
        raise JarFetchError(f"{pom} has no <properties><kafka.version>")
    return version


def ensure_jars(
    *,
    pom: Path | None = None,
    cache_root: Path | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> KafkaRuntime:
    """Return the cached runtime, fetching it first if it is missing or the pom changed."""
    pom = pom or paths.pom_path()
    cache_root = cache_root or paths.cache_root()
    version = kafka_version(pom)
    base = cache_root / version
    runtime = KafkaRuntime(version, base / "lib")
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if not force and _is_complete(base, runtime, digest):
        return runtime
    mvn = find_mvn()
    base.mkdir(parents=True, exist_ok=True)
    # Two `make test` runs or an IDE and a shell may fetch at once; one fetches, the other waits.
    with _locked(base / ".lock"):
        if not force and _is_complete(base, runtime, digest):
            return runtime
        _fetch(mvn, pom, base, runtime, digest, progress)
    return runtime


def _is_complete(base: Path, runtime: KafkaRuntime, digest: str) -> bool:
    stamp = base / "fetched.json"
    try:
        meta = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    broker_jar = runtime.lib_dir / f"kafka_2.13-{runtime.version}.jar"
    return meta.get("pom_sha256") == digest and broker_jar.is_file()


def _fetch(mvn: str, pom: Path, base: Path, runtime: KafkaRuntime, digest: str, progress: Progress | None) -> None:
    if progress:
        progress(f"fetching Kafka {runtime.version} jars with Maven into {runtime.lib_dir}")
    partial = base / f"lib.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    cmd = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={partial}",
    ]
    started = time.monotonic()
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=FETCH_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise JarFetchError(f"mvn did not finish within {FETCH_TIMEOUT_S} s: {' '.join(cmd)}") from exc
    if done.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        output = _ANSI.sub("", (done.stdout + done.stderr)).strip().splitlines()
        tail = "\n".join(output[-25:])
        raise JarFetchError(
            f"mvn failed (exit {done.returncode}) fetching Kafka {runtime.version}; is Maven Central "
            f"reachable? command: {' '.join(cmd)}\n{tail}"
        )
    expected = [f"kafka_2.13-{runtime.version}.jar", "log4j-slf4j-impl-"]
    names = [p.name for p in partial.iterdir()]
    for want in expected:
        if not any(name.startswith(want) for name in names):
            shutil.rmtree(partial, ignore_errors=True)
            raise JarFetchError(f"mvn succeeded but {want}* is missing from its output; check {pom}")
    # Swap in the finished directory so a crash mid-fetch never leaves a half classpath in use.
    old = base / f"lib.old-{os.getpid()}"
    if runtime.lib_dir.exists():
        runtime.lib_dir.rename(old)
    partial.rename(runtime.lib_dir)
    shutil.rmtree(old, ignore_errors=True)
    elapsed = time.monotonic() - started
    stamp = {
        "kafka_version": runtime.version,
        "pom_sha256": digest,
        "jars": len(names),
        "fetch_seconds": round(elapsed, 1),
    }
    (base / "fetched.json").write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    if progress:
        progress(f"fetched {len(names)} jars in {elapsed:.1f} s")


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
