"""Waiting with a time limit: one Deadline for the waits that poll, sleep on a condition or
select on a socket, so that each says only what it waits for and what a timeout means."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Deadline:
    """A moment on the monotonic clock by which a wait gives up."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._at = time.monotonic() + timeout_s

    def left_s(self) -> float:
        """Seconds until the deadline; 0 once it has passed."""
        return max(self._at - time.monotonic(), 0.0)

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self._at


def poll(condition: Callable[[Deadline], T], timeout_s: float, interval_s: float) -> T | None:
    """`condition(deadline)` every `interval_s` until it returns something true (returned) or
    `timeout_s` has passed (None). It is always asked once more after the deadline passed, so
    a wait that slept past it still sees a condition met meanwhile."""
    deadline = Deadline(timeout_s)
    while True:
        expired = deadline.passed
        if result := condition(deadline):
            return result
        if expired:
            return None
        time.sleep(min(interval_s, max(deadline.left_s(), 0.001)))
