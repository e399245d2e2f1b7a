"""Finding `java` and `mvn`, with errors that say how to install them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from gbus.kafka_harness.errors import MissingToolError

MIN_JAVA = 17  # Kafka 4.x brokers refuse older JVMs


def find_java() -> str:
    """JAVA_HOME wins, as in Kafka's own bin/kafka-run-class.sh; then PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("java")
    if not found:
        raise MissingToolError("java", f"java (version {MIN_JAVA}+) not found on PATH or in JAVA_HOME")
    return found


def check_java(java: str) -> int:
    """Return the major version; refuse anything older than Java 17."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError as exc:
        raise MissingToolError("java", f"cannot run {java}: {exc.strerror}") from exc
    text = out.stderr + out.stdout
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not match:
        raise MissingToolError("java", f"cannot tell the version of {java} from: {text.strip()[:200]}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0_392" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise MissingToolError("java", f"{java} is Java {major}; Kafka 4.x needs Java {MIN_JAVA}+")
    return major


def find_mvn() -> str:
    found = shutil.which("mvn")
    if not found:
        raise MissingToolError(
            "mvn", "mvn (Apache Maven) not found on PATH; it is needed once, to fetch the Kafka jars"
        )
    return found
