"""The demo's customers REST API: stdlib http.server on 127.0.0.1, JSON pages, bearer auth.

    GET /customers?page=1&per_page=100 -> {"data": [...], "page": 1, "per_page": 100, "total": N}
    GET /health -> {"ok": true, "data": "<the customers file it serves>"}

Run in a thread (`start_api`) or as a process: `python -m monitor.demo.api --data FILE --port P`.
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


def make_handler(customers_file: Path, token: str | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/health":
                self._send(200, {"ok": True, "data": str(customers_file.resolve())})
                return
            if parts.path.rstrip("/") != "/customers":
                self._send(404, {"error": f"no resource {parts.path}"})
                return
            if token and self.headers.get("Authorization") != f"Bearer {token}":
                self._send(401, {"error": "missing or wrong bearer token"})
                return
            query = parse_qs(parts.query)
            try:
                page = max(1, int(query.get("page", ["1"])[0]))
                size = min(1000, max(1, int(query.get("per_page", ["100"])[0])))
            except ValueError:
                self._send(400, {"error": "page and per_page must be integers"})
                return
            rows = json.loads(customers_file.read_text())
            chunk = rows[(page - 1) * size : page * size]
            self._send(200, {"data": chunk, "page": page, "per_page": size, "total": len(rows)})

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler


def start_api(
    customers_file: Path, *, host: str = "127.0.0.1", port: int = 0, token: str | None = None
) -> ThreadingHTTPServer:
    """Serve in a daemon thread; `server.server_address[1]` is the port; `shutdown()` stops it."""
    server = ThreadingHTTPServer((host, port), make_handler(customers_file, token))
    threading.Thread(target=server.serve_forever, name="rk-demo-api", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Riverkeeper demo customers API")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default=None)
    parser.add_argument("--feed-every", type=float, default=0, help="seconds; 0: no live data")
    parser.add_argument("--feed-since", default=None, help="ISO time the demo data reaches")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.data, args.token))
    stop = threading.Event()
    if args.feed_every > 0:
        _start_feed(args, stop)
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()


def _start_feed(args: argparse.Namespace, stop: threading.Event) -> None:
    """Live data: the orders database URL comes from the environment (never argv)."""
    import os
    from datetime import UTC, datetime

    from monitor.demo.feed import FeedState, feed_forever

    url = os.environ["RIVERKEEPER_DEMO_FEED_URL"]
    since = datetime.fromisoformat(args.feed_since).astimezone(UTC).replace(tzinfo=None)
    state = FeedState(since=since, end=since.replace(minute=0, second=0, microsecond=0))
    files = args.data.parent
    kwargs = {"every": args.feed_every, "seed": args.seed, "days": args.days, "stop": stop}
    threading.Thread(
        target=feed_forever, args=(url, files, state), kwargs=kwargs, daemon=True
    ).start()


if __name__ == "__main__":
    main()
