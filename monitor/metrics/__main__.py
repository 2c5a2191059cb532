"""`python -m monitor.metrics --store-url URL [--host H] [--port P]`: only the /metrics endpoint.

For setups that want metrics without `riverkeeper serve` (and for the end-to-end
tests). Prints `serving http://H:P/metrics` once listening; stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from monitor.metrics.server import start_metrics_server
from monitor.store.db import create_store_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.metrics", description=__doc__)
    parser.add_argument("--store-url", required=True, help="SQLAlchemy URL of the store")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9108, help="0 takes a free port")
    args = parser.parse_args(argv)
    engine = create_store_engine(args.store_url)
    server = start_metrics_server(engine, args.host, args.port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sys.stdout.write(f"serving {server.url}\n")
    sys.stdout.flush()
    stop.wait()
    server.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
