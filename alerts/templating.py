"""The subset of Prometheus' annotation templates both back ends render alike.

Supported inside `{{ }}`: `$labels.NAME`, `$value`, `$value | humanize`,
`$value | humanizeDuration`, `$value | humanizePercentage`, and
`printf "%.2f" $value` (f, e, g, d verbs). Prometheus renders them with Go's
text/template; `render` gives the same text (the promtool tests compare both).
Anything else is rejected when the config is loaded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal

_ACTION = re.compile(r"{{\s*(.*?)\s*}}")
_LABEL = re.compile(r"^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$")
_PIPE = re.compile(r"^\$value\s*\|\s*(\w+)$")
_PRINTF = re.compile(r'^printf\s+"(%[-+ 0#]?\d*(?:\.\d+)?[fegd])"\s+\$value$')


class TemplateError(ValueError):
    pass


def go_float(v: float) -> str:
    """Go's %v of a float64: shortest digits, exponent below 1e-4 and from 1e21."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    d = Decimal(repr(v))
    exp = d.adjusted()
    if -4 <= exp < 21:
        text = format(d, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    digits = d.as_tuple().digits
    mantissa = "".join(map(str, digits)).rstrip("0") or "0"
    body = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    sign = "-" if v < 0 else ""
    return f"{sign}{body}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def _g4(v: float) -> str:
    """Go's %.4g (same exponent spelling as Python's)."""
    return f"{v:.4g}"


def humanize(v: float) -> str:
    if v == 0 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return _g4(v) + prefix
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return _g4(v) + prefix


def humanize_duration(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        return _g4(v)
    if v == 0:
        return _g4(v) + "s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        v = abs(v)
        total = int(v)
        seconds, minutes = total % 60, (total // 60) % 60
        hours, days = (total // 3600) % 24, total // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{_g4(v)}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return f"{_g4(v)}{prefix}s"


def humanize_percentage(v: float) -> str:
    return _g4(v * 100) + "%"


FILTERS: dict[str, Callable[[float], str]] = {
    "humanize": humanize,
    "humanizeDuration": humanize_duration,
    "humanizePercentage": humanize_percentage,
}


def _action(expr: str, labels: Mapping[str, str], value: float) -> str:
    if expr == "$value":
        return go_float(value)
    if m := _LABEL.match(expr):
        return labels.get(m.group(1), "")
    if (m := _PIPE.match(expr)) and m.group(1) in FILTERS:
        return FILTERS[m.group(1)](value)
    if m := _PRINTF.match(expr):
        verb = m.group(1)
        return verb % (int(value) if verb.endswith("d") else value)
    raise TemplateError(
        f"unsupported template action {{{{ {expr} }}}}; use $labels.NAME, $value, "
        f'$value | humanize|humanizeDuration|humanizePercentage, or printf "%.2f" $value'
    )


def validate(text: str) -> None:
    """Raise TemplateError when `text` uses anything `render` cannot render."""
    if text.count("{{") != text.count("}}"):
        raise TemplateError(f"unbalanced braces in {text!r}")
    for m in _ACTION.finditer(text):
        _action(m.group(1), {}, 0.0)


def render(text: str, labels: Mapping[str, str], value: float) -> str:
    return _ACTION.sub(lambda m: _action(m.group(1), labels, value), text)
