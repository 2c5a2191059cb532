"""A local HTTP server that answers like Marquez's `POST /api/v1/lineage`.

It stores each accepted event (201), can answer 503 for a while (a backend
that is up but failing) and 400 for events it is told to refuse.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class FakeMarquez:
    def __init__(self, port: int = 0) -> None:
        self.events: list[dict[str, Any]] = []
        self.requests = 0
        self.fail_next = 0  # answer 503 to this many requests
        self.refuse_job: str | None = None  # answer 400 to events of this job
        self._lock = threading.Lock()
        marquez = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with marquez._lock:
                    marquez.requests += 1
                    if self.path != "/api/v1/lineage":
                        status = 404
                    elif marquez.fail_next > 0:
                        marquez.fail_next -= 1
                        status = 503
                    else:
                        event = json.loads(body)
                        if event.get("job", {}).get("name") == marquez.refuse_job:
                            status = 400
                        else:
                            marquez.events.append(event)
                            status = 201
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def http_transport_config(url: str) -> dict[str, Any]:
    """An http transport without urllib3's own retries (the sender backs off itself)."""
    return {
        "type": "http",
        "url": url,
        "endpoint": "api/v1/lineage",
        "timeout": 2,
        "retry": {"total": 0, "connect": 0, "read": 0, "status": 0, "status_forcelist": []},
    }
