"""CPU priorities: real-time for what answers a paint, where this machine allows it."""

import os

from streamscope import priority


def test_real_time_priority_is_allowed_where_a_thread_can_take_it() -> None:
    # As the damage listener and Xvfb take it (priority.real_time); the asking thread ends.
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
    except OSError:
        expected = False
    else:
        expected = True
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    assert priority.real_time_allowed() is expected
    assert os.sched_getscheduler(0) == os.SCHED_OTHER
