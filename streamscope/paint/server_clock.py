"""The X server's clock on our wall clock: X events carry server time, ms on a 32-bit counter.

A DamageNotify says when the server drew, which is what a paint frame wants to be stamped
with; when our process reads the event is later, by however long it waited for a CPU. The
server's time is read by the usual round trip: change a property on a window of our own and
take the time of the PropertyNotify that comes back, bracketed by our monotonic clock.
"""

from __future__ import annotations

import select
import time
from dataclasses import dataclass

from Xlib import X, Xatom
from Xlib.display import Display

from streamscope.deadline import Deadline

WRAP = 2**32  # server time is a CARD32 of ms: it wraps every 49.7 days
SYNC_TRIES = 5
SYNC_TIMEOUT_S = 2.0
# Server time counts whole ms, so a stamp may be up to 1 ms before the moment it names.
RESOLUTION_MS = 1.0


class ClockError(RuntimeError):
    """The X server did not answer the round trip that reads its clock."""


def monotonic_ms() -> float:
    return time.monotonic() * 1000.0


@dataclass(frozen=True)
class ServerClock:
    offset_ms: float  # server time minus our monotonic ms, modulo WRAP (Xvfb: 0 to -1)
    error_ms: float  # how far offset_ms may be off: half the round trip, and the resolution
    wall_minus_monotonic_ms: float  # time.time() * 1000 - monotonic_ms(), read together

    def monotonic_ms(self, server_time: int, now_ms: float) -> float:
        """Our monotonic ms of a server timestamp received at `now_ms` (monotonic ms)."""
        age = (now_ms + self.offset_ms - server_time) % WRAP
        if age > WRAP / 2:  # a stamp a little ahead of our reading of the offset
            age -= WRAP
        return now_ms - age

    def wall_ms(self, server_time: int, now_ms: float) -> float:
        """Epoch ms of a server timestamp received at `now_ms` (monotonic ms)."""
        return self.monotonic_ms(server_time, now_ms) + self.wall_minus_monotonic_ms


def read_server_clock(display: Display) -> ServerClock:
    """The server's clock against ours: the tightest of SYNC_TRIES round trips.

    Call it before asking for other events: it reads the event queue until its own arrive.
    """
    window = display.screen().root.create_window(
        -1, -1, 1, 1, 0, X.CopyFromParent, X.InputOnly, X.CopyFromParent,
        event_mask=X.PropertyChangeMask,
    )  # fmt: skip
    atom = display.intern_atom("STREAMSCOPE_CLOCK")
    best: tuple[float, float] | None = None  # (half round trip, offset)
    try:
        for _ in range(SYNC_TRIES):
            before = monotonic_ms()
            window.change_property(atom, Xatom.STRING, 8, b"")
            display.flush()
            server_time = _property_time(display, window.id, before)
            after = monotonic_ms()
            half = (after - before) / 2
            offset = (server_time - (before + half) + WRAP / 2) % WRAP - WRAP / 2
            if best is None or half < best[0]:
                best = (half, offset)
    finally:
        window.destroy()
        display.flush()
    assert best is not None
    wall_minus_monotonic = time.time() * 1000.0 - monotonic_ms()
    return ServerClock(best[1], best[0] + RESOLUTION_MS, wall_minus_monotonic)


def _property_time(display: Display, window_id: int, since_ms: float) -> int:
    deadline = Deadline(SYNC_TIMEOUT_S - (monotonic_ms() - since_ms) / 1000)
    while True:
        while display.pending_events():
            event = display.next_event()
            if event.type == X.PropertyNotify and event.window.id == window_id:
                return int(event.time)
        if deadline.passed:
            raise ClockError(f"the X server sent no PropertyNotify in {SYNC_TIMEOUT_S:g} s")
        select.select([display.fileno()], [], [], deadline.left_s())
