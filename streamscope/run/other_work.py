"""How much of the machine's CPU other processes use: whether it is quiet enough for lanes that
take turns (run/options.py, DefaultSchedule).

What the machine's CPUs did over a sample, less what this process did, is the other processes'
work. The sample begins as the CLI is imported and ends when a run asks, so that a command
line's own imports are the sample; a process that asks later (a test suite, a library user)
takes a fresh one of MIN_SAMPLE_S. Each costs two reads of /proc.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import psutil

# A sample shorter than this says too little (the CLI's imports alone usually take longer);
# one older than MAX_SAMPLE_S says more of the past than of now.
MIN_SAMPLE_S = 0.3
MAX_SAMPLE_S = 5.0


@dataclass(frozen=True)
class OtherWork:
    cores: float  # the CPU other processes used, in cores, averaged over the sample
    of_cores: int  # the machine's


class CpuSample:
    def __init__(self) -> None:
        self._start = self._now()

    def other_work(self) -> OtherWork:
        """What other processes used since the sample began (waiting until it is long
        enough)."""
        start_s = self._start[0]
        wait_s = MIN_SAMPLE_S - (time.monotonic() - start_s)
        if wait_s > 0:
            time.sleep(wait_s)
        (t0, busy0, own0), (t1, busy1, own1) = self._start, self._now()
        cores = max(0.0, (busy1 - busy0) - (own1 - own0)) / max(t1 - t0, 1e-6)
        return OtherWork(round(cores, 2), os.cpu_count() or 1)

    @staticmethod
    def _now() -> tuple[float, float, float]:
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        # guest time is counted in user time already (proc(5))
        busy -= getattr(machine, "guest", 0.0) + getattr(machine, "guest_nice", 0.0)
        own = psutil.Process().cpu_times()
        return time.monotonic(), busy, own.user + own.system


    @property
    def age_s(self) -> float:
        return time.monotonic() - self._start[0]


_since_import = CpuSample()


def other_work() -> OtherWork:
    """The CPU other processes use now: since this module was imported, if that was lately,
    else over a fresh sample."""
    global _since_import
    sample, _since_import = _since_import, CpuSample()
    return (sample if sample.age_s <= MAX_SAMPLE_S else _since_import).other_work()
