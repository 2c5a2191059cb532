"""The REST source against a real HTTP server on 127.0.0.1: pages, auth, retries, failures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from monitor.config.project import HttpConnection
from monitor.connectors.rest import HttpSource
from monitor.errors import ConnectionFailedError, DataError
from tests.integration.connectors.connectors_ctx import make_ctx
from tests.support import free_port

ROWS = [{"id": i, "name": f"n{i}"} for i in range(1, 8)] + [{"id": "bad", "name": "x"}, 5]


class Api:
    def __init__(self) -> None:
        self.failures = 0  # answer 503 this many times first
        self.requests: list[tuple[str, str | None]] = []


@pytest.fixture
def api() -> Iterator[tuple[Api, str]]:
    state = Api()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            state.requests.append((self.path, self.headers.get("Authorization")))
            if state.failures > 0:
                state.failures -= 1
                self._send(503, {"error": "busy"})
                return
            if self.headers.get("Authorization") != "Bearer t0ken":
                self._send(401, {"error": "no"})
                return
            query = {k: int(v[0]) for k, v in parse_qs(parts.query).items()}
            if parts.path == "/items" and "offset" in query:
                at, size = query["offset"], query["limit"]
                self._send(200, ROWS[at : at + size])
            elif parts.path == "/items":
                page, size = query.get("page", 1), query.get("per_page", 3)
                self._send(200, {"data": ROWS[(page - 1) * size : page * size]})
            elif parts.path == "/slow":
                time.sleep(1.0)
                self._send(200, [])
            elif parts.path == "/linked":
                at = query.get("at", 0)
                nxt = f"/linked?at={at + 4}" if at + 4 < len(ROWS) else None
                self._send(200, {"items": ROWS[at : at + 4], "next": nxt})
            else:
                self._send(404, {})

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # the client gave up
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _conn(base_url: str, token: str = "t0ken", retries: int = 2) -> HttpConnection:
    return HttpConnection(
        base_url=base_url,
        headers={"Authorization": SecretStr(f"Bearer {token}")},
        timeout=timedelta(seconds=2),
        retries=retries,
    )


def test_page_pagination_auth_and_rejected_records(api: tuple[Api, str], tmp_path: Path) -> None:
    state, url = api
    ctx = make_ctx(tmp_path, http={"shop": _conn(url)})
    source = HttpSource(
        connection="shop",
        path="/items",
        records="data",
        pagination={"type": "page", "size": 3},
        columns={"id": "int"},
    )
    result = source.read(ctx)
    assert result.frame["id"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert [(r.reason, r.location) for r in result.rejected] == [
        ("expected a JSON object, found int", "page 3:record 3"),
        ("column 'id': 'bad' is not a valid int", "record 8"),
    ]
    assert result.rows_in == 9 == len(result.frame) + len(result.rejected)
    assert [p for p, _ in state.requests] == [
        f"/items?per_page=3&page={n}" for n in (1, 2, 3, 4)
    ]  # the 4th page is empty
    assert {auth for _, auth in state.requests} == {"Bearer t0ken"}
    assert result.dataset.namespace == url and result.dataset.name == "/items"


def test_offset_pagination(api: tuple[Api, str], tmp_path: Path) -> None:
    state, url = api
    ctx = make_ctx(tmp_path, http={"shop": _conn(url)})
    paging = {"type": "offset", "param": "offset", "size_param": "limit", "size": 4}
    result = HttpSource(connection="shop", path="/items", pagination=paging).read(ctx)
    assert len(result.frame) == 8 and len(result.rejected) == 1
    assert [p for p, _ in state.requests] == [
        "/items?limit=4&offset=0",
        "/items?limit=4&offset=4",
        "/items?limit=4&offset=8",
    ]


def test_next_link_pagination(api: tuple[Api, str], tmp_path: Path) -> None:
    _, url = api
    ctx = make_ctx(tmp_path, http={"shop": _conn(url)})
    source = HttpSource(
        connection="shop", path="/linked", records="items", pagination={"type": "next"}
    )
    assert len(source.read(ctx).frame) == 8


def test_retries_on_5xx_then_succeeds(api: tuple[Api, str], tmp_path: Path) -> None:
    state, url = api
    state.failures = 2
    ctx = make_ctx(tmp_path, http={"shop": _conn(url, retries=2)})
    source = HttpSource(connection="shop", path="/items", records="data", backoff="10ms")
    assert len(source.read(ctx).frame) == 3
    assert len(state.requests) == 3


def test_5xx_after_retries_is_a_transient_connection_error(
    api: tuple[Api, str], tmp_path: Path
) -> None:
    state, url = api
    state.failures = 10
    ctx = make_ctx(tmp_path, http={"shop": _conn(url, retries=1)})
    with pytest.raises(ConnectionFailedError) as caught:
        HttpSource(connection="shop", path="/items", backoff="10ms").read(ctx)
    assert str(caught.value) == (
        f"connection 'shop' ({url}) failed: HTTP 503 Service Unavailable (after 2 attempts)"
    )
    assert caught.value.transient


def test_4xx_is_a_terminal_error(api: tuple[Api, str], tmp_path: Path) -> None:
    _, url = api
    ctx = make_ctx(tmp_path, http={"shop": _conn(url, token="wrong")})
    with pytest.raises(DataError) as caught:
        HttpSource(connection="shop", path="/items").read(ctx)
    assert str(caught.value) == f"shop:/items: HTTP 401 Unauthorized from {url}/items"
    assert not caught.value.transient


def test_unreachable_api_names_connection_and_url_without_password(tmp_path: Path) -> None:
    port = free_port()
    conn = _conn(f"http://user:hunter2@127.0.0.1:{port}", retries=1)
    ctx = make_ctx(tmp_path, http={"customers_api": conn})
    with pytest.raises(ConnectionFailedError) as caught:
        HttpSource(connection="customers_api", path="/customers", backoff="10ms").read(ctx)
    message = str(caught.value)
    assert message.startswith(
        f"connection 'customers_api' (http://user:***@127.0.0.1:{port}) failed: ConnectError"
    )
    assert message.endswith("(after 2 attempts)") and "hunter2" not in message


def test_a_slow_api_times_out(api: tuple[Api, str], tmp_path: Path) -> None:
    _, url = api
    conn = HttpConnection(
        base_url=url,
        headers={"Authorization": SecretStr("Bearer t0ken")},
        timeout=timedelta(milliseconds=200),
        retries=0,
    )
    ctx = make_ctx(tmp_path, http={"shop": conn})
    with pytest.raises(ConnectionFailedError) as caught:
        HttpSource(connection="shop", path="/slow").read(ctx)
    assert str(caught.value) == (
        f"connection 'shop' ({url}) failed: ReadTimeout: timed out (after 1 attempt)"
    )
