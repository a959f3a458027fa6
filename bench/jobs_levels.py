"""How the verdicts and the DOM lag hold with N recordings at once (`streamscope run --jobs N`).

At each level N, the same set of lag streams (PER_ENGINE in every engine) is recorded on N lanes
through streamscope's own lanes (lanes.py): each lane a thread with its own driver, engines and,
with paint, display and ffmpeg. Per engine: each item's lag (server flush to DOM sample), and
how many recordings kept the verdict they have at N = 1 (every one of them is a progressive
stream). The machine's cores are shared by every lane's browsers, and by whatever else runs
there: the levels are measured in rounds (1, 2, 3, 4, then again), so that a busy minute
falls on every level alike, and each level records the load average it ran under.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.browsers import lag_url, lags_of
from bench.procs import BenchError, get_json
from bench.stats import percentile
from streamscope.config import Config
from streamscope.judge.verdict import judge
from streamscope.run.lanes import Job, record_jobs
from streamscope.run.options import RunOptions

LEVELS = ("1", "2", "3", "4")
PER_ENGINE = 4


@dataclass
class LevelFigures:
    lanes: int
    taking_turns: bool = False  # the lanes stream one at a time (turns.Turns), as repro's do
    wall_s: float = 0.0
    lags_ms: dict[str, list[float]] = field(default_factory=dict)
    incremental: dict[str, list[bool]] = field(default_factory=dict)  # each recording's headline
    # Filmed: the error bound each recording's paint timeline states (damage to grab, plus the
    # clocks'), the figure the paint bench holds to its target.
    paint_errors_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # recordings that gave no lag, and why
    # The machine's 1-minute load average as the level ended: its cores are shared with
    # whatever else runs there, and the lag shows it.
    load_1m: list[float] = field(default_factory=list)
    rounds: int = 0

    def summary(self, serial: LevelFigures | None) -> dict[str, Any]:
        engines = {}
        for name, lags in self.lags_ms.items():
            verdicts = self.incremental.get(name, [])
            errors = self.paint_errors_ms.get(name, [])
            baseline = serial.incremental.get(name, []) if serial else verdicts
            expected = max(set(baseline), key=baseline.count) if baseline else None
            engines[name] = {
                "lag_p50_ms": round(percentile(lags, 50), 2) if lags else None,
                "lag_p95_ms": round(percentile(lags, 95), 2) if lags else None,
                "lag_max_ms": round(max(lags), 2) if lags else None,
                "items": len(lags),
                "paint_error_p95_ms": round(percentile(errors, 95), 2) if errors else None,
                "paint_error_max_ms": round(max(errors), 2) if errors else None,
                "verdicts_as_serial": sum(v == expected for v in verdicts),
                "recordings": len(verdicts),
            }
        return {"level": f"{self.lanes}{'t' if self.taking_turns else ''}", "lanes": self.lanes,
                "taking_turns": self.taking_turns, "rounds": self.rounds,
                "wall_s": round(self.wall_s / max(self.rounds, 1), 1),
                "load_1m": round(sum(self.load_1m) / max(len(self.load_1m), 1), 2),
                "engines": engines, "errors": self.errors}


def measure_lanes(config: Config, names: Sequence[str], base_url: str, levels: Sequence[str],
                  rounds: int, paint: bool,
                  progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """`levels`: each a number of lanes, followed by `t` where the lanes take turns."""
    figures = {level: LevelFigures(int(level.removesuffix("t")), level.endswith("t"))
               for level in levels}
    for round_ in range(1, rounds + 1):
        for level in levels:
            turns = ", taking turns" if figures[level].taking_turns else ""
            progress(f"--jobs {figures[level].lanes}{turns} (round {round_} of {rounds}): "
                     f"{PER_ENGINE} lag streams in each of {', '.join(names)}"
                     f"{', filmed' if paint else ''}")
            _level(config, names, base_url, figures[level], paint)
    serial = figures.get("1")
    return [level.summary(serial) for level in figures.values()]


def _level(config: Config, names: Sequence[str], base_url: str, level: LevelFigures,
           paint: bool) -> None:
    runs = [(name, uuid.uuid4().hex) for name in names for _ in range(PER_ENGINE)]
    jobs = [Job(index, lag_url(base_url, run), name) for index, (name, run) in enumerate(runs)]
    with tempfile.TemporaryDirectory(prefix="streamscope-bench-") as media:
        started = time.perf_counter()
        # No wire capture: a second fetch of a run's URL would log a second set of flushes.
        options = RunOptions(config, media=Path(media) if paint else None, wire=False,
                             jobs=level.lanes, taking_turns=level.taking_turns)
        recordings = record_jobs(jobs, options)
        level.wall_s += time.perf_counter() - started
        level.load_1m.append(os.getloadavg()[0])
        level.rounds += 1
    for job, (name, run) in zip(jobs, runs, strict=True):
        recording = recordings[job.index]
        level.incremental.setdefault(name, []).append(judge(recording).incremental)
        if recording.paint is not None:
            level.paint_errors_ms.setdefault(name, []).append(recording.paint.error_ms)
        lags = level.lags_ms.setdefault(name, [])
        try:
            lags.extend(lags_of(recording, get_json(f"{base_url}/bench/flushes?run={run}"), name))
        except BenchError as exc:
            level.errors.append(str(exc))
