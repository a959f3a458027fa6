"""The virtual display an engine opens: its Xvfb answers a paint's grab before other work."""

import os

from streamscope.config import load_config
from streamscope.engines.display import Display
from streamscope.priority import real_time_allowed


def test_our_xvfb_runs_at_real_time_priority_where_this_machine_allows_it() -> None:
    display = Display.open(load_config(None).engine("chromium"))
    try:
        assert display.pid is not None
        policy = os.sched_getscheduler(display.pid)
        if real_time_allowed():
            assert policy == os.SCHED_FIFO
            assert display.priority == "real-time priority (SCHED_FIFO 1)"
        else:  # said, and the display still opens
            assert policy == os.SCHED_OTHER
            assert display.priority.startswith("normal priority (real-time refused")
    finally:
        display.close()
    assert display.pid is None
