"""How lanes wait: for the run's cancel (Cancelled, CancellableClock) and, taking turns to
stream or to begin, for each other (Turns). lanes.py runs the lanes."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

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
    """Lanes that take turns: one page at a time goes from its navigation to a milestone of its
    stream (dom_recorder.StreamMilestones), in the order the lanes asked, while the other lanes
    ready their next page and capture, and analyse what they recorded.

    Taking turns to stream (`until="over"`, --take-turns): the turn lasts until the response
    has ended and the DOM has been quiet for dom_recorder.HANDOVER_MS, and the page settles
    beside the next one's navigation: a recording has the machine as in a serial run, but for
    the next page's set-up in another engine and, for the first pages, the launches of the
    engines not yet up (bench/jobs_levels.py measures what that costs); the run waits for no
    launch but the first, and for no page's set-up.

    Taking turns to begin (`until="begun"`, --jobs): the turn lasts until the page shows
    content or its response has ended, and the streams go on at once from there. Pages begun
    together paint together: three loads of one page begun at once on 2 cores stated paint
    errors of up to 26 ms, begun in turn up to 19 ms, and begun in turn with Xvfb at real-time
    priority (engines/display.py) up to 5.7 ms, as one load after another (2026-12-06).

    Either way, a lane streams as soon as its engine has started, and no engine stops beside
    a page that streams (all_finished). Beside launches, at rest on 2 cores with the paint
    capture at real-time priority, the bench's figures held (README, "How long a run takes").
    """

    def __init__(self, lanes: int, cancelled: Callable[[], bool],
                 until: Literal["over", "begun"] = "over") -> None:
        self._cancelled = cancelled
        self._until = until
        self._streaming = lanes  # lanes with pages left to stream
        self._queue: deque[_Turn] = deque()  # the lanes waiting, the one streaming first
        self._changed = threading.Condition()

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
    def turn(self) -> Iterator[_Turn]:
        """A page's turn, from its navigation to the milestone the turns hand on at, or to
        its end; raises Cancelled, waiting, once the run is."""
        mine = _Turn(self, self._until)
        with self._changed:
            self._queue.append(mine)
            try:
                self._wait(lambda: self._queue[0] is mine)
            except BaseException:
                self._queue.remove(mine)
                self._changed.notify_all()
                raise
        try:
            yield mine
        finally:
            self.hand_on(mine)

    def hand_on(self, turn: _Turn) -> None:
        """`turn` is over, if it was not: the next lane's, if any, begins."""
        with self._changed:
            if turn in self._queue:
                self._queue.remove(turn)
                self._changed.notify_all()

    def _wait(self, ready: Callable[[], bool]) -> None:
        while not ready():
            if self._cancelled():
                raise Cancelled
            self._changed.wait(JOIN_POLL_S)


class _Turn:
    """One page's turn: handed on at the milestone its Turns name (StreamMilestones)."""

    def __init__(self, turns: Turns, until: Literal["over", "begun"]) -> None:
        self._turns, self._until = turns, until

    def begun(self) -> None:
        if self._until == "begun":
            self._end()

    def over(self) -> None:
        self._end()

    def _end(self) -> None:
        self._turns.hand_on(self)
