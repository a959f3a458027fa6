"""How lanes wait: for the run's cancel (Cancelled, CancellableClock) and, taking turns to
stream, for each other (Turns). lanes.py runs the lanes."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# How often a waiting lane looks whether the run was cancelled.
JOIN_POLL_S = 0.1


class Cancelled(BaseException):
    """The run was interrupted while a lane was recording. A BaseException, as
    KeyboardInterrupt is, so that no `except Exception` takes it for the page's error."""


class CancellableClock:
    """The recorder's clock in a lane: its pauses end, raising Cancelled, once the run is
    interrupted, so that a lane's recording stops within one poll."""

    def __init__(self, cancelled: threading.Event) -> None:
        self._cancelled = cancelled

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if self._cancelled.wait(seconds):
            raise Cancelled


class Turns:
    """Lanes that take turns to stream: one page at a time goes from its navigation to settled,
    in the order the lanes asked, while the other lanes ready their next page and capture, and
    analyse what they recorded. No page streams before every lane's engine has started, nor
    beside an engine that stops: a recording then has the machine as in a serial run, but
    for the next page's set-up in another engine (bench/jobs_levels.py measures what that costs),
    and the run waits for one launch, the longest, and for no page's set-up."""

    def __init__(self, lanes: int, cancelled: Callable[[], bool]) -> None:
        self._cancelled = cancelled
        self._starting = lanes  # lanes whose first engine is starting
        self._streaming = lanes  # lanes with pages left to stream
        self._queue: deque[object] = deque()  # the lanes waiting, the one streaming first
        self._changed = threading.Condition()

    def started(self) -> None:
        """A lane's first engine has started, or could not: once a lane."""
        with self._changed:
            self._starting -= 1
            self._changed.notify_all()

    def finished(self) -> None:
        """A lane has streamed its last page: once a lane."""
        with self._changed:
            self._streaming -= 1
            self._changed.notify_all()

    def all_finished(self) -> None:
        """Once every lane has streamed its last page; raises Cancelled, waiting, once the
        run is."""
        with self._changed:
            self._wait(lambda: self._streaming <= 0)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Held while one page streams; raises Cancelled, waiting, once the run is."""
        mine = object()
        with self._changed:
            self._queue.append(mine)
            try:
                self._wait(lambda: self._starting <= 0 and self._queue[0] is mine)
            except BaseException:
                self._queue.remove(mine)
                self._changed.notify_all()
                raise
        try:
            yield
        finally:
            with self._changed:
                self._queue.popleft()
                self._changed.notify_all()

    def _wait(self, ready: Callable[[], bool]) -> None:
        while not ready():
            if self._cancelled():
                raise Cancelled
            self._changed.wait(JOIN_POLL_S)
