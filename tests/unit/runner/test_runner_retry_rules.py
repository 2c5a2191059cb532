"""Which errors are retried, backoff delays, and trigger rules (pure)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitor.config.pipeline import RetryPolicy
from monitor.errors import (
    ConfigError,
    ConfigIssue,
    ConnectionFailedError,
    DataError,
    StoreError,
    TaskTimeoutError,
    UsageError,
)
from monitor.pipeline.events import TaskState as S
from monitor.pipeline.retry import backoff_delay, should_retry
from monitor.pipeline.trigger import blocked_state


class CheckFailedError(Exception):
    """Stands for a failed check raised by the checks package (matched by name)."""


def _operational() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("connect", {}, ConnectionRefusedError("refused"))


@pytest.mark.parametrize(
    "error",
    [
        ConnectionFailedError("src", "postgres://h:5432", "refused"),
        TaskTimeoutError("extract", 3),
        StoreError("store down"),
        ConnectionRefusedError("refused"),
        TimeoutError("slow"),
        _operational(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_errors_are_retried_by_default(error: BaseException) -> None:
    assert should_retry(error, "transient")


@pytest.mark.parametrize(
    "error",
    [
        DataError("files:a.csv", "file not found"),
        ValueError("bad value"),
        sa.exc.ProgrammingError("select", {}, Exception("syntax error")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_data_and_code_errors_are_not_retried_by_default_but_are_with_any(
    error: BaseException,
) -> None:
    assert not should_retry(error, "transient")
    assert should_retry(error, "any")


@pytest.mark.parametrize(
    "error",
    [
        ConfigError([ConfigIssue("p.yaml", 1, 1, "tasks", "bad")]),
        UsageError("no such pipeline"),
        CheckFailedError("row_count below 10"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_config_errors_and_failed_checks_are_never_retried(error: BaseException) -> None:
    assert not should_retry(error, "transient")
    assert not should_retry(error, "any")


def test_backoff_is_exponential_capped_and_jittered_within_bounds() -> None:
    policy = RetryPolicy(retries=5, delay="1s", multiplier=3, max_delay="10s", jitter=0)
    rng = random.Random(1)
    assert [backoff_delay(policy, a, rng) for a in (1, 2, 3, 4)] == [1.0, 3.0, 9.0, 10.0]
    jittered = RetryPolicy(retries=5, delay="2s", multiplier=2, jitter=0.25)
    delays = [backoff_delay(jittered, 2, random.Random(seed)) for seed in range(200)]
    assert 3.0 <= min(delays) < 3.3 and 4.7 < max(delays) <= 5.0
    assert len(set(delays)) > 100  # jitter spreads retries


def test_retry_policy_durations_parse() -> None:
    policy = RetryPolicy(delay="500ms", max_delay="2m")
    assert policy.delay == timedelta(milliseconds=500) and policy.max_delay == timedelta(minutes=2)


OK, FAIL, UP, SKIP = S.SUCCESS, S.FAILED, S.UPSTREAM_FAILED, S.SKIPPED


@pytest.mark.parametrize(
    ("rule", "upstream", "expected"),
    [
        ("all_success", [OK, OK], None),
        ("all_success", [OK, FAIL], UP),
        ("all_success", [OK, UP], UP),
        ("all_success", [OK, SKIP], SKIP),
        ("none_failed", [OK, SKIP], None),
        ("none_failed", [OK, FAIL], UP),
        ("one_failed", [OK, FAIL], None),
        ("one_failed", [OK, UP], None),
        ("one_failed", [OK, OK], SKIP),
        ("all_done", [FAIL, UP, SKIP], None),
        ("always", [FAIL], None),
        ("always", [], None),
    ],
)
def test_trigger_rules(rule: str, upstream: list[S], expected: S | None) -> None:
    assert blocked_state(rule, upstream) == expected


def test_an_unknown_trigger_rule_is_named() -> None:
    with pytest.raises(ValueError, match="unknown trigger rule 'some_failed'"):
        blocked_state("some_failed", [OK])
