"""Shared pieces of the config models: the strict base, durations, names."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

import pydantic
from pydantic import BeforeValidator, ConfigDict

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


class Model(pydantic.BaseModel):
    """Strict config model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def parse_duration(value: Any) -> Any:
    """`30`, `"30s"`, `"5m"`, `"1h"`, `"2d"`, `"1w"` → timedelta."""
    if isinstance(value, timedelta) or value is None:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 1h, 2d)")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def check_name(value: str, what: str) -> str:
    if not NAME.match(value):
        raise ValueError(
            f"{what} {value!r} must start with a letter or _ and hold only letters, digits and _"
        )
    return value
