"""Paint frames when the X server says the page changed: DAMAGE events, each answered by a grab.

The X server reports every rectangle any client draws on screen (DAMAGE on the root window,
raw rectangles); when one meets the page's box, the box is grabbed at once over MIT-SHM
(about 0.5 ms for 1280x720 on Xvfb; XGetImage takes 6 to 12 ms) and compared with the
previous grab (frame_taker.py). A grab that differs is a frame, written to SPOOL as
NNNNNN.bmp. Each damage is timed by the X server's clock, put on the wall clock
(server_clock.py), so a frame's stamp does not depend on how soon this process read the event.

Run as its own process (`python -m streamscope.paint.damage DISPLAY`, as DamageProcess does),
then sent its job as one JSON line on stdin, {"box": [X, Y, WIDTH, HEIGHT], "spool": SPOOL}:
the process starts and imports while the page is readied, which takes as long, and only then
is the page's box known. As a thread of ours it grabbed as promptly (damage to grab p95
7 to 17 ms either way, at load 10), but on its own it shares no GIL with the recorder, runs at
real-time priority apart from it, has its CPU time measured apart, and is ended by its PID.

The process reports on stdout, one JSON object a line: {"ready": ...} once it listens, a
{"frame": ...} per frame, {"end": ...} with its counts when its job stops, or {"error": ...}.
A job stops at a line "stop" on stdin; the process then waits for its next job, so that one
listener serves every recording on a display (starting one, mostly its imports, took 0.3 to
0.9 s, up to 0.25 s of which a recording waited for on 2 cores). It ends when stdin closes:
its parent has gone or is done with it (between jobs, then without a word).
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
from streamscope.priority import real_time

STOP = "stop"


class DamageListener:
    """Answers damage in `box` with grabs until told to stop; see the module's docstring."""

    def __init__(self, display: str, box: Box, spool: Path, writer: FrameWriter,
                 report: Callable[[dict[str, Any]], None]) -> None:
        self._box = box
        self._spool = spool
        self._writer = writer
        self._report = report
        self._cpu_at_start = _cpu_s()
        self._x = Display(display)
        self._grabber = mss.MSS(display=display)
        region = {"left": box[0], "top": box[1], "width": box[2], "height": box[3]}
        self.taker = FrameTaker(box, lambda: self._grabber.grab(region).raw, self._keep)

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
        """Writes every frame still queued, and lets go of the display (which drops the
        damage asked for: nothing is reported between jobs)."""
        self._writer.flush()
        self._grabber.close()
        self._x.close()
        self.taker.counts.cpu_s = _cpu_s() - self._cpu_at_start

    def _keep(self, report: FrameReport, pixels: bytearray) -> None:
        self._writer.put(frame_path(self._spool, report.frame), pixels, self._box[2:])
        self._report({"frame": asdict(report)})


class FrameWriter:
    """Writes frames on a thread of its own: a write to a disk-backed /tmp took 10 to 18 ms
    here, and damage arriving meanwhile would wait for it. One for the process, started before
    the listening thread takes real-time priority, which a thread started later would inherit."""

    def __init__(self) -> None:
        self._unwritten: queue.Queue[tuple[Path, bytearray, tuple[int, int]]] = queue.Queue()
        self._thread = threading.Thread(target=self._write, name="frame-writer", daemon=True)
        self._thread.start()

    def put(self, path: Path, pixels: bytearray, size: tuple[int, int]) -> None:
        self._unwritten.put((path, pixels, size))

    def flush(self) -> None:
        """Returns once every frame put so far is written."""
        self._unwritten.join()

    def _write(self) -> None:
        while True:  # for the process's life: it is a daemon, and jobs come one after another
            item = self._unwritten.get()
            try:
                write_frame(*item)
            except OSError:
                pass  # a frame missing from the spool fails its job's analysis, not the writer
            finally:
                self._unwritten.task_done()  # else flush() would wait for ever


def _cpu_s() -> float:
    times = os.times()
    return times.user + times.system


def raise_priority() -> str:
    """Puts the calling thread at the lowest real-time priority, where it may: on a machine
    busy with browsers (load 8 on 2 cores), the time from damage to grab had a p95 of 15 to 82
    ms at normal priority (nice -10: 14 to 40 ms) and of 5 to 16 ms at SCHED_FIFO 1. The
    thread sleeps in select() between damage, so it takes a CPU only to grab."""
    return real_time()


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
    """Captures each job read from stdin, until it closes; 1 after a job that failed."""
    (display,) = argv
    writer = FrameWriter()  # before raise_priority(): it keeps the priority it starts with
    priority = ""
    while (job := read_job(sys.stdin)) is not None:
        priority = priority or raise_priority()
        if not capture(display, *job, writer, priority):
            return 1
    return 0


def capture(display: str, box: Box, spool: Path, writer: FrameWriter, priority: str) -> bool:
    """One job, reported on stdout from "ready" to "end"; False after an "error"."""

    def report(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    try:
        listener = DamageListener(display, box, spool, writer, report)
    except Exception as exc:
        report({"error": f"cannot listen to display {display}: {exc}"})
        return False
    try:
        listener.listen(sys.stdin, priority)
    except (ConnectionClosedError, OSError, mss.ScreenShotError) as exc:
        report({"error": f"display {display} went away: {exc}"})
        return False
    finally:
        listener.close()
    report({"end": asdict(listener.taker.counts)})
    return True


if __name__ == "__main__":
    status = main(sys.argv[1:])
    # Everything is written and reported by now; tearing the interpreter down (numpy, Xlib,
    # mss) took 70 to 120 ms more, which every recording waited for before it could go on.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
