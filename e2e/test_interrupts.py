"""Ctrl-C and SIGTERM in the middle of a real three-engine `streamscope run`: one line, exit 130
or 143, a valid --json holding the runs finished so far, and none of the processes it started
left running.

A terminal sends Ctrl-C to the whole process group (Playwright's node driver included), so the
run is started in a session of its own and signalled with os.killpg. Its processes are known by
the PIDs found below it while it ran, never by name: other people's browsers run here too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from streamscope.engines.processes import still_running

STREAMSCOPE = Path(sys.executable).with_name("streamscope")
BROWSERS = ("chromium", "firefox", "webkit")
# About 4 s: long enough to be caught in the middle, short enough for a quick suite.
STREAM = "/probe?count=16&delay=0.25"
ENDED_WITHIN_S = 8.0  # from the signal to the run's exit, all its processes ended


class RunningCli:
    """`streamscope run` in a session of its own, with every process found below it."""

    def __init__(self, args: list[str], cwd: Path, temporary: Path) -> None:
        self.process = subprocess.Popen(
            [str(STREAMSCOPE), "run", *args], cwd=cwd, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "TMPDIR": str(temporary)})
        self.seen: set[psutil.Process] = set()

    def below(self) -> list[psutil.Process]:
        try:
            found = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        self.seen.update(found)
        return found

    def watch_until(self, condition: Callable[[list[psutil.Process]], bool],
                    timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the run ended first: {self.process.communicate()}")
            if condition(self.below()):
                return
            time.sleep(0.1)
        raise AssertionError("the run never got there")

    def still_running(self) -> list[psutil.Process]:
        return still_running(list(self.seen))

    def end_leftovers(self) -> None:
        """Whatever a failed test leaves, by PID."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        for process in self.still_running():
            process.kill()


def _names(processes: list[psutil.Process]) -> set[str]:
    names = set()
    for process in processes:
        try:
            names.add(process.name())
        except psutil.NoSuchProcess:
            pass
    return names


def _filming(processes: list[psutil.Process]) -> bool:
    """The DAMAGE listener runs ([paint] method "damage", the default): a page is being
    recorded. Not ffmpeg: it makes the last recording's video beside the next engine's start."""
    for process in processes:
        try:
            command = " ".join(process.cmdline())
        except psutil.Error:
            continue
        if "streamscope.paint.damage" in command:
            return True
    return False


def _finished_runs(path: Path) -> int:
    try:
        return len(json.loads(path.read_text())["runs"])
    except (OSError, ValueError, KeyError):
        return 0


def _interrupt(tmp_path: Path, url: str, signum: int, *, group: bool, runs_before: int,
               recording: Callable[[list[psutil.Process]], bool],
               extra: tuple[str, ...] = (), wait_s: float = 0.5) -> None:
    out = tmp_path / "out.json"
    # Its own temporary folder: what the run and its browsers make there must be gone after.
    # A short path: Chromium's singleton socket lives there, and a socket's path has at most
    # 107 bytes (pytest's tmp_path is longer).
    temporary = Path(tempfile.mkdtemp(prefix="ss-"))
    # One engine after another, so that the runs before the signal are known (a quiet machine
    # would take turns by default).
    args = [*(arg for browser in BROWSERS for arg in ("--browser", browser)), "--one-at-a-time"]
    cli = RunningCli([*args, *extra, "--json", str(out), url], tmp_path, temporary)
    try:
        # Mid-recording: the runs before it are in the JSON, and the next engine's page is
        # being recorded.
        cli.watch_until(lambda found: _finished_runs(out) >= runs_before and recording(found))
        time.sleep(wait_s)
        cli.below()
        sent = time.monotonic()
        if group:
            os.killpg(cli.process.pid, signum)
        else:
            cli.process.send_signal(signum)
        stdout, stderr = cli.process.communicate(timeout=30)
        took = time.monotonic() - sent
        time.sleep(0.5)  # orphans that our run ended may take a moment to be reaped

        assert cli.process.returncode == 128 + signum, stderr
        assert took < ENDED_WITHIN_S
        lines = stderr.strip().splitlines()
        assert lines[-1] == "streamscope: interrupted"
        # Besides it, only the progress lines: no traceback, no warning.
        assert all(line.startswith("[") for line in lines[:-1]), stderr
        document = json.loads(out.read_text())
        assert [(run["browser"], run["error"], bool(run["timeline"]["dom"]))
                for run in document["runs"]] == [(b, None, True) for b in BROWSERS[:runs_before]]
        assert not list(tmp_path.glob(".out.json.*")), "a temporary JSON was left behind"
        assert not cli.still_running(), [(p.pid, _names([p])) for p in cli.still_running()]
        assert not list(temporary.iterdir()), sorted(p.name for p in temporary.iterdir())
    finally:
        cli.end_leftovers()
        shutil.rmtree(temporary, ignore_errors=True)


def test_ctrl_c_to_the_process_group_while_firefox_records(server_url: str, tmp_path: Path):
    # Playwright's driver gets the Ctrl-C too and is gone when the engine closes its browser.
    _interrupt(tmp_path, server_url + STREAM, signal.SIGINT, group=True, runs_before=1,
               recording=lambda found: _filming(found)
               and any("firefox" in n for n in _names(found)))


def test_ctrl_c_to_the_process_group_while_firefox_starts(server_url: str, tmp_path: Path):
    # The browser is half launched: nobody will close it, and its profile is still to remove.
    _interrupt(tmp_path, server_url + STREAM, signal.SIGINT, group=True, runs_before=1,
               recording=lambda found: not _filming(found)
               and "firefox-esr" in _names(found), wait_s=0.0)


def test_sigterm_while_webkit_records(server_url: str, tmp_path: Path):
    _interrupt(tmp_path, server_url + STREAM, signal.SIGTERM, group=False, runs_before=2,
               recording=lambda found: "MiniBrowser" in _names(found)
               and "firefox-esr" not in _names(found),
               extra=("--no-paint",))
