"""The soak's arithmetic, pure: what a window of recordings left behind, what grew, what held.

A Snapshot is taken before the soak and after each window of recordings (bench/soak.py), when
no recording runs: every engine of the window has stopped, so whatever of them is still there
was left behind. Growth compares the last window with the first after the warm-up.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

# The targets: nothing grows after the warm-up, nothing is left behind, every verdict holds.
RSS_GROWTH_MAX_PCT = 10.0
WALL_RATIO_MAX = 1.10
LEAKS = ("processes", "fds", "files", "displays")


@dataclass(frozen=True)
class Snapshot:
    """What the soak's process holds at one moment, between windows."""

    recordings: int  # recorded so far, the first pass's included
    wall_s: float  # since the soak began
    rss_mib: float  # the soak's own process: streamscope runs in it
    fds: int  # its open file descriptors
    processes: int  # running processes it started, orphans included (the server among them)
    files: int  # files and folders in its temporary folder
    displays: int  # running Xvfb servers it started
    threads: int  # its threads (not a target: one that ends late holds what it had open)
    load_1m: float  # the machine's load average: its cores are shared


@dataclass(frozen=True)
class Window:
    """The recordings between two snapshots."""

    first: int  # the number of its first recording, from 1
    last: int
    wall_per_recording_s: float
    # The median of the RSS sampled through the window: one reading at its end moves by 10 %
    # with whatever a lane's thread held as it ended.
    rss_median_mib: float
    end: Snapshot


def window(before: Snapshot, after: Snapshot, rss_mib: Sequence[float]) -> Window:
    """The window from `before` to `after`; `rss_mib`: the RSS sampled through it."""
    count = after.recordings - before.recordings
    if count <= 0:
        raise ValueError("a window holds no recordings")
    return Window(before.recordings + 1, after.recordings,
                  (after.wall_s - before.wall_s) / count,
                  round(statistics.median([*rss_mib, after.rss_mib]), 1), after)


def leaked(start: Snapshot, end: Snapshot) -> dict[str, int]:
    """What is there at the end beyond what was there at the start, for each kind in LEAKS."""
    return {kind: max(getattr(end, kind) - getattr(start, kind), 0) for kind in LEAKS}


def growth_pct(first: float, last: float) -> float:
    """How much `last` is above `first`, in % of it (negative: below)."""
    if first <= 0:
        raise ValueError(f"no growth from {first}")
    return (last - first) / first * 100


def changed_verdicts(reference: Mapping[Any, Any], soaked: Sequence[tuple[Any, Any]]) -> list[int]:
    """Where in `soaked`, (key, verdict) pairs, a verdict is not the first pass's for its key
    (`reference`); a key the first pass did not record counts as changed."""
    return [index for index, (key, verdict) in enumerate(soaked)
            if key not in reference or reference[key] != verdict]


@dataclass(frozen=True)
class Figures:
    recordings: int  # the soak's, after the first pass
    jobs: int
    verdicts_stable: bool
    leaked: dict[str, int]
    rss_growth_pct: float
    wall_ratio: float

    def misses(self) -> list[str]:
        """The targets missed, each in words; none when all are met."""
        missed = [f"{count} {kind} left behind" for kind, count in self.leaked.items() if count]
        if self.rss_growth_pct > RSS_GROWTH_MAX_PCT:
            missed.append(f"RSS grew {self.rss_growth_pct:.1f} % (target: within "
                          f"{RSS_GROWTH_MAX_PCT:g} %)")
        if self.wall_ratio > WALL_RATIO_MAX:
            missed.append(f"wall time per recording x{self.wall_ratio:.2f} (target: at most "
                          f"x{WALL_RATIO_MAX:.2f})")
        if not self.verdicts_stable:
            missed.append("verdicts changed from the first pass")
        return missed


def figures(windows: Sequence[Window], start: Snapshot, *, jobs: int,
            verdicts_stable: bool) -> Figures:
    """The soak's figures: `windows` after the warm-up, in order; `start`, before anything."""
    if not windows:
        raise ValueError("no window was recorded")
    first, last = windows[0], windows[-1]
    return Figures(
        recordings=sum(w.last - w.first + 1 for w in windows),
        jobs=jobs,
        verdicts_stable=verdicts_stable,
        leaked=leaked(start, last.end),
        rss_growth_pct=round(growth_pct(first.rss_median_mib, last.rss_median_mib), 2),
        wall_ratio=round(last.wall_per_recording_s / first.wall_per_recording_s, 3),
    )


def to_json(result: Figures, windows: Sequence[Window], start: Snapshot,
            changed: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The --json document: the issue's fields first, then what they were computed from."""
    return {**asdict(result), "targets_met": not result.misses(), "misses": result.misses(),
            "start": asdict(start), "windows": [asdict(w) for w in windows],
            "changed_verdicts": list(changed)}
