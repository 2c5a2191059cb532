"""Errors of the check engine. `checks` has its own small tree (it imports nothing of ours)."""

from __future__ import annotations


class ChecksError(Exception):
    """Base of the errors the check engine raises on purpose."""


class CheckConfigError(ChecksError):
    """A check cannot run as written (a column that does not exist, a bad value list)."""
