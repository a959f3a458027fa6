"""Ending a process and everything it started.

A WebDriver server starts the browser, which starts its own helpers; when the server dies
first, they are orphaned, so they are taken (as psutil Processes, which know a reused PID
from the process they were) before anything is asked to stop.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

from streamscope.deadline import poll

POLL_S = 0.02


def descendants(pid: int) -> list[psutil.Process]:
    """Every process below `pid`; none when it is gone."""
    try:
        children: list[psutil.Process] = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return children


def end_all(processes: list[psutil.Process], grace_s: float = 3.0) -> None:
    """SIGTERM, then SIGKILL whatever is still there after `grace_s`."""
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    remaining = wait_gone(processes, grace_s)
    for process in remaining:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    wait_gone(remaining, grace_s)


def wait_gone(processes: list[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    """Those of `processes` still running after up to `timeout_s`.

    A process that has exited counts as ended while it is a zombie: its status is for its
    parent to collect, not us. MiniBrowser's helpers, orphaned when it quits, are collected
    by the machine's init, which took 1.5 to 2 s here, and psutil.wait_procs waited for that.
    """
    poll(lambda _: not still_running(processes), timeout_s, POLL_S)
    return still_running(processes)


def still_running(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of `processes` that have not ended (a zombie has)."""
    return [process for process in processes if _running(process)]


def _running(process: psutil.Process) -> bool:
    try:  # is_running() first: a PID the process left may belong to another one by now
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


@contextmanager
def sheltered_from_ctrl_c() -> Iterator[None]:
    """Processes started inside keep running through a terminal's Ctrl-C, which reaches our
    whole process group: SIGINT is blocked while they start, and they inherit the mask (an X
    server keeps it). The run then ends them in order; an Xvfb that died at once would take
    the browsers on it down mid-close, leaving their temporary folders behind."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
