"""The CPU other processes use: what tells a quiet machine from a busy one."""

import subprocess
import sys
import time

from streamscope.run import other_work
from streamscope.run.other_work import MIN_SAMPLE_S, CpuSample


def test_a_busy_loop_elsewhere_is_other_work() -> None:
    loop = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)  # started
        work = CpuSample().other_work()
    finally:
        loop.kill()
        loop.wait()
    assert work.cores > 0.5


def test_this_process_busy_is_not_other_work() -> None:
    sample = CpuSample()
    end = time.monotonic() + MIN_SAMPLE_S
    while time.monotonic() < end:
        pass
    assert sample.other_work().cores < 0.5


def test_a_sample_is_at_least_the_shortest_that_says_something() -> None:
    start = time.monotonic()
    CpuSample().other_work()
    assert time.monotonic() - start >= MIN_SAMPLE_S


def test_a_late_question_takes_a_fresh_sample(monkeypatch) -> None:
    old = CpuSample()
    monkeypatch.setattr(CpuSample, "age_s", property(lambda self: 60.0 if self is old else 0.0))
    monkeypatch.setattr(other_work, "_since_import", old)
    asked = []
    monkeypatch.setattr(CpuSample, "other_work",
                        lambda self: asked.append(self) or other_work.OtherWork(0.0, 2))
    other_work.other_work()
    assert asked and asked[0] is not old
