"""Token buckets per caller: a burst of ``capacity`` requests, refilled evenly over a minute.

In memory, per gateway replica: with N replicas behind a balancer a caller gets up to N times
the rate. That is the documented trade-off until the limits move to a shared store.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    per_minute: int
    clock: object = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, key: str) -> float:
        """Spend one token for ``key``; 0 if allowed, else the seconds until one is back."""
        now = self.clock()  # type: ignore[operator]
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
        bucket.tokens = min(self.per_minute, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return math.ceil((1 - bucket.tokens) / rate * 1000) / 1000
