"""Paint frames when the X server says the page changed: DAMAGE events, each answered by a grab.

Run as its own process (`python -m streamscope.paint.damage DISPLAY X Y WIDTH HEIGHT SPOOL`, as
DamageRecorder does), so that the recorder's Python never holds the GIL while a paint waits to
be grabbed. The X server reports every rectangle any client draws on screen (DAMAGE on the
root window, raw rectangles); when one meets the page's box, the box is grabbed at once over
MIT-SHM (about 0.5 ms for 1280x720 on Xvfb; XGetImage takes 6 to 12 ms) and compared with the
previous grab. A grab that differs is a frame, written to SPOOL as NNNNNN.bmp.

A frame is stamped with the server time of the earliest damage it answers, put on the wall
clock (server_clock.py): events that arrive while a grab runs wait for the next grab, which
answers them all. Its content reached the screen between that stamp and the end of the grab,
so that span (plus the clock's own error) is its error bound.

The process reports on stdout, one JSON object a line: {"ready": ...} once it listens, a
{"frame": ...} per frame, {"end": ...} with its counts when it stops, or {"error": ...}. It
stops at a line "stop" on stdin, or when stdin closes: its parent has gone.
"""

from __future__ import annotations

import json
import os
import queue
import select
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import mss
from Xlib.display import Display
from Xlib.error import ConnectionClosedError
from Xlib.ext import damage

from streamscope.paint.server_clock import ServerClock, monotonic_ms, read_server_clock
from streamscope.paint.spool import frame_path, write_frame

Box = tuple[int, int, int, int]  # x, y, width, height on the screen
STOP = "stop"


@dataclass(frozen=True)
class FrameReport:
    frame: int  # its number in the spool
    t: float  # epoch ms: the server time of the earliest damage this grab answers
    done: float  # epoch ms: the grab was complete
    events: int  # damage events in the page's box that this grab answers
    arrived: float  # epoch ms: when the first of them reached this process


@dataclass
class Counts:
    events: int = 0  # every damage rectangle on the screen
    in_box: int = 0  # those that touch the page's box
    grabs: int = 0
    frames: int = 0
    # Per grab answering damage: ms from the earliest damage to the grab's end, and from our
    # reading that damage to the grab's end.
    latencies_ms: list[float] = field(default_factory=list)
    waits_ms: list[float] = field(default_factory=list)
    first_event_ms: float | None = None  # epoch ms
    last_event_ms: float | None = None
    cpu_s: float = 0.0  # this process's user + system time


def intersects(area: Box, box: Box) -> bool:
    ax, ay, aw, ah = area
    bx, by, bw, bh = box
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


class DamageListener:
    """Answers damage in `box` with grabs until told to stop; see the module's docstring."""

    def __init__(self, display: str, box: Box, spool: Path,
                 report: Callable[[dict[str, Any]], None]) -> None:
        self._box = box
        self._spool = spool
        self._report = report
        self._x = Display(display)
        self._grabber = mss.MSS(display=display)
        self._region = {"left": box[0], "top": box[1], "width": box[2], "height": box[3]}
        self.counts = Counts()
        self._clock: ServerClock | None = None
        self._previous: bytearray | None = None
        self._last_stamp = 0.0  # epoch ms of the last grab's stamp
        self._pending: list[tuple[float, float]] = []  # (damage epoch ms, arrival epoch ms)
        # Frames are written by a thread of their own: a write to a disk-backed /tmp took 10
        # to 18 ms here, and damage arriving meanwhile would wait for it.
        self._unwritten: queue.SimpleQueue[tuple[Path, bytearray] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_frames, name="frame-writer")
        self._writer.start()

    def listen(self, control: IO[str]) -> None:
        """Runs until `control` says stop or closes."""
        self._x.damage_query_version()  # the protocol's handshake: DAMAGE fails without it
        self._clock = read_server_clock(self._x)
        # The first frame is the screen as it is, the one the first damage is compared with.
        # It is stamped before damage is asked for, so that no frame is stamped before it.
        now = time.time() * 1000.0
        self._x.screen().root.damage_create(damage.DamageReportRawRectangles)
        self._x.sync()
        self._grab(now, now, 0)
        self._report({"ready": {"clock_error_ms": self._clock.error_ms}})
        while True:
            readable = [self._x.fileno()]
            if not self._x.pending_events():
                readable, _, _ = select.select([self._x.fileno(), control], [], [])
            if control in readable and control.readline().strip() in (STOP, ""):
                self._read_events()  # paints already reported still get their frame
                self._answer()
                return
            self._read_events()
            self._answer()

    def close(self) -> None:
        """Writes every frame still queued, and lets go of the display."""
        self._unwritten.put(None)
        self._writer.join()
        self._grabber.close()
        self._x.close()
        times = os.times()
        self.counts.cpu_s = times.user + times.system

    def _read_events(self) -> None:
        assert self._clock is not None
        for _ in range(self._x.pending_events()):
            event = self._x.next_event()
            if event.type != self._x.extension_event.DamageNotify:
                continue
            arrived = monotonic_ms()
            counts = self.counts
            counts.events += 1
            area = event.area
            if not intersects((area.x, area.y, area.width, area.height), self._box):
                continue
            counts.in_box += 1
            damaged = self._clock.wall_ms(event.timestamp, arrived)
            arrived += self._clock.wall_minus_monotonic_ms
            counts.first_event_ms = counts.first_event_ms or damaged
            counts.last_event_ms = damaged
            self._pending.append((damaged, arrived))

    def _answer(self) -> None:
        """One grab for every damage pending."""
        if not self._pending:
            return
        # Never before the frame before: the first frame's stamp is from our clock, and the
        # server's agrees with it to within the clock's error only.
        damaged = max(min(t for t, _ in self._pending), self._last_stamp)
        arrived = min(a for _, a in self._pending)
        events = len(self._pending)
        self._pending = []
        report = self._grab(damaged, arrived, events)
        self.counts.latencies_ms.append(report.done - damaged)
        self.counts.waits_ms.append(report.done - arrived)

    def _grab(self, damaged: float, arrived: float, events: int) -> FrameReport:
        pixels = self._grabber.grab(self._region).raw
        done = time.time() * 1000.0
        self.counts.grabs += 1
        self._last_stamp = damaged
        report = FrameReport(self.counts.frames, damaged, done, events, arrived)
        if pixels != self._previous:
            self._previous = pixels
            self._unwritten.put((frame_path(self._spool, self.counts.frames), pixels))
            self.counts.frames += 1
            self._report({"frame": asdict(report)})
        return report

    def _write_frames(self) -> None:
        while (item := self._unwritten.get()) is not None:
            path, pixels = item
            write_frame(path, pixels, self._box[2:])


def main(argv: list[str]) -> int:
    display, x, y, width, height, spool = argv
    box = (int(x), int(y), int(width), int(height))

    def report(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    try:
        listener = DamageListener(display, box, Path(spool), report)
    except Exception as exc:
        report({"error": f"cannot listen to display {display}: {exc}"})
        return 1
    try:
        listener.listen(sys.stdin)
    except (ConnectionClosedError, OSError, mss.ScreenShotError) as exc:
        report({"error": f"display {display} went away: {exc}"})
        return 1
    finally:
        listener.close()
    report({"end": asdict(listener.counts)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
