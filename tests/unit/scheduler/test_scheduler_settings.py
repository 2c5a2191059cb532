"""Scheduler settings refuse combinations that would mark live runs orphaned."""

from __future__ import annotations

import pytest

from monitor.scheduler.lease import advisory_key
from monitor.scheduler.settings import SchedulerSettings


def test_run_lease_timeout_must_exceed_the_heartbeat() -> None:
    with pytest.raises(ValueError) as info:
        SchedulerSettings(heartbeat=10, run_lease_timeout=5)
    assert str(info.value) == (
        "run lease timeout (5s) must be longer than the heartbeat interval (10s)"
    )


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"workers must be at least 1 \(got 0\)"):
        SchedulerSettings(workers=0)


def test_the_advisory_lock_key_is_a_stable_signed_64_bit_integer() -> None:
    key = advisory_key("scheduler")
    assert key == advisory_key("scheduler") != advisory_key("other")
    assert -(2**63) <= key < 2**63
