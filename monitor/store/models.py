"""Every table module, imported once, so `metadata` knows the whole store.

An area that adds tables adds its module here (and a migration revision).
"""

from __future__ import annotations

import monitor.store.tables_alerts  # noqa: F401  (alert state and history)
from monitor.store import tables
from monitor.store.tables import Base

metadata = Base.metadata

__all__ = ["metadata", "tables"]
