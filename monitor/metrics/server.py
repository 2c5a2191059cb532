"""Serving /metrics over HTTP from the store collector."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

import sqlalchemy as sa
from prometheus_client import start_http_server
from prometheus_client.registry import CollectorRegistry

from monitor.metrics.collector import Clock, new_registry, utcnow


@dataclass
class MetricsServer:
    """A running metrics endpoint; `close()` stops it."""

    server: WSGIServer
    thread: threading.Thread
    registry: CollectorRegistry
    host: str

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_metrics_server(
    engine: sa.Engine, host: str = "127.0.0.1", port: int = 9108, clock: Clock = utcnow
) -> MetricsServer:
    """Serve the store's metrics at http://host:port/metrics in a daemon thread.

    Port 0 takes a free port (see `.port`). Every scrape reads the store.
    """
    registry = new_registry(engine, clock)
    server, thread = start_http_server(port, addr=host, registry=registry)
    return MetricsServer(server=server, thread=thread, registry=registry, host=host)
