"""Importing a project's Python transforms from the config folder."""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any


class FunctionRefError(Exception):
    """A `module:function` reference that cannot be resolved; the message says why."""


def resolve_function(config_dir: Path, ref: str) -> Callable[..., Any]:
    """`transforms.sales:enrich` → the function in <config_dir>/transforms/sales.py."""
    module_name, _, func_name = ref.partition(":")
    module = _load_module(config_dir, module_name)
    func = getattr(module, func_name, None)
    if func is None:
        raise FunctionRefError(f"module {module_name!r} has no function {func_name!r}")
    if not callable(func):
        raise FunctionRefError(f"{ref!r} is not a function")
    return func  # type: ignore[no-any-return]


def parameters(func: Callable[..., Any]) -> list[str]:
    """Names of the parameters that take upstream outputs (the ones without defaults)."""
    params = inspect.signature(func).parameters.values()
    return [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]


def _load_module(config_dir: Path, dotted: str) -> ModuleType:
    relative = Path(*dotted.split("."))
    candidates = [config_dir / relative.with_suffix(".py"), config_dir / relative / "__init__.py"]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise FunctionRefError(f"no module {dotted!r} (looked for {candidates[0]})")
    # One module object per file, named after its location, so two projects never clash.
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    unique = f"riverkeeper_project_{digest}.{dotted}"
    if unique in sys.modules:
        return sys.modules[unique]
    spec = importlib.util.spec_from_file_location(unique, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[unique]
        raise FunctionRefError(
            f"importing {path.name} failed: {type(exc).__name__}: {exc}"
        ) from exc
    return module
