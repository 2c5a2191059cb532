"""One exception tree for the service.

Every error is built from fields, and says whether retrying can help
(`transient`). The CLI prints `str(error)` on one line; `--debug` adds the
traceback. Exit codes: config/usage errors 2, data or run failures 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class RiverkeeperError(Exception):
    """Base of every error Riverkeeper raises on purpose."""

    transient: bool = False
    exit_code: int = 1


@dataclass(frozen=True, order=True)
class ConfigIssue:
    """One problem in one config file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    key: str
    message: str

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        return f"{self.path}:{self.line}:{self.column}: {key}{self.message}"


class ConfigError(RiverkeeperError):
    """The configuration is invalid; carries every issue found, not just the first."""

    exit_code = 2

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = sorted(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class UsageError(RiverkeeperError):
    """The command line asks for something that does not exist."""

    exit_code = 2


class UnknownPipelineError(UsageError):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(
            f"unknown pipeline {name!r}; known: {', '.join(sorted(known)) or '(none)'}"
        )


class ConnectionFailedError(RiverkeeperError):
    """A source or destination could not be reached; retrying may help."""

    transient = True

    def __init__(self, connection: str, url: str, reason: str) -> None:
        self.connection, self.url, self.reason = connection, url, reason
        super().__init__(f"connection {connection!r} ({url}) failed: {reason}")


class DataError(RiverkeeperError):
    """The data itself is wrong (bad file, failed load); retrying will not help."""

    def __init__(self, dataset: str, message: str) -> None:
        self.dataset = dataset
        super().__init__(f"{dataset}: {message}")


class SchemaDriftError(DataError):
    """The incoming columns differ from the target and the policy is `fail`."""


class TaskFailedError(RiverkeeperError):
    """A task of a run failed; wraps the cause with the pipeline and task names."""

    def __init__(self, pipeline: str, task: str, cause: BaseException) -> None:
        self.pipeline, self.task, self.cause = pipeline, task, cause
        self.transient = is_transient(cause)
        super().__init__(f"{pipeline}.{task}: {describe(cause)}")


class TaskTimeoutError(RiverkeeperError):
    transient = True

    def __init__(self, task: str, seconds: float) -> None:
        super().__init__(f"task {task!r} timed out after {seconds:g}s")


class StoreError(RiverkeeperError):
    """The store could not be reached or migrated."""

    transient = True


def is_transient(error: BaseException) -> bool:
    """Whether retrying the same work could succeed."""
    if isinstance(error, RiverkeeperError):
        return error.transient
    return isinstance(error, ConnectionError | TimeoutError | OSError)


def describe(error: BaseException) -> str:
    """A one-line description of any exception."""
    if isinstance(error, RiverkeeperError):
        return str(error)
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def relative(path: Path, base: Path | None = None) -> str:
    """A path shown relative to `base` (or the CWD) when it lies below it."""
    try:
        return str(path.resolve().relative_to((base or Path.cwd()).resolve()))
    except ValueError:
        return str(path)
