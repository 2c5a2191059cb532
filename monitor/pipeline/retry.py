"""Retry decisions and backoff delays (pure)."""

from __future__ import annotations

import random

from monitor.config.pipeline import RetryPolicy
from monitor.errors import ConfigError, is_transient


def should_retry(error: BaseException, retry_on: str) -> bool:
    """Transient errors by default; `any` retries everything but config errors."""
    if isinstance(error, ConfigError):
        return False
    return retry_on == "any" or is_transient(error)


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Seconds to wait after failed attempt `attempt` (1-based): exponential, capped, jittered."""
    base = policy.delay.total_seconds() * policy.multiplier ** (attempt - 1)
    capped = min(base, policy.max_delay.total_seconds())
    factor = 1.0 + rng.uniform(-policy.jitter, policy.jitter)
    return max(0.0, min(capped * factor, policy.max_delay.total_seconds()))
