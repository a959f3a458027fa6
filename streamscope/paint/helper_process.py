"""A capture's child process: ffmpeg for the screen film, or the DAMAGE listener.

The child runs in its own session, so a Ctrl-C meant for us does not end it before it has
written what it captured; it is ended by a request of its own on its stdin, then SIGTERM,
then SIGKILL, by its PID. Its stderr goes to a temporary file (a pipe nobody reads could fill
and stall it), kept for error messages; its stdout, where it reports, is read by a thread
that wakes whoever waits on `_changed`.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping
from typing import IO, Any, Self

LOG_LIMIT = 2000  # characters of the child's stderr an error message quotes, from its end


class HelperProcess:
    """A child process run by `command`, started by a subclass's start() through _spawn()
    and ended through _end(): `with ScreenFilm(...) as film:`."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self._proc: subprocess.Popen[Any] | None = None
        self._log: IO[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._changed = threading.Condition()  # notified as the reader takes each report

    @property
    def pid(self) -> int | None:
        """The child while it runs: the bench reads its CPU time."""
        return self._proc.pid if self._proc else None

    def start(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def _spawn(self, read: Callable[[Any], None], name: str, *, text: bool = False,
               env: Mapping[str, str] | None = None) -> None:
        """Starts the child, with `read` on its stdout in a daemon thread called `name`."""
        self._log = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            text=text, start_new_session=True, env=env,
        )  # fmt: skip
        self._reader = threading.Thread(target=read, args=(self._proc.stdout,), name=name,
                                        daemon=True)
        self._reader.start()

    def _end(self, proc: subprocess.Popen[Any], request_stop: Callable[[Any], None],
             stop_timeout_s: float, terminate_timeout_s: float) -> int:
        """Ends `proc`, gently if it lets us: `request_stop` writes its own stop request to
        its stdin, then it has stop_timeout_s to finish, then SIGTERM and terminate_timeout_s,
        then SIGKILL. Returns its exit status once its reports are all read."""
        assert proc.stdin is not None and proc.stdout is not None
        try:
            if proc.poll() is None:
                try:
                    request_stop(proc.stdin)
                except OSError:
                    pass  # it is already going
                try:
                    proc.wait(stop_timeout_s)
                except subprocess.TimeoutExpired:
                    proc.terminate()
                    try:
                        proc.wait(terminate_timeout_s)
                    except subprocess.TimeoutExpired:
                        pass  # killed below
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            try:
                proc.stdin.close()
            except OSError:
                pass  # a request still buffered for a child that is gone
            if self._reader is not None:
                self._reader.join()
                self._reader = None
            proc.stdout.close()
        return proc.returncode

    def _log_text(self, limit: int = LOG_LIMIT) -> str:
        """The end of the child's stderr so far."""
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode(errors="replace").strip()
        return text[-limit:] or "(no output)"

    def _close_log(self) -> str:
        """The end of the child's stderr, the log closed: read it before, or never."""
        text = self._log_text()
        if self._log is not None:
            self._log.close()
            self._log = None
        return text
