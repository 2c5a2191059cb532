"""A real `serve` process runs with `scheduler:` from riverkeeper.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.scheduler.serve_process import Serve, reap
from tests.integration.scheduler.sched_projects import write_project
from tests.support import wait_until

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'store.db'}"
    reap()


def test_serve_takes_its_workers_from_the_config_file(tmp_path: Path, store_url: str) -> None:
    write_project(tmp_path, store_url, {}, scheduler={"workers": 3})
    serve = Serve(tmp_path, store_url, "serve")  # no --workers, no RIVERKEEPER_WORKERS
    wait_until(lambda: "riverkeeper serve:" in serve.output(), 30, what="serve to start")
    assert serve.terminate() == 0
    assert "riverkeeper serve: 0 scheduled pipelines, 3 workers, store sqlite:" in serve.output()
