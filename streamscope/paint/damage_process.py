"""The DAMAGE listener process (damage.py), started, watched and ended from streamscope's process.

The listener is a HelperProcess (helper_process.py). launch() starts the process and
start() gives it its job, the page's box: a recording launches it before readying and
locating the page, so that the 0.3 to 0.9 s its interpreter takes to start and import is
spent while the browser works, not after. end_job() ends a job with a line "stop" on its
stdin and leaves the process waiting for the next one (the recordings that follow on the
display start no interpreter at all); stop() ends the job and the process. If we die first,
its stdin closes and it ends by itself.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import streamscope
from streamscope.deadline import Deadline
from streamscope.paint.damage import STOP
from streamscope.paint.frame_taker import Counts, FrameReport
from streamscope.paint.helper_process import HelperProcess

START_TIMEOUT_S = 10.0  # to connect, read the server's clock and take the first grab
STOP_TIMEOUT_S = 10.0  # to answer the damage pending and write its last frames
TERMINATE_TIMEOUT_S = 5.0
# The package's folder goes on the listener's path: a checkout run without installing
# (bench/run.py) has streamscope importable only through its own sys.path.
SOURCE_ROOT = str(Path(streamscope.__file__).resolve().parent.parent)


class DamageError(RuntimeError):
    """The listener could not start, or failed while capturing."""


@dataclass
class Capture:
    """What the listener reported: its frames in order, and its counts once it ended."""

    frames: list[FrameReport] = field(default_factory=list)
    counts: Counts | None = None
    clock_error_ms: float = 0.0
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # the page's x, y, width, height on screen
    priority: str = ""  # how the listener was scheduled
    error: str | None = None
    ready: bool = False


class DamageProcess(HelperProcess):
    """Frames of `size` pixels of `display` from `origin`, each grabbed when the X server
    reports damage there, spooled into `spool`: `with DamageProcess(...) as listener:`."""

    def __init__(self, display: str, origin: tuple[int, int], size: tuple[int, int],
                 spool: Path) -> None:
        super().__init__([sys.executable, "-m", "streamscope.paint.damage", display])
        self.display = display
        self.spool = spool
        self.aim(origin, size)
        self._capture = Capture()
        self._last_frame_s = 0.0  # time.monotonic() when the last frame was reported
        self._log_tail = ""  # the end of its stderr, kept when it ends

    @property
    def frame_count(self) -> int:
        with self._changed:
            return len(self._capture.frames)

    def __exit__(self, *exc_info: object) -> None:
        self.halt()

    @property
    def running(self) -> bool:
        """The process is up (with a job or waiting for one)."""
        return self._proc is not None and self._proc.poll() is None and self._alive()

    def aim(self, origin: tuple[int, int], size: tuple[int, int],
            spool: Path | None = None) -> None:
        """Where to grab, and where to spool the frames, until start(): a launched listener
        may be aimed once the page is located, and a kept one at each job."""
        if spool is not None:
            self.spool = spool
        self._box = [*origin, *size]

    def launch(self) -> None:
        """Starts the listener process, which readies itself until start() sends its job."""
        if self._proc is not None:
            raise DamageError("the damage listener is already running")
        path = os.pathsep.join(p for p in (SOURCE_ROOT, os.environ.get("PYTHONPATH")) if p)
        try:
            self._spawn(self._read_reports, "damage-reports", text=True,
                        env={**os.environ, "PYTHONPATH": path})
        except BaseException:
            self.halt()
            raise

    def start(self) -> None:
        """Launches the listener unless launch() did, sends its job, and waits until it
        listens."""
        with self._changed:
            if self._capture.ready and self._capture.counts is None:
                raise DamageError("the damage listener is already running")
            self._capture = Capture()  # a kept listener's next job
        if self._proc is None:
            self.launch()
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        job = json.dumps({"box": self._box, "spool": str(self.spool)})
        try:
            self.spool.mkdir(parents=True, exist_ok=True)
            try:
                proc.stdin.write(job + "\n")
                proc.stdin.flush()
            except OSError:
                pass  # it has gone already: the wait below says why
            self._wait(lambda: self._capture.ready, START_TIMEOUT_S, "start listening")
        except BaseException:
            self.halt()
            raise

    def wait_for_frames(self, count: int, timeout_s: float) -> bool:
        """Until `count` frames were captured; False if the time ran out first."""
        try:
            self._wait(lambda: len(self._capture.frames) >= count, timeout_s, "")
        except TimeoutError:
            return False
        return True

    def wait_until_still(self, quiet_s: float, timeout_s: float) -> None:
        """Until no frame came for `quiet_s`, or `timeout_s` ran out."""
        deadline = Deadline(timeout_s)
        with self._changed:
            while (still := time.monotonic() - self._last_frame_s) < quiet_s:
                if deadline.passed:
                    return
                self._changed.wait(quiet_s - still)

    def end_job(self) -> Capture:
        """Ends the job once the listener has answered the damage pending, and leaves the
        listener waiting for its next job; raises DamageError, the listener ended, if it
        failed or did not end the job."""
        proc = self._proc
        try:
            if proc is None or proc.stdin is None:
                raise DamageError("the damage listener is not running")
            try:
                proc.stdin.write(STOP + "\n")
                proc.stdin.flush()
            except OSError:
                pass  # it has gone already: the wait below says why
            self._wait(lambda: self._capture.counts is not None, STOP_TIMEOUT_S, "end its job")
        except BaseException:
            self.halt()
            raise
        return self._capture

    def stop(self) -> Capture:
        """Ends the listener once it has answered the damage pending; raises DamageError if it
        failed, or did not end on its own."""
        returncode = self.halt()
        capture = self._capture
        if capture.error is not None:
            raise DamageError(capture.error)
        if returncode != 0 or capture.counts is None:
            raise DamageError(f"the damage listener ended with status {returncode}: "
                              f"{self._log_tail}")
        return capture

    def halt(self) -> int | None:
        """Ends the listener, gently if it lets us; returns its exit status. Never raises
        for a listener that is already gone."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        try:
            return self._end(proc, _request_stop, STOP_TIMEOUT_S, TERMINATE_TIMEOUT_S)
        finally:
            self._log_tail = self._close_log()

    def _wait(self, done: Any, timeout_s: float, what: str) -> None:
        deadline = Deadline(timeout_s)
        with self._changed:
            while not done():
                if self._capture.error is not None:
                    raise DamageError(self._capture.error)
                if not self.running:
                    raise DamageError(f"the damage listener exited: {self._log_text()}")
                if deadline.passed:
                    if what:
                        raise DamageError(f"the damage listener did not {what} "
                                          f"in {timeout_s:g} s: {self._log_text()}")
                    raise TimeoutError
                self._changed.wait(0.05)

    def _alive(self) -> bool:
        return self._reader is not None and self._reader.is_alive()

    def _read_reports(self, stdout: IO[str]) -> None:
        for line in stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # not ours: a library writing to stdout
            with self._changed:
                self._take(message)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _take(self, message: dict[str, Any]) -> None:
        capture = self._capture
        if "frame" in message:
            capture.frames.append(FrameReport(**message["frame"]))
            self._last_frame_s = time.monotonic()
        elif "ready" in message:
            capture.ready = True
            capture.clock_error_ms = float(message["ready"]["clock_error_ms"])
            x, y, width, height = message["ready"]["box"]
            capture.box = (x, y, width, height)
            capture.priority = str(message["ready"].get("priority", ""))
        elif "end" in message:
            capture.counts = Counts(**message["end"])
        elif "error" in message:
            capture.error = str(message["error"])


def _request_stop(stdin: IO[str]) -> None:
    stdin.write(STOP + "\n")
    stdin.close()  # sends the line; and the listener takes an end of its stdin as "stop" too
