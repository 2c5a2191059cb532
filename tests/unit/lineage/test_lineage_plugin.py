"""The schema-validating plugin fails a test that emits an invalid event, and only that test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_plugin_fails_the_test_that_emitted_an_invalid_event(tmp_path: Path):
    good = json.loads((REPO / "tests" / "golden" / "lineage" / "small_run.json").read_text())[0]
    good = json.loads(
        json.dumps(good)
        .replace("<time>", "2026-11-25T06:00:00+00:00")
        .replace("<run 1>", "019abc00-0000-7000-8000-000000000001")
        .replace("/tree/<version>", "/tree/0.1.0")
    )
    bad = dict(good, eventTime="2026-11-25T06:00:00")  # no time zone
    (tmp_path / "test_emit.py").write_text(
        textwrap.dedent(f"""\
        import json, os, pathlib

        def emit(event):
            folder = pathlib.Path(os.environ["RIVERKEEPER_LINEAGE_CAPTURE_DIR"])
            with (folder / "events-test.jsonl").open("a") as f:
                f.write(json.dumps(event) + "\\n")

        def test_good():
            emit(json.loads({json.dumps(good)!r}))

        def test_bad():
            emit(json.loads({json.dumps(bad)!r}))
        """)
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("RIVERKEEPER_LINEAGE_CAPTURE_DIR", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.lineage_plugin",
            "-q",
            "-p",
            "no:cacheprovider",
            "test_emit.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 passed, 1 error" in done.stdout  # test_bad passes its call, fails teardown
    assert "ERROR at teardown of test_bad" in done.stdout
    assert "OpenLineage schema violations:" in done.stdout
    assert (
        "(START orders_daily): RunEvent/eventTime: '2026-11-25T06:00:00' is not a 'date-time'"
        in (done.stdout)
    )
    assert "lineage: 2 OpenLineage events validated" in done.stdout
