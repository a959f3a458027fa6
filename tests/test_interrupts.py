"""Ctrl-C and SIGTERM of a run, without a browser: a small program stands in for the run, with a
child process, an orphaned grandchild in a session of its own (as a browser is once its driver
dies), and clean-up that fails or hangs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from streamscope.engines.processes import still_running
from streamscope.run import interrupts

PROGRAM = """
import subprocess, sys, time
from streamscope.run import interrupts
from streamscope.engines.processes import still_running
from streamscope.run.interrupts import run_interruptibly
{prelude}

SLEEP = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_DFL); time.sleep(60)"

def main():
    # Dies of a Ctrl-C to the group, as Playwright's node driver does.
    child = subprocess.Popen([sys.executable, "-c", SLEEP])
    # Started by a child, in a session of its own: orphaned when that child dies.
    subprocess.Popen([sys.executable, "-c", "import subprocess, sys;"
                      f"subprocess.Popen([sys.executable, '-c', {SLEEP!r}],"
                      f" start_new_session=True); exec({SLEEP!r})"])
    print("started", flush=True)
    try:
        time.sleep(60)
    finally:
        {cleanup}

run_interruptibly(main)
"""


def _start(cleanup: str, prelude: str = "") -> subprocess.Popen[str]:
    code = textwrap.dedent(PROGRAM).replace("{cleanup}", cleanup).replace("{prelude}", prelude)
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               cwd=Path(__file__).parent.parent)
    assert process.stdout is not None
    assert process.stdout.readline() == "started\n"
    return process


def _below(pid: int, want: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = psutil.Process(pid).children(recursive=True)
        if len(found) >= want:
            return found
        time.sleep(0.05)
    raise AssertionError(f"fewer than {want} processes below {pid}")


@pytest.mark.parametrize("signum, group, cleanup", [
    (signal.SIGINT, True, "child.terminate()"),
    (signal.SIGTERM, False, "child.terminate()"),
    # Closing a browser whose driver got the same Ctrl-C: an error on the way out.
    (signal.SIGINT, False, "raise RuntimeError('Connection closed while reading from the driver')"),
])
def test_a_signal_ends_every_process_with_one_line(signum, group, cleanup):
    process = _start(cleanup)
    started = _below(process.pid, 3)
    try:
        time.sleep(interrupts.WATCH_INTERVAL_S * 2)  # the watch has seen the grandchild
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=10)
        assert process.returncode == 128 + signum
        assert stderr == "streamscope: interrupted\n"
        time.sleep(0.2)
        assert not still_running(started)
    finally:
        for leftover in still_running(started):
            leftover.kill()


def test_a_clean_up_that_hangs_is_cut_short():
    unwind_s = 1.0
    process = _start("time.sleep(60)", prelude=f"interrupts.UNWIND_S = {unwind_s}")
    started = _below(process.pid, 3)
    try:
        time.sleep(interrupts.WATCH_INTERVAL_S * 2)
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 143 and stderr == "streamscope: interrupted\n"
        assert unwind_s <= time.monotonic() - sent < unwind_s + interrupts.GRACE_S + 2
        assert not still_running(started)
    finally:
        for leftover in still_running(started):
            leftover.kill()


def test_a_run_that_ends_by_itself_exits_as_it_says():
    code = ("import sys\nfrom streamscope.run.interrupts import run_interruptibly\n"
            "run_interruptibly(lambda: sys.exit(3))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=30, cwd=Path(__file__).parent.parent)
    assert result.returncode == 3 and result.stderr == ""


def test_the_watch_forgets_a_process_once_it_has_ended():
    # A long run starts thousands (a browser's helpers, an ffmpeg a video): the watch keeps
    # only those that may still need ending.
    watch = interrupts.ProcessWatch()
    child = subprocess.Popen(["sleep", "30"])
    try:
        watch.take()
        assert psutil.Process(child.pid) in watch.alive()
    finally:
        child.kill()
        child.wait()
    watch.take()
    assert child.pid not in {process.pid for process in watch._seen}
