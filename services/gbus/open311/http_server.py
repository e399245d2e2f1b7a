"""The HTTP side of the gateway: GeoReport v2 paths, JSON or XML, Open311 error arrays.

    GET  services.{fmt}                   GET  requests.{fmt}
    GET  services/{code}.{fmt}            GET  requests/{id}.{fmt}
    POST requests.{fmt}                   GET  tokens/{token}.{fmt}
    GET  servicerequestupdates.{fmt}      (mySociety's extension)

Standard library only (ThreadingHTTPServer): each request is a handful of
gRPC calls to the node, and civic apps poll at human rates.
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from gbus.observability.logging import get_logger
from gbus.open311 import formats
from gbus.open311.errors import Open311Error
from gbus.open311.gateway import Open311Gateway

_log = get_logger("gbus.open311")
_PATH = re.compile(
    r"^/(?P<resource>services|requests|tokens|servicerequestupdates)(?:/(?P<id>[^/]+))?\.(?P<fmt>json|xml)$"
)
# A report's text is at most 20,000 characters; a form with it stays far below this.
MAX_BODY_BYTES = 256 * 1024


class Open311Server:
    def __init__(self, gateway: Open311Gateway, listen: str = "127.0.0.1:0") -> None:
        host, _, port = listen.rpartition(":")
        self._httpd = ThreadingHTTPServer((host or "127.0.0.1", int(port)), _handler_for(gateway))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        # An AF_INET server's address is (str, int); typeshed allows bytes for other families.
        assert isinstance(host, str)
        return f"http://{host}:{port}/"

    def start(self) -> "Open311Server":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="open311-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(gateway: Open311Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - structlog instead of stderr
            _log.debug("open311_http", line=format % args)

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            match = _PATH.match(url.path)
            fmt = match["fmt"] if match else ("xml" if url.path.endswith(".xml") else "json")
            try:
                if match is None:
                    raise Open311Error(404, f"no such resource: {url.path[:80]}")
                query = _single_values(parse_qs(url.query, errors="strict"))
                if method == "POST":
                    query.update(self._form())
                status, body, shape = _dispatch(gateway, method, match["resource"], match["id"], query)
                self._send(status, fmt, formats.render(fmt, body, shape))
            except UnicodeDecodeError:
                self._send(400, fmt, formats.errors(fmt, 400, ["the query string must be UTF-8"]))
            except Open311Error as exc:
                self._send(exc.status, fmt, formats.errors(fmt, exc.status, exc.descriptions))
            except Exception as exc:  # noqa: BLE001 - a bug answers 500 in Open311's format, logged
                _log.exception("open311_failed", path=url.path)
                self._send(500, fmt, formats.errors(fmt, 500, [f"internal error ({type(exc).__name__})"]))

        def _form(self) -> dict[str, str]:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                raise Open311Error(400, "Content-Length must be a number") from None
            if length > MAX_BODY_BYTES:
                raise Open311Error(413, f"the form is larger than {MAX_BODY_BYTES} bytes")
            try:
                raw = self.rfile.read(length).decode("utf-8") if length > 0 else ""
            except UnicodeDecodeError:
                raise Open311Error(400, "the form must be UTF-8 (application/x-www-form-urlencoded)") from None
            return _single_values(parse_qs(raw, keep_blank_values=True))

        def _send(self, status: int, fmt: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", formats.FORMATS[fmt])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _dispatch(
    gateway: Open311Gateway, method: str, resource: str, item: str | None, query: dict[str, str]
) -> tuple[int, Any, tuple[str, str]]:
    item = unquote(item) if item else None
    if method == "POST":
        if resource != "requests" or item is not None:
            raise Open311Error(405, f"POST is only for requests, not {resource}")
        return 200, gateway.post_request(query), formats.SERVICE_REQUESTS
    if resource == "services":
        if item is None:
            return 200, gateway.services(query), formats.SERVICES
        return 200, gateway.definition(item, query), formats.DEFINITION
    if resource == "requests":
        if item is None:
            return 200, gateway.requests(query), formats.SERVICE_REQUESTS
        return 200, gateway.request(item, query), formats.SERVICE_REQUESTS
    if resource == "tokens" and item is not None:
        return 200, gateway.token(item, query), formats.SERVICE_REQUESTS
    if resource == "servicerequestupdates" and item is None:
        return 200, gateway.updates(query), formats.UPDATES
    raise Open311Error(404, f"no such resource: {resource}")


def _single_values(parsed: dict[str, list[str]]) -> dict[str, str]:
    """GeoReport parameters are single-valued (lists are comma separated): the last one wins."""
    return {k: v[-1] for k, v in parsed.items()}
