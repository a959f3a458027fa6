"""CPU priorities. Work that runs beside a recording takes a lower one than the browsers being
recorded, so that on a busy machine a recording keeps the CPU it had (encoding videos, cutting
stills, drawing the report's figures); what answers a paint the moment it is drawn (the
damage listener and the X server it grabs from) takes a real-time one, where it may."""

from __future__ import annotations

import os
import threading

# How much less CPU priority such a thread takes than ours.
NICENESS = 10


def lower_priority() -> None:
    """The calling thread at NICENESS below ours."""
    try:  # Linux: a thread's own nice value, which what it runs (an encoder, matplotlib) has
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except (OSError, AttributeError):
        pass  # not Linux, or not allowed: at our own priority


def real_time(pid: int = 0) -> str:
    """Puts `pid` (0: the calling thread) at the lowest real-time priority, SCHED_FIFO 1, where
    it may, and says how it is scheduled. Such a process takes a CPU only when it has work, and
    then before any process of normal priority."""
    try:
        os.sched_setscheduler(pid, os.SCHED_FIFO, os.sched_param(1))
    except (OSError, AttributeError) as exc:  # no CAP_SYS_NICE, RLIMIT_RTPRIO 0, not Linux
        return f"normal priority (real-time refused: {exc})"
    return "real-time priority (SCHED_FIFO 1)"


def real_time_allowed() -> bool:
    """Whether this process may put a thread or child at real-time priority: asked of a thread
    started for it, which ends at once (root in a container may not, nor a user with
    RLIMIT_RTPRIO 0)."""
    allowed: list[bool] = []

    def ask() -> None:
        allowed.append(real_time().startswith("real-time"))

    thread = threading.Thread(target=ask, name="streamscope-real-time-check")
    thread.start()
    thread.join()
    return allowed == [True]
