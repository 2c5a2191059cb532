"""SQL models: `{{ ref('model') }}`, `{{ source('connection', 'table') }}` and
`{{ config(materialized='table') }}`, rendered by plain substitution (no Jinja).

`ref` names another sql task of the pipeline (its relation); `source` names a
table of a connection, like a dataset in config (`warehouse.raw_orders`); a
load task of the pipeline that writes it runs first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_ARG = r"\s*['\"]([^'\"]+)['\"]\s*"
_REF = re.compile(r"\{\{\s*ref\(" + _ARG + r"\)\s*\}\}")
_SOURCE = re.compile(r"\{\{\s*source\(" + _ARG + "," + _ARG + r"\)\s*\}\}")
_CONFIG = re.compile(r"\{\{\s*config\((.*?)\)\s*\}\}", re.DOTALL)
_KWARG = re.compile(r"(\w+)\s*=\s*['\"]([^'\"]*)['\"]")
_LEFT = re.compile(r"\{\{.*?\}\}", re.DOTALL)


@dataclass(frozen=True)
class ModelRefs:
    refs: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]  # (connection, table)
    config: dict[str, str]


def parse_model(sql: str) -> ModelRefs:
    refs = tuple(dict.fromkeys(_REF.findall(sql)))
    sources = tuple(dict.fromkeys(_SOURCE.findall(sql)))
    config: dict[str, str] = {}
    for body in _CONFIG.findall(sql):
        config.update(_KWARG.findall(body))
    return ModelRefs(refs, sources, config)


def render(sql: str, ref: Callable[[str], str], source: Callable[[str, str], str]) -> str:
    """The SQL with each ref/source replaced by a relation name, config blocks removed."""
    out = _CONFIG.sub("", sql)
    out = _REF.sub(lambda m: ref(m.group(1)), out)
    out = _SOURCE.sub(lambda m: source(m.group(1), m.group(2)), out)
    leftover = _LEFT.search(out)
    if leftover:
        raise ValueError(
            f"unsupported template {leftover.group(0)}: use {{{{ ref('model') }}}}, "
            "{{ source('connection', 'table') }} or {{ config(materialized='view') }}"
        )
    return out.strip().rstrip(";").strip()
