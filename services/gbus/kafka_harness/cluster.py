"""KafkaCluster: 1 or 3 combined broker+controller nodes in one data dir, on 127.0.0.1.

    <data-dir>/cluster.json          cluster id, Kafka version, node ports (state.py)
    <data-dir>/credentials.json      secure clusters only: SCRAM passwords, 0600 (security.py)
    <data-dir>/pki/                  secure clusters without ca_dir: their own CA (tls.py)
    <data-dir>/node-<id>/            server.properties, data/, logs/, console.log, kafka.pid

start() is idempotent: nodes already running are left alone, missing ones are started,
and it returns once every node is registered with the controller and unfenced.
"""

from __future__ import annotations

import fcntl
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from gbus.config import KafkaSettings
from gbus.kafka_harness import paths, readiness, security, storage, tls
from gbus.kafka_harness.config import NodeHost, NodeSpec, new_cluster_id, plan_nodes, render_node_config
from gbus.kafka_harness.errors import BrokerStartError, DataDirError, HarnessError
from gbus.kafka_harness.jars import KafkaRuntime, ensure_jars
from gbus.kafka_harness.port_claims import PortClaims
from gbus.kafka_harness.ports import HOST, ensure_ports_free, is_port_clash, is_port_free
from gbus.kafka_harness.prereqs import check_java, find_java
from gbus.kafka_harness.process import (
    DEFAULT_HEAP,
    NodeFiles,
    launch,
    running_pid,
    send_signal,
    tail,
    wait_exit,
)
from gbus.kafka_harness.state import ClusterState, is_harness_dir, load_state, save_state
from gbus.private_files import open_private, private_dir, private_file

Progress = Callable[[str], None]

# A clean KRaft shutdown (leadership handed off, logs flushed) takes 2-5 s here; past this
# the node is SIGKILLed. Data is still safe then, the next start just recovers the logs.
DEFAULT_STOP_GRACE_S = 30.0
QUORUMLESS_GRACE_S = 5.0
DEFAULT_START_TIMEOUT_S = 120.0
# A first start plus two retries: one for a JVM that died silently, one for a port clash.
START_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class NodeStatus:
    node_id: int
    port: int
    controller_port: int
    pid: int | None
    host: str = HOST

    @property
    def running(self) -> bool:
        return self.pid is not None

    def to_json(self) -> dict[str, object]:
        return {
            "node_id": self.node_id,
            "port": self.port,
            "controller_port": self.controller_port,
            "pid": self.pid,
            "running": self.running,
        }


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    data_dir: Path
    exists: bool
    cluster_id: str | None
    kafka_version: str | None
    nodes: tuple[NodeStatus, ...]

    @property
    def state(self) -> str:
        """absent (never formatted), stopped, partial (some nodes down) or running."""
        if not self.exists:
            return "absent"
        up = sum(n.running for n in self.nodes)
        return "stopped" if up == 0 else ("running" if up == len(self.nodes) else "partial")

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{n.host}:{n.port}" for n in self.nodes)

    def to_json(self) -> dict[str, object]:
        return {
            "data_dir": str(self.data_dir),
            "state": self.state,
            "cluster_id": self.cluster_id,
            "kafka_version": self.kafka_version,
            "brokers": len(self.nodes),
            "bootstrap_servers": self.bootstrap_servers if self.exists else None,
            "nodes": [n.to_json() for n in self.nodes],
        }


