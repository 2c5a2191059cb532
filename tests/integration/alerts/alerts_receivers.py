"""Local stand-ins for external services, speaking their protocols: an HTTP receiver
(Alertmanager webhook / Slack incoming webhook) and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class HttpReceiver:
    url: str
    status: int = 200
    got: list[Received] = field(default_factory=list)


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    """An HTTP server on a free 127.0.0.1 port that records JSON POSTs."""
    receiver = HttpReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.got.append(
                Received(time.time(), self.path, dict(self.headers), json.loads(raw or b"null"))
            )
            self.send_response(receiver.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    port: int
    messages: list[Message] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def smtp_server(auth: tuple[str, str] | None = None) -> Iterator[Mailbox]:
    """aiosmtpd on a free 127.0.0.1 port; with `auth`, LOGIN/PLAIN over plain text."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from tests.support import free_port

    box = Mailbox(port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(message_from_bytes(envelope.content))
            return "250 OK"

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = (
            isinstance(data, LoginPassword)
            and auth is not None
            and (data.login.decode(), data.password.decode()) == auth
        )
        if ok:
            box.logins.append(auth)  # type: ignore[arg-type]
        return AuthResult(success=ok, handled=False)

    kwargs: dict[str, Any] = {}
    if auth:
        kwargs = {
            "authenticator": authenticator,
            "auth_require_tls": False,
            "auth_exclude_mechanism": ["LOGIN"],
        }
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port, **kwargs)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
