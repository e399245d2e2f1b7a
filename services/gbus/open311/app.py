"""Wiring of the gateway: directory names, its store, the node client, the HTTP server.

app = Open311App(node="127.0.0.1:40123", keys=ApiKeys({"k": "gov.ubnd@79"}), data_dir="var/open311").start()
app.base_url       # "http://127.0.0.1:40125/"
app.stop()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gbus.open311.defaults import DEFAULT_CHANNEL
from gbus.open311.gateway import Names, Open311Gateway
from gbus.open311.gateway_store import GatewayStore
from gbus.open311.http_server import Open311Server
from gbus.open311.keys import ApiKeys
from gbus.open311.locations import Gazetteer
from gbus.open311.node_client import NodeClient


class Open311App:
    def __init__(
        self,
        *,
        node: str,
        keys: ApiKeys,
        data_dir: str | Path,
        listen: str = "127.0.0.1:0",
        channel: str = DEFAULT_CHANNEL,
        directory: Any = None,
        tls: tuple[str, str, str] | None = None,
    ) -> None:
        """`tls` = (CA bundle, agency certificate, key): mutual TLS to a secure node, which then
        knows the caller by the certificate, so all keys must belong to that one agency."""
        self._node_target = node
        self._keys = keys
        self._data_dir = Path(data_dir)
        self._listen = listen
        self._channel = channel
        self._directory = directory
        self._tls = tls
        self._closers: list[Any] = []
        self.server: Open311Server | None = None

    def start(self) -> "Open311App":
        from gbus.directory.directory import Directory  # the directory loads in a second: only when started

        directory = self._directory or Directory.default()
        store = GatewayStore(self._data_dir / "open311.sqlite")
        self._closers.append(store.close)
        node = NodeClient(self._node_channel())
        self._closers.append(node.close)
        gateway = Open311Gateway(
            node=node, store=store, keys=self._keys, gazetteer=Gazetteer(directory),
            names=Names(agency=lambda a: _agency_name(directory, a), ward=lambda w: _ward_name(directory, w)),
            channel=self._channel,
        )  # fmt: skip
        self.server = Open311Server(gateway, self._listen).start()
        self._closers.append(self.server.stop)
        return self

    def _node_channel(self) -> Any:
        import grpc

        from gbus.api.tls import secure_channel

        if self._tls is None:
            return grpc.insecure_channel(self._node_target)
        ca, cert, key = self._tls
        return secure_channel(self._node_target, ca, cert, key)

    @property
    def base_url(self) -> str:
        assert self.server is not None, "start() first"
        return self.server.base_url

    def ready_line(self, api_key: str, agency: str) -> str:
        """The line `gbus open311` prints when ready; `make run` prints it beside the node lines."""
        return f"open311 url={self.base_url} api_key={api_key} agency={agency}"

    def stop(self) -> None:
        for close in reversed(self._closers):
            close()
        self._closers.clear()


def _agency_name(directory: Any, agency_id: str) -> str:
    agency = directory.get(agency_id) if agency_id else None
    return agency.name if agency is not None else agency_id


def _ward_name(directory: Any, ward_code: str) -> str:
    ward = directory.ward(ward_code) if ward_code else None
    return ward.name if ward is not None else ""
