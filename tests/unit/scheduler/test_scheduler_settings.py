"""Scheduler settings refuse combinations that would mark live runs orphaned."""

from __future__ import annotations

import pytest

from monitor.scheduler.lease import advisory_key
from monitor.scheduler.settings import SchedulerSettings


def test_run_lease_timeout_must_exceed_the_heartbeat() -> None:
    with pytest.raises(ValueError) as info:
        SchedulerSettings(heartbeat=10, run_lease_timeout=5)
    assert str(info.value) == "run_lease_timeout must be longer than heartbeat (10s) (got 5s)"


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"workers must be at least 1 \(got 0\)"):
        SchedulerSettings(workers=0)


def test_the_lease_must_outlast_a_pass_and_timings_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^lease_ttl must be longer than tick \(2s\) \(got 2s\)$"):
        SchedulerSettings(tick=2, lease_ttl=2)
    with pytest.raises(ValueError, match=r"^tick must be longer than 0s \(got 0s\)$"):
        SchedulerSettings(tick=0)
    with pytest.raises(ValueError, match=r"^max_recoveries must not be negative \(got -1\)$"):
        SchedulerSettings(max_recoveries=-1)


def test_the_advisory_lock_key_is_a_stable_signed_64_bit_integer() -> None:
    key = advisory_key("scheduler")
    assert key == advisory_key("scheduler") != advisory_key("other")
    assert -(2**63) <= key < 2**63
