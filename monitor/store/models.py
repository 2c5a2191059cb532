"""Every table module, imported once, so `metadata` knows the whole store.

An area that adds tables adds its module here (and a migration revision).
"""

from __future__ import annotations

import monitor.store.tables_alerts  # alert state and history
import monitor.store.tables_scheduler  # noqa: F401  (schedule slots, scheduler lease)
from monitor.lineage import tables as lineage_tables
from monitor.store import tables
from monitor.store.tables import Base

metadata = Base.metadata

# The lineage area declares its extra tables in Core on its own MetaData; fold
# them in so migrations and schema checks see the whole store.
for _table in lineage_tables.metadata.tables.values():
    if _table.name not in metadata.tables:
        _table.to_metadata(metadata)

__all__ = ["metadata", "tables"]
