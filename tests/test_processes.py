"""Ending a process tree: what counts as ended. Real processes, no browser."""

from __future__ import annotations

import subprocess
import time

import psutil

from streamscope.engines.processes import descendants, end_all, still_running


def test_an_exited_process_its_parent_has_not_collected_counts_as_ended() -> None:
    # `sleep 0` exits at once and stays a zombie: the shell it was started by became
    # `sleep 30`, which never collects it, as an init that is slow to reap does not.
    parent = subprocess.Popen(["sh", "-c", "sleep 0 & exec sleep 30"])
    try:
        deadline = time.monotonic() + 5
        while not (zombies := [p for p in descendants(parent.pid)
                               if p.status() == psutil.STATUS_ZOMBIE]):
            assert time.monotonic() < deadline, "no zombie appeared"
            time.sleep(0.01)
        assert still_running(zombies) == []  # so end_all waits for none (bench/timings.py)
        end_all(zombies, grace_s=3.0)
    finally:
        parent.kill()
        parent.wait()


def test_a_running_process_is_ended() -> None:
    process = subprocess.Popen(["sleep", "30"])
    end_all([psutil.Process(process.pid)], grace_s=3.0)
    assert process.wait(timeout=5) == -15  # SIGTERM was enough
