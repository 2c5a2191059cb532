"""Every OpenLineage event emitted anywhere in the test suite is validated.

The plugin sets RIVERKEEPER_LINEAGE_CAPTURE_DIR for the whole session (child
processes inherit it), so the outbox writer appends each event it stores to a
JSONL file there. After each test, the lines appended during the test are
validated against the official schemas (the event, then every facet against
its own `_schemaURL`, with format checks on: the recipe in
../shared/openlineage-spec/README.md); any violation fails that test. Events
written after the last test are checked at session end.

Tests can also call `validate_event(event)` directly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

CAPTURE_ENV = "RIVERKEEPER_LINEAGE_CAPTURE_DIR"
REPO = Path(__file__).resolve().parents[1]
SPEC_DIR = Path(
    os.environ.get("RIVERKEEPER_OPENLINEAGE_SPEC", REPO.parent / "shared" / "openlineage-spec")
)
_FACET_URL = re.compile(r"https://openlineage\.io/spec/facets/[0-9-]+/(\w+)\.json(#.*)?$")


@cache
def _registry() -> tuple[Registry[Any], str]:
    if not (SPEC_DIR / "OpenLineage.json").is_file():
        pytest.fail(f"OpenLineage schemas not found at {SPEC_DIR}", pytrace=False)
    core = json.loads((SPEC_DIR / "OpenLineage.json").read_text())
    facets = {p.stem: json.loads(p.read_text()) for p in (SPEC_DIR / "facets").glob("*.json")}

    def retrieve(uri: str) -> Resource[Any]:
        # a facet version we do not hold (DataQualityMetricsDatasetFacet 1-0-1): local copy
        match = _FACET_URL.match(uri)
        if match and match.group(1) in facets:
            return Resource.from_contents(facets[match.group(1)], DRAFT202012)
        raise NoSuchResource(ref=uri)

    resources = [
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012))
        for s in [core, *facets.values()]
    ]
    return Registry(retrieve=retrieve).with_resources(resources), core["$id"]  # type: ignore[call-arg]


@cache
def _validator(schema_ref: str) -> Draft202012Validator:
    registry, _ = _registry()
    return Draft202012Validator(
        {"$ref": schema_ref}, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _errors(schema_ref: str, instance: Any, where: str) -> list[str]:
    validator = _validator(schema_ref)
    found = []
    for error in validator.iter_errors(instance):
        deepest = error
        while deepest.context:  # anyOf/oneOf: the most specific reason
            deepest = min(deepest.context, key=lambda e: -len(e.absolute_path))
        path = "/".join(str(p) for p in deepest.absolute_path)
        found.append(f"{where}{'/' + path if path else ''}: {deepest.message}")
    return found


def _facets(event: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    def each(where: str, facets: Any) -> Iterator[tuple[str, str, Any]]:
        for key, facet in (facets or {}).items():
            yield f"{where}.{key}", key, facet

    yield from each("run.facets", event.get("run", {}).get("facets"))
    yield from each("job.facets", event.get("job", {}).get("facets"))
    for kind, extra in (("inputs", "inputFacets"), ("outputs", "outputFacets")):
        for i, ds in enumerate(event.get(kind) or []):
            yield from each(f"{kind}[{i}].facets", ds.get("facets"))
            yield from each(f"{kind}[{i}].{extra}", ds.get(extra))
    if "dataset" in event:
        yield from each("dataset.facets", event["dataset"].get("facets"))


def validate_event(event: dict[str, Any]) -> list[str]:
    """Every schema violation of one serialized event (empty when it is valid)."""
    _, core_id = _registry()
    kind = str(event.get("schemaURL", "")).rsplit("/", 1)[-1] or "RunEvent"
    if kind not in ("RunEvent", "JobEvent", "DatasetEvent"):
        return [f"schemaURL: unknown event type {event.get('schemaURL')!r}"]
    errors = _errors(f"{core_id}#/$defs/{kind}", event, kind)
    for where, _key, facet in _facets(event):
        url = facet.get("_schemaURL", "") if isinstance(facet, dict) else ""
        if url.startswith("https://openlineage.io/spec/"):
            errors += _errors(url, facet, where)
        elif not url:
            errors.append(f"{where}: facet without _schemaURL")
    return errors


def validate_lines(lines: list[str], origin: str) -> list[str]:
    problems = []
    for n, line in enumerate(lines, start=1):
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{origin}:{n}: not JSON: {exc}")
            continue
        job = event.get("job", {}).get("name", "?")
        where = f"{origin}:{n} ({event.get('eventType')} {job})"
        problems.extend(f"{where}: {error}" for error in validate_event(event))
    return problems


class _Capture:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.offsets: dict[Path, int] = {}
        self.count = 0
        self.between_tests: list[str] = []  # written outside any test (late threads)

    def new_problems(self) -> list[str]:
        problems = []
        for path in sorted(self.folder.glob("*.jsonl")):
            start = self.offsets.get(path, 0)
            with path.open("rb") as f:
                f.seek(start)
                data = f.read()
            complete = data[: data.rfind(b"\n") + 1]  # a writer may be mid-line
            self.offsets[path] = start + len(complete)
            lines = complete.decode("utf-8").splitlines()
            self.count += len(lines)
            problems += validate_lines(lines, path.name)
        return problems


_capture: _Capture | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _capture
    folder = Path(tempfile.mkdtemp(prefix="rk-lineage-capture-"))
    os.environ[CAPTURE_ENV] = str(folder)
    _capture = _Capture(folder)


@pytest.fixture(autouse=True)
def _validate_lineage_events() -> Iterator[None]:
    """Fails the test when an event emitted during it violates the OpenLineage schemas."""
    assert _capture is not None
    _capture.between_tests += _capture.new_problems()
    yield
    problems = _capture.new_problems()
    if problems:
        shown = "\n".join(problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        pytest.fail(f"OpenLineage schema violations:\n{shown}{more}", pytrace=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _capture is None:
        return
    problems = _capture.between_tests + _capture.new_problems()
    if problems:
        print("\nOpenLineage schema violations outside tests:\n" + "\n".join(problems))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    shutil.rmtree(_capture.folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _capture is not None and _capture.count:
        terminalreporter.write_line(
            f"lineage: {_capture.count} OpenLineage events validated against {SPEC_DIR}"
        )
