"""Ending a run on Ctrl-C or SIGTERM: everything it started ends, one line is printed, and the
exit status is 130 (SIGINT) or 143 (SIGTERM); never a traceback.

A terminal's Ctrl-C reaches the whole process group: Playwright's node driver, WebKitWebDriver
and Xvfb get it too, and may be gone before the run closes what they started. Closing a browser
then fails, and the browsers a driver launched (each in a session of its own) are orphaned,
out of reach of a look at our process tree. So the tree is taken while the run runs, every
WATCH_INTERVAL_S and at the signal, and whatever of it is still alive at the end is ended by
PID. The run's own `finally` blocks run first (pages, engines, displays, screen recorders,
servers, temporary folders); the errors they meet on the way are expected and kept quiet, and
should they hang, a watchdog ends it all UNWIND_S after the signal.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from types import FrameType
from typing import Any

import psutil

from streamscope.engines.processes import descendants, end_all

SIGNALS = (signal.SIGINT, signal.SIGTERM)
WATCH_INTERVAL_S = 0.5
UNWIND_S = 5.0
GRACE_S = 1.5  # from SIGTERM to SIGKILL, for what the run's own clean-up left
MESSAGE = "streamscope: interrupted"

# Set at the signal, for whoever must stop on it though the exception may not reach them: a
# signal can land in the automation library, which may take it for its own call's failure.
REQUESTED = threading.Event()


def requested_from_now() -> threading.Event:
    """REQUESTED, cleared: what a run beginning now stops on. A signal that interrupted an
    earlier run in this process (a library's, a CliRunner test's: the process went on) is no
    signal to this one, which would otherwise be cancelled before its first recording."""
    REQUESTED.clear()
    return REQUESTED


class Interrupted(BaseException):
    """A signal ends the run. Raised in the main thread, it unwinds every `finally` block; a
    BaseException, as KeyboardInterrupt is, so that no `except Exception` takes it for one
    recording's failure and goes on."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        REQUESTED.set()


class ProcessWatch:
    """Every process below this one, as taken every WATCH_INTERVAL_S and on demand."""

    def __init__(self, interval_s: float = WATCH_INTERVAL_S) -> None:
        self._interval_s = interval_s
        self._seen: set[psutil.Process] = set()  # a Process knows a reused PID from its own
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="streamscope-processes",
                                        daemon=True)

    def start(self) -> ProcessWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def take(self) -> None:
        found = descendants(os.getpid())
        with self._lock:
            # What has ended needs no ending: kept, every process a long run starts would be
            # (the soak's run, bench/soak.py, started 330 every 48 recordings).
            self._seen = {process for process in self._seen if process.is_running()}
            self._seen.update(found)

    def alive(self) -> list[psutil.Process]:
        """Those seen that still run, and what they have started since."""
        self.take()
        with self._lock:
            running = [process for process in self._seen if process.is_running()]
        below = {child for process in running for child in descendants(process.pid)}
        return [*running, *(child for child in below if child not in running)]

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.take()


class _Ending:
    """What one run's signal handling knows: the signal, and whether it may still raise."""

    def __init__(self, watch: ProcessWatch) -> None:
        self.watch = watch
        self.signum: int | None = None
        self.raising = True
        self._lock = threading.Lock()
        self._ended = False

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            return  # already ending: a second Ctrl-C changes nothing
        self.signum = signum
        self.watch.take()
        _quiet()
        threading.Thread(target=self._watchdog, name="streamscope-watchdog", daemon=True).start()
        if self.raising:
            raise Interrupted(signum)

    def _watchdog(self) -> None:
        threading.Event().wait(UNWIND_S)
        self.end()  # the clean-up hung: end it all

    def end(self) -> None:
        """Ends every process still running, says so in one line, and exits."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
        assert self.signum is not None
        end_all(self.watch.alive(), GRACE_S)
        try:
            sys.stdout.flush()
            sys.stderr.write(MESSAGE + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # nobody is reading any more
        # Not sys.exit: the interpreter's own teardown would meet the dead driver's pipes and
        # tasks, and say so.
        os._exit(128 + self.signum)


def run_interruptibly(main: Callable[[], Any]) -> None:
    """Runs `main`; on SIGINT or SIGTERM, unwinds it, ends every process it started, prints
    MESSAGE and exits 128 + the signal's number."""
    ending = _Ending(ProcessWatch().start())
    for signum in SIGNALS:
        signal.signal(signum, ending.on_signal)
    try:
        try:
            main()
        finally:
            # From here a signal is noted, not raised: it could only interrupt this clean-up.
            ending.raising = False
    except BaseException:
        if ending.signum is None:
            raise
    finally:
        ending.watch.stop()
    if ending.signum is not None:
        ending.end()


def _quiet() -> None:
    """After the signal, failures on the way out are expected: a closed driver, a dead pipe."""
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    sys.unraisablehook = lambda unraisable: None
    threading.excepthook = lambda args: None
