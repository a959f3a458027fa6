"""Paint frames when the X server says the page changed: DAMAGE events, each answered by a grab.

The X server reports every rectangle any client draws on screen (DAMAGE on the root window,
raw rectangles); when one meets the page's box, the box is grabbed at once over MIT-SHM
(about 0.5 ms for 1280x720 on Xvfb; XGetImage takes 6 to 12 ms) and compared with the
previous grab (frame_taker.py). A grab that differs is a frame, written to SPOOL as
NNNNNN.bmp. Each damage is timed by the X server's clock, put on the wall clock
(server_clock.py), so a frame's stamp does not depend on how soon this process read the event.

Run as its own process (`python -m streamscope.paint.damage DISPLAY`, as DamageRecorder does),
then sent its job as one JSON line on stdin, {"box": [X, Y, WIDTH, HEIGHT], "spool": SPOOL}:
the process starts and imports while the page is readied, which takes as long, and only then
is the page's box known. As a thread of the recorder it grabbed as promptly (damage to grab p95
7 to 17 ms either way, at load 10), but on its own it shares no GIL with the recorder, runs at
real-time priority apart from it, has its CPU time measured apart, and is ended by its PID.

The process reports on stdout, one JSON object a line: {"ready": ...} once it listens, a
{"frame": ...} per frame, {"end": ...} with its counts when it stops, or {"error": ...}. It
stops at a line "stop" on stdin, or when stdin closes: its parent has gone (before its job
too, then without a word).
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
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

import mss
from Xlib.display import Display
from Xlib.error import ConnectionClosedError
from Xlib.ext import damage

from streamscope.paint.frame_taker import Box, FrameReport, FrameTaker
from streamscope.paint.server_clock import monotonic_ms, read_server_clock
from streamscope.paint.spool import frame_path, write_frame

STOP = "stop"


class DamageListener:
    """Answers damage in `box` with grabs until told to stop; see the module's docstring."""

    def __init__(self, display: str, box: Box, spool: Path,
                 report: Callable[[dict[str, Any]], None]) -> None:
        self._box = box
        self._spool = spool
        self._report = report
        self._x = Display(display)
        self._grabber = mss.MSS(display=display)
        region = {"left": box[0], "top": box[1], "width": box[2], "height": box[3]}
        self.taker = FrameTaker(box, lambda: self._grabber.grab(region).raw, self._keep)
        # Frames are written by a thread of their own: a write to a disk-backed /tmp took 10
        # to 18 ms here, and damage arriving meanwhile would wait for it.
        self._unwritten: queue.SimpleQueue[tuple[Path, bytearray] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_frames, name="frame-writer")
        self._writer.start()

    def listen(self, control: IO[str], priority: str) -> None:
        """Runs until `control` says stop or closes; `priority` is reported with "ready"."""
        self._x.damage_query_version()  # the protocol's handshake: DAMAGE fails without it
        clock = read_server_clock(self._x)
        # Stamped before damage is asked for, so that no damage is stamped before it.
        start = time.time() * 1000.0
        self._x.screen().root.damage_create(damage.DamageReportRawRectangles)
        self._x.sync()
        self.taker.start(start)
        self._report({"ready": {"clock_error_ms": clock.error_ms, "box": self._box,
                                "priority": priority}})
        notify = self._x.extension_event.DamageNotify
        while True:
            readable = [self._x.fileno()]
            if not self._x.pending_events():
                readable, _, _ = select.select([self._x.fileno(), control], [], [])
            stopping = control in readable and control.readline().strip() in (STOP, "")
            for _ in range(self._x.pending_events()):
                event = self._x.next_event()
                if event.type == notify:
                    now = monotonic_ms()
                    area = (event.area.x, event.area.y, event.area.width, event.area.height)
                    self.taker.damaged(area, clock.wall_ms(event.timestamp, now),
                                       now + clock.wall_minus_monotonic_ms)
            self.taker.answer()  # paints already reported get their frame, stopping or not
            if stopping:
                return

    def close(self) -> None:
        """Writes every frame still queued, and lets go of the display."""
        self._unwritten.put(None)
        self._writer.join()
        self._grabber.close()
        self._x.close()
        times = os.times()
        self.taker.counts.cpu_s = times.user + times.system

    def _keep(self, report: FrameReport, pixels: bytearray) -> None:
        self._unwritten.put((frame_path(self._spool, report.frame), pixels))
        self._report({"frame": asdict(report)})

    def _write_frames(self) -> None:
        while (item := self._unwritten.get()) is not None:
            path, pixels = item
            write_frame(path, pixels, self._box[2:])


def raise_priority() -> str:
    """Puts the calling thread at the lowest real-time priority, where it may: on a machine
    busy with browsers (load 8 on 2 cores), the time from damage to grab had a p95 of 15 to 82
    ms at normal priority (nice -10: 14 to 40 ms) and of 5 to 16 ms at SCHED_FIFO 1. The
    thread sleeps in select() between damage, so it takes a CPU only to grab."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
    except (OSError, AttributeError) as exc:  # no CAP_SYS_NICE, RLIMIT_RTPRIO 0, not Linux
        return f"normal priority (real-time refused: {exc})"
    return "real-time priority (SCHED_FIFO 1)"


def read_job(control: IO[str]) -> tuple[Box, Path] | None:
    """The box to grab and the spool to write, from the job line; None when told to stop
    (or left) first."""
    line = control.readline().strip()
    if line in (STOP, ""):
        return None
    job = json.loads(line)
    x, y, width, height = (int(n) for n in job["box"])
    return (x, y, width, height), Path(job["spool"])


def main(argv: list[str]) -> int:
    (display,) = argv
    job = read_job(sys.stdin)
    if job is None:
        return 0
    box, spool = job

    def report(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    try:
        listener = DamageListener(display, box, spool, report)
    except Exception as exc:
        report({"error": f"cannot listen to display {display}: {exc}"})
        return 1
    try:
        priority = raise_priority()  # the writer thread, started already, keeps its own
        listener.listen(sys.stdin, priority)
    except (ConnectionClosedError, OSError, mss.ScreenShotError) as exc:
        report({"error": f"display {display} went away: {exc}"})
        return 1
    finally:
        listener.close()
    report({"end": asdict(listener.taker.counts)})
    return 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    # Everything is written and reported by now; tearing the interpreter down (numpy, Xlib,
    # mss) took 70 to 120 ms more, which every recording waited for before it could go on.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
