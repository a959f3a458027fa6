"""Damage in, frames out: the DAMAGE listener's bookkeeping, apart from X.

Damage that touches the page's box waits for a grab; one grab answers all the damage waiting,
however much came while the grab before it ran. A grab that differs from the one before is a
frame, stamped with the earliest damage it answers: the frame's content reached the screen
between that stamp and the end of the grab, so that span is how far the stamp may be off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

Box = tuple[int, int, int, int]  # x, y, width, height on the screen


@dataclass(frozen=True)
class FrameReport:
    frame: int  # its number among the frames kept
    t: float  # epoch ms: the earliest damage this grab answers (the start, for the first)
    done: float  # epoch ms: the grab was complete
    events: int  # damage rectangles in the page's box that this grab answers
    arrived: float  # epoch ms: when the first of them reached the listener

    @property
    def error_ms(self) -> float:
        return self.done - self.t


@dataclass
class Counts:
    # Every damage rectangle reported: [epoch ms by the server's clock, x, y, width, height].
    damage: list[list[float]] = field(default_factory=list)
    grabs: int = 0
    frames: int = 0
    # Per grab answering damage: ms from the earliest damage to the grab's end, and from the
    # listener reading that damage to the grab's end.
    latencies_ms: list[float] = field(default_factory=list)
    waits_ms: list[float] = field(default_factory=list)
    cpu_s: float = 0.0  # the listener's user + system time


def intersects(area: Box, box: Box) -> bool:
    ax, ay, aw, ah = area
    bx, by, bw, bh = box
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def wall_ms() -> float:
    return time.time() * 1000.0


class FrameTaker:
    """Answers damage in `box` with `grab()` and hands each changed picture to `keep`."""

    def __init__(self, box: Box, grab: Callable[[], bytearray],
                 keep: Callable[[FrameReport, bytearray], None],
                 clock: Callable[[], float] = wall_ms) -> None:
        self._box = box
        self._grab = grab
        self._keep = keep
        self._clock = clock
        self.counts = Counts()
        self._pending: list[tuple[float, float]] = []  # (damage epoch ms, arrival epoch ms)
        self._previous: bytearray | None = None
        self._last_stamp = 0.0

    def start(self, stamp_ms: float) -> FrameReport | None:
        """The screen as it is, stamped `stamp_ms`: what the first damage is compared with."""
        return self._take(stamp_ms, stamp_ms, 0)[0]

    def damaged(self, area: Box, damaged_ms: float, arrived_ms: float) -> None:
        """A damage rectangle drawn at `damaged_ms`, read at `arrived_ms` (epoch ms)."""
        self.counts.damage.append([damaged_ms, *area])
        if intersects(area, self._box):
            self._pending.append((damaged_ms, arrived_ms))

    def answer(self) -> FrameReport | None:
        """One grab for all the damage waiting; the frame, if the picture changed."""
        if not self._pending:
            return None
        # Never before the frame before: the first frame's stamp is from our clock, and the
        # server's agrees with it to within the clock's error only.
        damaged = max(min(t for t, _ in self._pending), self._last_stamp)
        arrived = min(a for _, a in self._pending)
        events = len(self._pending)
        self._pending = []
        report, done = self._take(damaged, arrived, events)
        self.counts.latencies_ms.append(done - damaged)
        self.counts.waits_ms.append(done - arrived)
        return report

    def _take(self, damaged: float, arrived: float,
              events: int) -> tuple[FrameReport | None, float]:
        pixels = self._grab()
        done = self._clock()
        self._last_stamp = damaged
        self.counts.grabs += 1
        if pixels == self._previous:
            return None, done
        self._previous = pixels
        report = FrameReport(self.counts.frames, damaged, done, events, arrived)
        self.counts.frames += 1
        self._keep(report, pixels)
        return report, done
