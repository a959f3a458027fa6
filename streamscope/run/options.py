"""A run's options: what the CLI, the plugin and the bench ask of a run, built once by each
and read by every step below it (runs.record_runs, lanes.record_jobs, record_and_verify)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from streamscope.config import Config
from streamscope.priority import real_time_allowed
from streamscope.prove.thresholds.first_need import Note
from streamscope.run.other_work import OtherWork

# (recordings done, recordings in all, url, browser) before each recording starts.
Progress = Callable[[int, int, str, str], None]


@dataclass(frozen=True)
class RunOptions:
    """How a run records, and whom it tells as it goes.

    `media`: where each recording is filmed to, one numbered WebM each (the engines run in a
    window); None: the DOM only. `wire`: fetch each URL beside the browser too
    (record/pipeline.py), unless the server must see one request per recording.
    `verify_fixes`: replay each held recording whose fix the harness can apply, with it
    (prove/verify.py). `jobs`: recordings at once, each lane with engines of its own;
    `taking_turns`: the lanes take turns to stream, one page at a time (turns.Turns).
    `progress`: told before each recording; `note`: told, a line at a time, of what the run
    does besides recording (a threshold measured on first need); `after_video`: called with
    each video as it is written, beside the recordings that follow. `stop`: once set (on a
    signal, interrupts.py), the run stores nothing more and raises turns.Cancelled.
    """

    config: Config
    media: Path | None = None
    headed: bool = False
    wire: bool = True
    verify_fixes: bool = False
    jobs: int = 1
    taking_turns: bool = False
    progress: Progress | None = None
    note: Note | None = None
    after_video: Callable[[Path], None] | None = None
    stop: threading.Event | None = None


# Other processes using more of the CPU than this make a machine busy: taking turns then
# costs fidelity (DefaultSchedule).
BUSY_CORES = 0.5


@dataclass(frozen=True)
class DefaultSchedule:
    """Whether a run of several engines, one recording at a time (--jobs 1), on screens of
    their own, takes turns (--take-turns) unless told, and what decided it.

    It does where the paint capture may run at real-time priority (the damage listener and
    the Xvfb it grabs from; streamscope/priority.py) and other processes leave the machine
    quiet. Taking turns held every fidelity figure at rest; beside four busy loops on 2 cores
    (load 6), the paint error still, but not Firefox's DOM lag (p95 44 against 21 ms one engine
    after another); without real-time priority, a stream that began beside another lane's
    set-up waited for the CPU (README, "How long a run takes").
    """

    others: OtherWork
    real_time: bool

    @classmethod
    def now(cls, others: OtherWork) -> DefaultSchedule:
        return cls(others, real_time_allowed())

    @property
    def busy(self) -> bool:
        return self.others.cores >= BUSY_CORES

    @property
    def taking_turns(self) -> bool:
        return self.real_time and not self.busy
