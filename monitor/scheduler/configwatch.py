"""Noticing config changes without inotify: a snapshot of file times and sizes."""

from __future__ import annotations

from pathlib import Path

WATCHED = ("*.yaml", "*.yml", "*.py", "*.sql")


def snapshot(config_dir: Path) -> dict[str, tuple[int, int]]:
    """path -> (mtime_ns, size) of every config, transform and SQL file."""
    seen: dict[str, tuple[int, int]] = {}
    for pattern in WATCHED:
        for path in config_dir.rglob(pattern):
            if "__pycache__" in path.parts:
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return seen
