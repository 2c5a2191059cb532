"""Just enough SQL text scanning to fill openlineage-sql's gaps (no full parser).

openlineage-sql gives the source columns of each output column, but not the
order of the SELECT items, the INSERT column list, or what kind of expression
each item is. These helpers read those from the text: they track parentheses,
quotes and comments, and stop at the first top-level keyword they need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AGGREGATES = (
    "sum|count|avg|mean|min|max|median|mode|stddev\\w*|var\\w*|string_agg|array_agg|listagg|"
    "group_concat|approx_\\w+|any_value|arg_max|arg_min|bool_and|bool_or|every|first|last|"
    "percentile_\\w+|quantile\\w*|histogram"
)
_AGGREGATE_CALL = re.compile(rf"(?i)\b({_AGGREGATES})\s*\(")
_WINDOW = re.compile(r"(?i)\)\s*over\s*[\(\w]")
_IDENT = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][\w$]*)'
_COLUMN_REF = re.compile(rf"^{_IDENT}(?:\s*\.\s*{_IDENT}){{0,3}}$")
_AS_ALIAS = re.compile(rf"(?is)^(?P<expr>.*\S)\s+as\s+(?P<alias>{_IDENT})$")
_BARE_ALIAS = re.compile(rf"(?is)^(?P<expr>.*[\w)\"'`\]])\s+(?P<alias>{_IDENT})$")
_KEYWORDS = {"distinct", "all", "end", "null", "true", "false", "from"}


@dataclass(frozen=True)
class SelectItem:
    expression: str
    name: str | None  # the output name: the alias, or the column of a bare reference
    kind: str  # IDENTITY | AGGREGATION | TRANSFORMATION | STAR


def _unquote(ident: str) -> str:
    return ident[1:-1] if ident[:1] in '"`[' else ident


def _tokens_at_depth0(sql: str) -> list[tuple[int, str]]:
    """(position, char) of every character outside quotes, comments and parentheses."""
    out: list[tuple[int, str]] = []
    depth, i, n = 0, 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            end = sql.find(ch, i + 1)
            while end != -1 and end + 1 < n and sql[end + 1] == ch:  # doubled quote
                end = sql.find(ch, end + 2)
            i = n if end == -1 else end + 1
            continue
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end == -1 else end + 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            out.append((i, ch))
        i += 1
    return out


def _depth0_text(sql: str) -> str:
    """`sql` with everything nested, quoted or commented replaced by spaces."""
    chars = [" "] * len(sql)
    for pos, ch in _tokens_at_depth0(sql):
        chars[pos] = ch
    return "".join(chars)


def split_statements(sql: str) -> list[str]:
    """The statements of a script, split at top-level semicolons."""
    cuts = [pos for pos, ch in _tokens_at_depth0(sql) if ch == ";"]
    parts, start = [], 0
    for cut in [*cuts, len(sql)]:
        part = sql[start:cut].strip()
        if part:
            parts.append(part)
        start = cut + 1
    return parts


def _keyword_positions(flat: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(rf"(?i)\b{word}\b", flat)]


def insert_columns(statement: str) -> list[str] | None:
    """The column list of `INSERT INTO t (a, b) ...`, or None when it has none."""
    match = re.match(
        rf"(?is)\s*insert\s+(?:or\s+\w+\s+)?into\s+{_IDENT}(?:\s*\.\s*{_IDENT})*\s*\(([^()]*)\)",
        statement,
    )
    if not match:
        return None
    return [_unquote(c.strip()) for c in match.group(1).split(",") if c.strip()]


def select_branches(statement: str) -> list[list[SelectItem]]:
    """The SELECT lists of the statement's main query (one per UNION branch)."""
    flat = _depth0_text(statement)
    selects = _keyword_positions(flat, "select")
    branches = []
    for k, start in enumerate(selects):
        stop = selects[k + 1] if k + 1 < len(selects) else len(flat)
        froms = _keyword_positions(flat[start:stop], "from")
        end = start + froms[0] if froms else stop
        body = statement[start + len("select") : end]
        branches.append(_items(body))
    return branches


def _items(body: str) -> list[SelectItem]:
    commas = [pos for pos, ch in _tokens_at_depth0(body) if ch == ","]
    raw, start = [], 0
    for cut in [*commas, len(body)]:
        raw.append(body[start:cut].strip())
        start = cut + 1
    if raw and re.match(r"(?i)^(distinct|all)\b", raw[0]):
        raw[0] = re.sub(r"(?i)^(distinct(\s+on\s*\([^)]*\))?|all)\s+", "", raw[0])
    return [_item(text) for text in raw if text]


def _item(text: str) -> SelectItem:
    if text == "*" or text.endswith(".*"):
        return SelectItem(text, None, "STAR")
    expr, name = text, None
    if _COLUMN_REF.match(text):
        name = _unquote(re.split(r"\s*\.\s*", text)[-1])
    else:
        match = _AS_ALIAS.match(text) or _BARE_ALIAS.match(text)
        alias = match.group("alias") if match else None
        if match and alias and alias.lower() not in _KEYWORDS and match.group("expr").strip():
            expr, name = match.group("expr").strip(), _unquote(alias)
    if _COLUMN_REF.match(expr):
        return SelectItem(expr, name, "IDENTITY")
    if _AGGREGATE_CALL.search(expr) and not _WINDOW.search(expr):
        return SelectItem(expr, name, "AGGREGATION")
    return SelectItem(expr, name, "TRANSFORMATION")
