"""Loading `config/checks/*.yaml`: one ChecksFile per dataset, errors as path:line:col."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks import ChecksFile
from monitor.config.pipeline import Schedule
from monitor.config.project import ProjectFile
from monitor.config.yamlfile import read_yaml, validate
from monitor.errors import ConfigError, ConfigIssue, relative

CHECKS_DIR = "checks"


class DatasetChecksFile(ChecksFile):
    """A checks file as the monitor runs it: the checks, and when they run besides
    `riverkeeper check`."""

    # after every pipeline run that writes the dataset (`run`, `serve`), like `dbt build`
    after_pipeline_runs: bool = True
    # on their own in `serve` (a source no pipeline writes: its freshness, its volume)
    schedule: Schedule | None = None


@dataclass(frozen=True)
class DatasetChecks:
    """The checks of one dataset and the file they came from."""

    path: Path
    spec: DatasetChecksFile

    @property
    def connection(self) -> str:
        return self.spec.dataset.split(".", 1)[0]

    @property
    def relation(self) -> str:
        """The table (or `schema.table`, or a path under a files connection's root)."""
        return self.spec.dataset.split(".", 1)[1]


def load_checks_config(
    config_dir: Path,
    project: ProjectFile | None,
    env: Mapping[str, str],
    issues: list[ConfigIssue],
) -> dict[str, DatasetChecks]:
    """Every checks file by dataset; problems are appended to `issues`."""
    out: dict[str, DatasetChecks] = {}
    for path in sorted((config_dir / CHECKS_DIR).glob("*.y*ml")):
        doc, found = read_yaml(path, env)
        issues += found
        if doc is None:
            continue
        model, found = validate(doc, DatasetChecksFile)
        issues += found
        if model is None:
            continue
        if project is not None:
            conn = model.dataset.split(".", 1)[0]
            known = project.connections
            if conn not in known:
                names = ", ".join(sorted(known)) or "none defined"
                issues.append(
                    doc.issue(("dataset",), f"unknown connection {conn!r} (known: {names})")
                )
                continue
            if known[conn].type not in ("sql", "files"):
                issues.append(
                    doc.issue(
                        ("dataset",),
                        f"connection {conn!r} is a {known[conn].type} connection; checks run on "
                        "sql and files connections (check API data in a pipeline's check task)",
                    )
                )
                continue
        if model.dataset in out:
            issues.append(
                doc.issue(
                    ("dataset",),
                    f"{model.dataset} already has checks in {relative(out[model.dataset].path)}",
                )
            )
            continue
        out[model.dataset] = DatasetChecks(path, model)
    return out


def read_checks_config(
    config_dir: Path, project: ProjectFile | None, env: Mapping[str, str]
) -> dict[str, DatasetChecks]:
    """Load the checks files alone; raise ConfigError listing every issue."""
    issues: list[ConfigIssue] = []
    found = load_checks_config(config_dir, project, env, issues)
    if issues:
        raise ConfigError(issues)
    return found


def register() -> None:
    """Make `load_project` load checks/*.yaml too (as `project.extras["checks"]`)."""
    from monitor.config.loader import EXTRA_LOADERS

    loader: Any = load_checks_config
    EXTRA_LOADERS.setdefault("checks", loader)
