"""Seeded fault injection and latency for API requests.

One draw per accepted API request, from its own `random.Random(seed)`, so the
sequence of faults depends only on the seed and the order requests arrive in.
Latency jitter has a separate generator so that turning it on does not change
which requests fault.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

FAULT_KINDS = ("1002001", "500", "502", "drop", "slow")
DEFAULT_FAULTS = ("1002001", "500", "502", "drop")

BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def check_faults(faults: Iterable[str]) -> tuple[str, ...]:
    faults = tuple(faults)
    unknown = [f for f in faults if f not in FAULT_KINDS]
    if unknown:
        raise ValueError(f"unknown fault kind(s) {unknown}; choose from {FAULT_KINDS}")
    return faults


def check_latency(latency: float | tuple[float, float]) -> float | tuple[float, float]:
    if isinstance(latency, (tuple, list)):
        low, high = (float(x) for x in latency)
        if not 0 <= low <= high:
            raise ValueError("latency (min, max) needs 0 <= min <= max")
        return (low, high)
    if float(latency) < 0:
        raise ValueError("latency must be >= 0")
    return float(latency)


class FaultInjector:
    def __init__(self, fault_rate: float, faults: Iterable[str], latency: float | tuple[float, float], seed: int):
        self.fault_rate = fault_rate
        self.faults = check_faults(faults)
        self.latency = check_latency(latency)
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._fault_rng = random.Random(seed)
            self._latency_rng = random.Random(f"latency-{seed}")

    def draw(self) -> str | None:
        """The fault this request gets, or None."""
        with self._lock:
            if not self.faults or self.fault_rate <= 0:
                return None
            if self._fault_rng.random() >= self.fault_rate:
                return None
            return self._fault_rng.choice(self.faults)

    def delay(self) -> float:
        latency = self.latency
        if isinstance(latency, tuple):
            with self._lock:
                return self._latency_rng.uniform(*latency)
        return latency
