"""Load a config folder into a validated `Project`, reporting every issue at once.

Layout: riverkeeper.yaml, pipelines/*.yaml, checks/*.yaml, alerts.yaml, plus
the Python transforms and SQL files the pipelines name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.config.functions import FunctionRefError, parameters, resolve_function
from monitor.config.pipeline import CheckTask, ExtractTask, LoadTask, PipelineFile, TransformTask
from monitor.config.project import Connection, ProjectFile
from monitor.config.yamlfile import YamlDoc, read_yaml, validate
from monitor.errors import ConfigError, ConfigIssue, relative
from monitor.pipeline.dag import find_cycle, topological_order

PROJECT_FILE = "riverkeeper.yaml"


@dataclass(frozen=True)
class Pipeline:
    """A validated pipeline: its spec, the resolved graph and Python functions."""

    name: str
    spec: PipelineFile
    path: Path
    upstream: Mapping[str, list[str]]
    order: list[str]
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Project:
    config_dir: Path
    spec: ProjectFile
    store_url: str
    pipelines: Mapping[str, Pipeline]
    extras: Mapping[str, Any] = field(
        default_factory=dict
    )  # checks, alerts: filled by their loaders

    @property
    def connections(self) -> Mapping[str, Connection]:
        return self.spec.connections


# Other areas (checks, alerts) register a loader for their files: (project, env, issues) -> value.
ExtraLoader = Callable[[Path, ProjectFile, Mapping[str, str], list[ConfigIssue]], Any]
EXTRA_LOADERS: dict[str, ExtraLoader] = {}


def load_project(config_dir: Path, env: Mapping[str, str]) -> Project:
    """Read and check every file; raise ConfigError listing all issues."""
    config_dir = config_dir.resolve()
    issues: list[ConfigIssue] = []
    project_path = config_dir / PROJECT_FILE
    if not config_dir.is_dir():
        raise ConfigError([ConfigIssue(relative(config_dir), 1, 1, "", "config folder not found")])
    spec = ProjectFile()
    if project_path.is_file():
        doc, found = read_yaml(project_path, env)
        issues += found
        if doc is not None:
            project_model, found = validate(doc, ProjectFile)
            issues += found
            spec = project_model or spec
    pipelines: dict[str, Pipeline] = {}
    seen: dict[str, Path] = {}
    for path in sorted((config_dir / "pipelines").glob("*.y*ml")):
        doc, found = read_yaml(path, env)
        issues += found
        if doc is None:
            continue
        # The context lets SQL tasks read their model files to find ref()/source() dependencies.
        model, found = validate(doc, PipelineFile, {"config_dir": config_dir})
        issues += found
        if model is None:
            continue
        name = model.name or path.stem
        if name in seen:
            issues.append(
                doc.issue(("name",), f"pipeline {name!r} is also defined in {relative(seen[name])}")
            )
            continue
        seen[name] = path
        pipeline = _check_pipeline(name, model, doc, spec, config_dir, issues)
        if pipeline is not None:
            pipelines[name] = pipeline
    extras = {key: loader(config_dir, spec, env, issues) for key, loader in EXTRA_LOADERS.items()}
    if issues:
        raise ConfigError(issues)
    store_url = env.get("RIVERKEEPER_STORE_URL") or spec.store.url.get_secret_value()
    return Project(config_dir, spec, store_url, pipelines, extras)


def _check_pipeline(
    name: str,
    model: PipelineFile,
    doc: YamlDoc,
    project: ProjectFile,
    config_dir: Path,
    issues: list[ConfigIssue],
) -> Pipeline | None:
    """Cross-references: upstream names, connections, functions, cycles."""
    before = len(issues)
    upstream: dict[str, list[str]] = {}
    functions: dict[str, Callable[..., Any]] = {}
    for task_name, task in model.tasks.items():
        loc: tuple[str | int, ...] = ("tasks", task_name)
        deps = task.upstream()
        if isinstance(task, TransformTask):
            try:
                func = resolve_function(config_dir, task.function)
            except FunctionRefError as exc:
                issues.append(doc.issue((*loc, "function"), str(exc)))
            else:
                functions[task_name] = func
                params = parameters(func)
                unknown = [p for p in params if p not in model.tasks]
                if unknown:
                    issues.append(
                        doc.issue(
                            (*loc, "function"),
                            f"{task.function} takes {', '.join(map(repr, unknown))}, "
                            "which is not a task of this pipeline (parameters name upstream tasks)",
                        )
                    )
                deps = list(dict.fromkeys([*deps, *(p for p in params if p in model.tasks)]))
        for i, dep in enumerate(task.depends_on):
            if dep not in model.tasks:
                issues.append(doc.issue((*loc, "depends_on", i), f"unknown task {dep!r}"))
        if isinstance(task, LoadTask | CheckTask) and task.input and task.input not in model.tasks:
            issues.append(doc.issue((*loc, "input"), f"unknown task {task.input!r}"))
        if isinstance(task, CheckTask) and task.dataset:
            conn_name = task.dataset.partition(".")[0]
            _check_connection(conn_name, "sql", doc, (*loc, "dataset"), project, issues)
        if isinstance(task, ExtractTask | LoadTask):
            io = task.source if isinstance(task, ExtractTask) else task.target
            key = "source" if isinstance(task, ExtractTask) else "target"
            _check_connection(
                io.connection, io.type, doc, (*loc, key, "connection"), project, issues
            )
        upstream[task_name] = [d for d in deps if d in model.tasks and d != task_name]
    cycle = find_cycle(upstream)
    if cycle:
        issues.append(
            doc.issue(
                ("tasks", cycle[0]),
                "tasks depend on each other in a cycle: " + " -> ".join(cycle),
                at_key=True,
            )
        )
    if len(issues) > before:
        return None
    return Pipeline(name, model, doc.path, upstream, topological_order(upstream), functions)


_KIND_FOR_TYPE = {"csv": "files", "json": "files", "parquet": "files", "sql": "sql", "http": "http"}


def _check_connection(
    name: str,
    io_type: str,
    doc: YamlDoc,
    loc: tuple[str | int, ...],
    project: ProjectFile,
    issues: list[ConfigIssue],
) -> None:
    conn = project.connections.get(name)
    if conn is None:
        known = ", ".join(sorted(project.connections)) or "none defined"
        issues.append(doc.issue(loc, f"unknown connection {name!r} (known: {known})"))
        return
    wanted = _KIND_FOR_TYPE.get(io_type)
    if wanted and conn.type != wanted:
        issues.append(
            doc.issue(
                loc, f"connection {name!r} is a {conn.type} connection; {io_type} needs {wanted}"
            )
        )