class KafkaCluster:
    """Start, stop and break a local Kafka cluster. Use as a context manager in tests."""

    def __init__(
        self,
        data_dir: str | Path,
        brokers: int = 1,
        base_port: int | None = None,
        *,
        heap: str = DEFAULT_HEAP,
        extra_config: Mapping[str, str] | None = None,
        start_timeout: float = DEFAULT_START_TIMEOUT_S,
        progress: Progress | None = None,
        bind_to_parent: bool = False,
        cache_root: Path | None = None,
        secure: bool = False,
        ca_dir: Path | None = None,
        hosts: Mapping[int, NodeHost] | None = None,
    ) -> None:
        """base_port=None (or 0): reuse the ports of an existing data dir, else pick free ones.

        secure=True: TLS (certificates from the CA in ca_dir, the bus CA; default
        <data-dir>/pki, created if absent), SCRAM logins and ACLs (security.py, tls.py).

        bind_to_parent=True makes the kernel SIGKILL the brokers when their parent dies (tests).
        The kernel ties this to the *thread* that launched the JVM: call start()/restart()
        from the main thread, or a broker dies when its short-lived starter thread ends.

        hosts (fault tests; 3 nodes, insecure, new data dir only): node id -> NodeHost, the
        address that node listens on and, if netns is set, the existing network namespace its
        JVM runs in (bench/fault_campaign.py cuts one broker off that way). Nodes not named
        stay on 127.0.0.1.
        """
        self.data_dir = Path(data_dir).resolve()
        base_port = base_port or None  # 0 means "any free port", as when binding a socket
        self.heap = heap
        self.start_timeout = start_timeout
        self._progress = progress
        self._bind_to_parent = bind_to_parent
        self._cache_root = cache_root
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._creds: security.Credentials | None = None
        existing = load_state(self.data_dir)
        # Set while the ports are our own free pick and nothing is formatted with them yet:
        # then a clash means new ports, not an error (port_claims.py).
        self._claims: PortClaims | None = None
        self._hosts = dict(hosts or {})
        if self._hosts and secure:
            # The brokers' certificates name 127.0.0.1 only (tls.py).
            raise HarnessError("node hosts are not supported on a secure cluster")
        if existing is None:
            self._cluster_id: str | None = None
            self._claims = PortClaims() if base_port is None else None
            self.nodes = plan_nodes(brokers, base_port, self._claims, self._hosts)
            self._extra = dict(extra_config or {})
            self.secure = secure
            self.ca_dir = Path(ca_dir).resolve() if ca_dir else self.data_dir / "pki"
            return
        if secure and not existing.secure:
            raise DataDirError(
                f"{self.data_dir} holds a cluster formatted without --secure (no SCRAM users); "
                "use another data dir or --fresh"
            )
        # A secure cluster stays secure: its brokers refuse unauthenticated clients anyway.
        self.secure = existing.secure
        # The brokers' certificates come from the CA they were first started with.
        self.ca_dir = Path(existing.ca_dir) if existing.ca_dir else self.data_dir / "pki"
        if self.secure:
            self._creds = security.load_credentials(self.data_dir)
        if len(existing.nodes) != brokers:
            raise DataDirError(
                f"{self.data_dir} holds a {len(existing.nodes)}-broker cluster, not {brokers}; "
                "use another data dir or --fresh"
            )
        if base_port is not None and existing.nodes[0].port != base_port:
            raise DataDirError(
                f"{self.data_dir} was formatted for port {existing.nodes[0].port}, not {base_port} "
                "(KRaft keeps its controller addresses); drop --port or use --fresh"
            )
        formatted_hosts = {n.node_id: NodeHost(n.host, n.netns) for n in existing.nodes if n.host != HOST}
        if hosts is not None and formatted_hosts != self._hosts:
            raise DataDirError(f"{self.data_dir} was formatted with node hosts {formatted_hosts}, not {self._hosts}")
        self._cluster_id = existing.cluster_id
        self.nodes = existing.nodes
        self._extra = existing.extra_config if extra_config is None else dict(extra_config)

    @classmethod
    def open(cls, data_dir: str | Path, **kwargs: object) -> "KafkaCluster":
        """The cluster recorded in data_dir (for down/status); DataDirError if there is none."""
        state = load_state(Path(data_dir).resolve())
        if state is None:
            raise DataDirError(f"no Kafka cluster in {data_dir} (no cluster.json); run gbus kafka up")
        return cls(data_dir, brokers=len(state.nodes), **kwargs)  # type: ignore[arg-type]

    # -- views ---------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(n.address for n in self.nodes)

    @property
    def cluster_id(self) -> str | None:
        return self._cluster_id

    @property
    def credentials(self) -> security.Credentials | None:
        """SCRAM passwords of a secure cluster (None if insecure or not started yet)."""
        return self._creds

    def client_config(self, user: str = security.ADMIN_USER) -> dict[str, object]:
        """kafka-python keyword arguments to connect as `user` ({} for an insecure cluster)."""
        fields = self.settings_fields(user)
        return KafkaSettings(**fields).client_security() if fields else {}

    def settings_fields(self, user: str = security.ADMIN_USER) -> security.KafkaLogin:
        """KafkaSettings fields (GBUS__KAFKA__*) that connect as `user` ({} for an insecure cluster)."""
        if not self.secure:
            return {}
        if self._creds is None:
            raise HarnessError("the secure cluster has no credentials yet; start() it first")
        return security.settings_fields(self._creds, tls.ca_file(self.ca_dir), user)

    def node(self, node_id: int) -> NodeSpec:
        for spec in self.nodes:
            if spec.node_id == node_id:
                return spec
        raise HarnessError(f"no node {node_id}; nodes are {[n.node_id for n in self.nodes]}")

    def files(self, node_id: int) -> NodeFiles:
        return NodeFiles.of(self.data_dir, node_id)

    def pid(self, node_id: int) -> int | None:
        return running_pid(self.files(self.node(node_id).node_id))

    def status(self) -> ClusterStatus:
        state = load_state(self.data_dir)
        nodes = tuple(NodeStatus(n.node_id, n.port, n.controller_port, self.pid(n.node_id), n.host) for n in self.nodes)
        return ClusterStatus(
            data_dir=self.data_dir,
            exists=state is not None,
            cluster_id=state.cluster_id if state else None,
            kafka_version=state.kafka_version if state else None,
            nodes=nodes,
        )

    def not_ready_reason(self) -> str | None:
        """None when every node is registered and unfenced; else why not."""
        return readiness.check_ready(self.nodes, {n.node_id for n in self.nodes}, self._admin_config())

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> "KafkaCluster":
        with self._locked():
            try:
                self._start_missing()
            finally:
                # Listening brokers hold their ports now (or the start failed): either way the
                # ports are this cluster's for good, and other harnesses need no claim to see it.
                if self._claims is not None:
                    self._claims.release()
                    self._claims = None
        return self

    def stop(self, grace: float = DEFAULT_STOP_GRACE_S) -> list[int]:
        """Stop every running node (SIGTERM, SIGKILL after grace); returns the node ids stopped."""
        with self._locked():
            running = sum(self.pid(n.node_id) is not None for n in self.nodes)
            if len(self.nodes) > 1 and 0 < running <= len(self.nodes) // 2:
                # Without a controller majority a broker's controlled shutdown waits (up to
                # 5 min) for an approval that cannot come. Its data is safe in the page cache
                # either way; the next start recovers the log.
                self._say(
                    f"only {running} of {len(self.nodes)} nodes running, no controller quorum: "
                    f"SIGKILL after {QUORUMLESS_GRACE_S:.0f} s"
                )
                grace = min(grace, QUORUMLESS_GRACE_S)
            return self._stop_nodes([n.node_id for n in self.nodes], grace)

    def stop_node(self, node_id: int, grace: float = DEFAULT_STOP_GRACE_S) -> bool:
        with self._locked():
            return bool(self._stop_nodes([self.node(node_id).node_id], grace))

    def kill(self, node_id: int, sig: int = signal.SIGKILL) -> None:
        """Send sig to one node's JVM (SIGKILL, SIGSTOP, SIGCONT...); waits only for SIGKILL."""
        files = self.files(self.node(node_id).node_id)
        pid = running_pid(files)
        if pid is None:
            raise HarnessError(f"node {node_id} is not running")
        send_signal(pid, sig)
        if sig == signal.SIGKILL and not wait_exit(pid, timeout=10):
            raise HarnessError(f"node {node_id} (pid {pid}) survived SIGKILL for 10 s")
        self._reap(node_id)

    def restart(self, node_id: int, grace: float = DEFAULT_STOP_GRACE_S) -> None:
        """Stop one node if running, start it again, wait until the whole cluster is ready."""
        self.stop_node(node_id, grace)
        self.start()

    def wipe(self) -> None:
        """Stop everything and delete this cluster's files (for --fresh)."""
        with self._locked():
            self._stop_nodes([n.node_id for n in self.nodes], DEFAULT_STOP_GRACE_S)
            for entry in self.data_dir.iterdir():
                if entry.name.startswith("node-"):
                    shutil.rmtree(entry)
                elif entry.name.startswith(("cluster.json", security.CREDENTIALS_FILE)):
                    entry.unlink()
        self._cluster_id = None
        self._creds = None

    def __enter__(self) -> "KafkaCluster":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- internals -----------------------------------------------------------------------

    def _say(self, message: str) -> None:
        if self._progress:
            self._progress(message)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Two `gbus kafka up` on one data dir would both format and launch; one waits instead.
        if not is_harness_dir(self.data_dir):
            raise DataDirError(
                f"{self.data_dir} is not empty and was not made by the Kafka harness; "
                "refusing to use it (choose a new or empty --data-dir)"
            )
        private_dir(self.data_dir)
        with open(private_file(self.data_dir / ".harness.lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _start_missing(self) -> None:
        java = find_java()
        check_java(java)
        missing = [n for n in self.nodes if running_pid(self.files(n.node_id)) is None]
        if not missing:
            self._say(f"already running: {self.bootstrap_servers}")
            self._wait_ready(launched=[])
            return
        if self._claims is not None and not all(is_port_free(p) for n in self.nodes for p in n.ports):
            self._new_ports("a picked port was taken before the brokers started")
            missing = list(self.nodes)
        ensure_ports_free([p for n in missing for p in n.ports])
        runtime = ensure_jars(cache_root=self._cache_root, progress=self._progress)
        started = time.monotonic()
        if self._cluster_id is None:
            self._cluster_id = new_cluster_id()
        if self.secure and self._creds is None:
            from gbus.topics import node_areas

            self._creds = security.Credentials.generate(node_areas())
            security.save_credentials(self.data_dir, self._creds)
        log4j = paths.deploy_dir() / "log4j2.properties"
        for attempt in range(1, START_ATTEMPTS + 1):
            self._prepare_storage(java, runtime)
            for spec in missing:
                self._say(f"starting node {spec.node_id} on {spec.address} (controller :{spec.controller_port})")
                self._procs[spec.node_id] = launch(
                    java, runtime, log4j, self.files(spec.node_id), self.heap, self._bind_to_parent, spec.netns
                )
            try:
                self._wait_ready(launched=[n.node_id for n in missing])
                break
            except BrokerStartError as exc:
                # A JVM that dies silently right after printing its config (seen under heavy
                # load on 2 cores, with no error in its log) gets one more start; a real
                # misconfiguration fails the same way twice and is reported.
                codes = {n.node_id: self._procs[n.node_id].poll() for n in missing if n.node_id in self._procs}
                if attempt == START_ATTEMPTS or "exited during startup" not in str(exc):
                    raise
                if is_port_clash(exc.log_tail) and self._claims is not None:
                    # Someone outside the harness took a picked port between our check and the
                    # JVM's bind: the cluster is not formatted for good yet, so it moves.
                    self._new_ports("a broker could not bind its port")
                    missing = list(self.nodes)
                    continue
                self._say(f"a broker exited during startup (exit codes {codes}); starting once more")
        self._say(f"Kafka {runtime.version} ready in {time.monotonic() - started:.1f} s: {self.bootstrap_servers}")

    def _prepare_storage(self, java: str, runtime: KafkaRuntime) -> None:
        self._write_configs()
        self._format(java, runtime)
        assert self._cluster_id is not None
        save_state(
            self.data_dir,
            ClusterState(
                self._cluster_id,
                runtime.version,
                self.nodes,
                self._extra,
                secure=self.secure,
                ca_dir=str(self.ca_dir) if self.secure else "",
            ),
        )

    def _new_ports(self, reason: str) -> None:
        """Pick every port again and drop storage formatted for the old ones (KRaft keeps them)."""
        assert self._claims is not None
        self._claims.release()
        self.nodes = plan_nodes(len(self.nodes), None, self._claims, self._hosts)
        for entry in self.data_dir.iterdir():
            if entry.name.startswith("node-"):
                shutil.rmtree(entry)
        self._say(f"{reason}; new ports {[p for n in self.nodes for p in n.ports]}")

    def _write_configs(self) -> None:
        deploy = paths.deploy_dir()
        for spec in self.nodes:
            files = self.files(spec.node_id)
            private_dir(files.root)
            extra = dict(self._extra)
            if self._creds is not None:
                assert self._cluster_id is not None
                broker_tls = tls.prepare_broker_tls(self.ca_dir, self._cluster_id, spec.node_id, files.root)
                extra.update(security.broker_overrides(spec, self._creds, broker_tls))
            text = render_node_config(deploy, spec, self.nodes, files.log_dir, extra)
            # Private whether or not it holds passwords (a secure node's admin and controller ones).
            with open_private(files.config, "w") as config:
                config.write(text)

    def _format(self, java: str, runtime: KafkaRuntime) -> None:
        todo = [n for n in self.nodes if not self.files(n.node_id).is_formatted]
        if not todo:
            return
        assert self._cluster_id is not None
        self._say(f"formatting KRaft storage of {len(todo)} node(s), cluster id {self._cluster_id}")
        log4j = paths.deploy_dir() / "log4j2.properties"
        standalone = len(self.nodes) == 1
        scram = security.scram_format_args(self._creds) if self._creds is not None else []
        procs = [
            (
                storage.start_format(java, runtime, log4j, self.files(n.node_id), self._cluster_id, standalone, scram),
                self.files(n.node_id),
            )
            for n in todo
        ]
        errors = []
        for proc, files in procs:
            try:
                storage.finish_format(proc, files)
            except HarnessError as exc:
                errors.append(str(exc))
        if errors:
            raise HarnessError("\n".join(errors))

    def _wait_ready(self, launched: list[int]) -> None:
        def liveness() -> str | None:
            for node_id in launched:
                if not self._alive(node_id):
                    return f"node {node_id} exited during startup"
            return None

        expected = {n.node_id for n in self.nodes}
        try:
            waited = readiness.wait_until_ready(
                self.nodes, expected, self.start_timeout, liveness, self._progress, self._admin_config()
            )
        except (TimeoutError, RuntimeError) as exc:
            culprit = self._first_dead(launched) or (launched[0] if launched else self.nodes[0].node_id)
            log_tail = self._log_tail(culprit)
            # A half-started cluster would hold the ports and confuse the next attempt.
            self._stop_nodes(launched, grace=5)
            raise BrokerStartError(
                f"Kafka did not become ready: {exc}; logs in {self.files(culprit).root}",
                node_id=culprit,
                log_tail=log_tail,
            ) from exc
        if launched:
            self._say(f"brokers registered after {waited:.1f} s")

    def _admin_config(self) -> dict[str, object] | None:
        return self.client_config() if self._creds is not None else None

    def _first_dead(self, node_ids: list[int]) -> int | None:
        return next((i for i in node_ids if running_pid(self.files(i)) is None), None)

    def _log_tail(self, node_id: int) -> str:
        files = self.files(node_id)
        server = tail(files.logs_dir / "server.log", 25)
        console = tail(files.console_log, 10)
        parts = [f"[{files.logs_dir / 'server.log'}]\n{server}"] if server else []
        if console.strip() and not console.strip().startswith("=== starting"):
            parts.append(f"[{files.console_log}]\n{console}")
        return "\n".join(parts)

    def _stop_nodes(self, node_ids: list[int], grace: float) -> list[int]:
        # All nodes get SIGTERM at once: stopping a KRaft quorum one by one makes the last
        # nodes wait for a controller majority that is already gone.
        targets = []
        for node_id in node_ids:
            files = self.files(node_id)
            pid = running_pid(files)
            if pid is not None:
                send_signal(pid, signal.SIGTERM)
                targets.append((node_id, pid, files))
        deadline = time.monotonic() + grace
        for node_id, pid, files in targets:
            if not wait_exit(pid, max(0.0, deadline - time.monotonic())):
                self._say(f"node {node_id} (pid {pid}) ignored SIGTERM for {grace:.0f} s; sending SIGKILL")
                send_signal(pid, signal.SIGKILL)
                wait_exit(pid, 10)
            files.pid_file.unlink(missing_ok=True)
            self._reap(node_id)
        for node_id in node_ids:
            # A JVM we launched but whose pid file does not (yet) name it must still end here:
            # a retry that launched a second JVM beside it lost the bind race on its own ports.
            proc = self._procs.get(node_id)
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
                self._reap(node_id)
        return [t[0] for t in targets]

    def _alive(self, node_id: int) -> bool:
        """Is the node's JVM running? Our own child's exit status first: it cannot be mistaken."""
        proc = self._procs.get(node_id)
        if proc is not None:
            return proc.poll() is None
        return running_pid(self.files(node_id)) is not None

    def _reap(self, node_id: int) -> None:
        proc = self._procs.pop(node_id, None)
        if proc is not None:
            proc.poll()  # collects the exit status so no zombie or ResourceWarning is left
