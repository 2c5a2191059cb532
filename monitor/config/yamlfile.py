"""Reading YAML with positions, `${ENV}` substitution, and pydantic errors as `path:line:col`.

ruamel keeps the line and column of every key and value; pydantic's error
`loc` is walked down the same tree to find them. Positions are 1-based.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from monitor.errors import ConfigIssue, relative

M = TypeVar("M", bound=pydantic.BaseModel)
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class YamlDoc:
    """One parsed YAML file: its data (ruamel tree) and its path for messages."""

    def __init__(self, path: Path, data: Any) -> None:
        self.path = path
        self.data = data
        self.shown = relative(path)

    def issue(self, loc: Sequence[str | int], message: str, *, at_key: bool = False) -> ConfigIssue:
        line, col = position(self.data, loc, at_key=at_key)
        key = ".".join(str(part) for part in loc)
        return ConfigIssue(self.shown, line, col, key, message)


def read_yaml(path: Path, env: Mapping[str, str]) -> tuple[YamlDoc | None, list[ConfigIssue]]:
    """Parse a YAML file and substitute `${VAR}` / `${VAR:-default}` from `env`."""
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [ConfigIssue(relative(path), line, col, "", f"YAML syntax: {problem}")]
    except OSError as exc:
        return None, [ConfigIssue(relative(path), 1, 1, "", f"cannot read: {exc.strerror}")]
    doc = YamlDoc(path, data if data is not None else CommentedMap())
    issues: list[ConfigIssue] = []
    _substitute(doc, doc.data, (), env, issues)
    return doc, issues


def _substitute(
    doc: YamlDoc,
    node: Any,
    loc: tuple[str | int, ...],
    env: Mapping[str, str],
    issues: list[ConfigIssue],
) -> None:
    items: Any
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return
    for key, value in items:
        if isinstance(value, str) and "${" in value:
            missing: list[str] = []

            def repl(match: re.Match[str], missing: list[str] = missing) -> str:
                name, default = match.group(1), match.group(2)
                if name in env:
                    return env[name]
                if default is not None:
                    return default
                missing.append(name)
                return ""

            node[key] = _ENV.sub(repl, value)
            issues.extend(
                doc.issue((*loc, key), f"environment variable {name} is not set")
                for name in missing
            )
        else:
            _substitute(doc, value, (*loc, key), env, issues)


def position(data: Any, loc: Sequence[str | int], *, at_key: bool = False) -> tuple[int, int]:
    """1-based (line, column) of the node at `loc`; the nearest existing parent otherwise.

    Parts of `loc` that are not in the tree (pydantic's union tags) are skipped.
    """
    node = data
    line, col = _node_position(data)
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, CommentedMap) and part in node:
            key_line, key_col = node.lc.key(part) if (last and at_key) else node.lc.value(part)
            line, col = key_line + 1, key_col + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            item_line, item_col = node.lc.item(part)
            line, col = item_line + 1, item_col + 1
            node = node[part]
    return line, col


def _node_position(node: Any) -> tuple[int, int]:
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        return node.lc.line + 1, node.lc.col + 1
    return 1, 1


def validate(
    doc: YamlDoc, model: type[M], context: Mapping[str, Any] | None = None
) -> tuple[M | None, list[ConfigIssue]]:
    """Validate a parsed file against a pydantic model; every error as a ConfigIssue."""
    try:
        return model.model_validate(doc.data, context=dict(context or {})), []
    except pydantic.ValidationError as exc:
        return None, [_issue(doc, err, model) for err in exc.errors(include_url=False)]


def _issue(doc: YamlDoc, err: Any, model: type[pydantic.BaseModel]) -> ConfigIssue:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        bad = loc[-1]
        parent = _walk(doc.data, loc[:-1])
        allowed = allowed_keys(model, loc[:-1])
        hint = ""
        close = difflib.get_close_matches(str(bad), allowed, n=1) if allowed else []
        if close:
            hint = f" (did you mean {close[0]!r}?)"
        elif isinstance(parent, dict) and allowed:
            hint = f" (allowed: {', '.join(sorted(allowed))})"
        return doc.issue(_clean(doc.data, loc), f"unknown key {bad!r}{hint}", at_key=True)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = str((err.get("ctx") or {}).get("discriminator", "'type'")).strip("'")
        expected = str((err.get("ctx") or {}).get("expected_tags", "")).replace("'", "")
        if kind == "union_tag_not_found":
            return doc.issue(_clean(doc.data, (*loc, field)), f"missing required key {field!r}")
        got = (err.get("ctx") or {}).get("tag")
        return doc.issue(
            _clean(doc.data, (*loc, field)),
            f"unknown {field} {got!r} (expected one of: {expected})",
        )
    if kind.startswith("unknown_") and kind.endswith("_type"):  # a callable discriminator's error
        node = _walk(doc.data, loc)
        got = node.get("type") if isinstance(node, dict) else None
        if got is None:
            return doc.issue(
                _clean(doc.data, (*loc, "type")), f"missing required key 'type' ({err['msg']})"
            )
        return doc.issue(_clean(doc.data, (*loc, "type")), f"{err['msg']} (got {got!r})")
    message = err["msg"]
    message = message.removeprefix("Value error, ")
    if kind == "missing":
        message = f"missing required key {loc[-1]!r}"
    elif "input" in err and kind not in ("union_tag_invalid", "model_type", "dict_type"):
        shown = err["input"]
        if isinstance(shown, str | int | float | bool):
            message = f"{message} (got {shown!r})"
    return doc.issue(_clean(doc.data, loc), message)


def _clean(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop loc parts that are not in the document (union tags, function validators)."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        child = _child(node, part)
        if child is not _ABSENT:
            out.append(part)
            node = child
        elif i == len(loc) - 1 and isinstance(node, dict):
            out.append(part)  # a missing or unknown key: name it
    return tuple(out)


_ABSENT = object()


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _walk(data: Any, loc: Sequence[str | int]) -> Any:
    node = data
    for part in loc:
        child = _child(node, part)
        node = node if child is _ABSENT else child
    return node


def allowed_keys(model: type[pydantic.BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys the model accepts at `loc` (for "did you mean" hints); [] if unknown."""
    current: Any = model
    for part in loc:
        current = _descend(current, part)
        if current is None:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _descend(tp: Any, part: str | int) -> Any:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        for name, field in tp.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
        return None
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (list, tuple, Sequence) and args and isinstance(part, int):
        return args[0]
    if origin in (dict, Mapping) and len(args) == 2:
        return args[1]
    if origin in (typing.Union, types.UnionType):
        for member in args:  # a discriminated union: the tag names the member
            member = _unwrap(member)
            if isinstance(member, type) and issubclass(member, pydantic.BaseModel):
                tag = member.model_fields.get("type")
                if tag is not None and part in typing.get_args(tag.annotation):
                    return member
    return None


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return _unwrap(args[0])
    return tp


def env_snapshot() -> dict[str, str]:
    """The process environment, read once at the composition root."""
    return dict(os.environ)
