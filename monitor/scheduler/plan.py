"""Which schedule slots are due, and which of them run (pure).

A slot is one fire time F of a pipeline's schedule; its run covers the data
interval [previous fire, F) and is due at F (like Airflow). Slots are computed
from the newest slot already recorded (`last`), never from a timer's memory, so
a restart or a takeover continues exactly where the store says.

Fire times older than `active_since - misfire_grace` passed while no scheduler
was active: the catch-up policy decides what happens to them —

* `all`: every missed slot runs, oldest first (bounded by max_active_runs);
* `latest`: only the newest missed slot runs, the others are recorded missed;
* `none`: every missed slot is recorded missed.

Slots after that point run, whatever the policy. A pipeline with no slot yet
starts at its `start_date` when it has one and its policy catches up, else at
the moment the scheduler first saw it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config.pipeline import Schedule
from monitor.pipeline import intervals

MISSED_NONE = "catchup none: missed while no scheduler was active"
MISSED_LATEST = "catchup latest: a newer missed interval ran instead"


@dataclass(frozen=True)
class Slot:
    scheduled_for: datetime
    interval_start: datetime
    interval_end: datetime
    run: bool
    reason: str | None = None


def due_slots(
    schedule: Schedule,
    *,
    last: datetime | None,
    active_since: datetime,
    first_seen: datetime,
    now: datetime,
    misfire_grace: timedelta = timedelta(0),
    limit: int = 1000,
) -> list[Slot]:
    """Slots due at `now` after `last`, in order, with the policy applied.

    For `all`, at most `limit` slots (the next pass continues); for `none` and
    `latest`, the newest `limit` of a long gap are recorded (older ones are
    implied by the gap and not written one by one).
    """
    start_date = intervals.start_of(schedule)
    if last is not None:
        after = last
    elif start_date is not None and schedule.catchup != "none":
        after = start_date - timedelta(microseconds=1)
    else:
        after = first_seen - timedelta(microseconds=1)
    keep_all = schedule.catchup == "all"
    fires: deque[datetime] = deque(maxlen=None if keep_all else limit + 1)
    first_previous: datetime | None = None
    for fire in intervals.fire_times_after(schedule, after):
        if fire > now or (keep_all and len(fires) >= limit + 1):
            break
        if len(fires) == fires.maxlen:
            first_previous = fires[0]
        fires.append(fire)
    if not fires:
        return []
    # Data intervals are contiguous: the first new one starts where the last slot ended.
    previous = first_previous or last or _previous(schedule, fires[0])
    cutoff = active_since - misfire_grace
    slots: list[Slot] = []
    missed: list[int] = []
    for fire in fires:
        begin, previous = previous, fire
        if begin is None or (start_date is not None and begin < start_date):
            continue  # the interval would start before the schedule does
        if keep_all and len(slots) >= limit:
            break
        if fire < cutoff:
            missed.append(len(slots))
        slots.append(Slot(fire, begin, fire, run=True))
    if schedule.catchup != "all" and missed:
        runs_latest = schedule.catchup == "latest"
        for i in missed:
            if runs_latest and i == missed[-1]:
                continue
            s = slots[i]
            reason = MISSED_LATEST if runs_latest else MISSED_NONE
            slots[i] = Slot(s.scheduled_for, s.interval_start, s.interval_end, False, reason)
    return slots


def _previous(schedule: Schedule, fire: datetime) -> datetime | None:
    """The fire time before `fire`; None when the schedule starts at `fire`."""
    try:
        return intervals.previous_fire(schedule, fire)
    except ValueError:
        return None


def next_fire(schedule: Schedule, after: datetime) -> datetime:
    """The first fire time strictly after `after`."""
    return next(intervals.fire_times_after(schedule, after))
