"""Retry decisions and backoff delays (pure).

Which errors are retried (`retry.retry_on` of a task):

* `transient` (the default): errors that say retrying can help — our errors
  marked transient (a connection that failed, a timeout, a store hiccup),
  Python's ConnectionError/TimeoutError/OSError, and the database driver's
  operational errors (connection refused or lost, server restarting, lock
  timeouts), which SQLAlchemy reports as OperationalError/InterfaceError.
* `any`: every error except the ones below.

Never retried, whatever the setting: configuration errors (ours or a check's:
the same config fails the same way) and a failed check (the data is wrong,
not the weather).
"""

from __future__ import annotations

import random

from monitor.config.pipeline import RetryPolicy
from monitor.errors import ConfigError, UsageError, is_transient

# Names, not imports: `checks` is optional here and must stay import-free of us.
_NEVER_RETRIED = ("CheckConfigError", "CheckFailedError", "ChecksFailedError")


def never_retried(error: BaseException) -> bool:
    """Errors no retry can fix: config and usage errors, failed checks."""
    if isinstance(error, ConfigError | UsageError):
        return True
    return any(cls.__name__ in _NEVER_RETRIED for cls in type(error).__mro__)


def is_transient_error(error: BaseException) -> bool:
    """Ours marked transient, OS/network errors, or a database connection problem."""
    if is_transient(error):
        return True
    try:
        import sqlalchemy.exc as sa_exc
    except ImportError:  # pragma: no cover - SQLAlchemy is a dependency
        return False
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError)


def should_retry(error: BaseException, retry_on: str) -> bool:
    """Whether a failed attempt is tried again (attempts left is the caller's business)."""
    if never_retried(error):
        return False
    return retry_on == "any" or is_transient_error(error)


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Seconds to wait after failed attempt `attempt` (1-based): exponential, capped, jittered."""
    base = policy.delay.total_seconds() * policy.multiplier ** (attempt - 1)
    capped = min(base, policy.max_delay.total_seconds())
    factor = 1.0 + rng.uniform(-policy.jitter, policy.jitter)
    return max(0.0, min(capped * factor, policy.max_delay.total_seconds()))
