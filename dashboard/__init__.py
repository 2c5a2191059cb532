"""The Streamlit dashboard: `riverkeeper dashboard` runs `dashboard/app.py`.

Nothing imports this package; it reads the store (all SQL in `dashboard.queries`).
`dashboard.seed` fills a store with realistic history for tests and the benchmark.
"""

from __future__ import annotations

__all__: list[str] = []
