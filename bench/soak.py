"""The soak: `python -m bench.soak --recordings N --jobs J [--json FILE]`.

Records a mix of pages (PAGES: streamed, sent at once, held by gzip, never ending, a 404, a
redirect, a page that navigates itself away, a busy main thread) in every engine, over and
over, through the pipeline a user's run takes: record_runs on J lanes, each window of
recordings one `streamscope run` of the mix, filmed, with its videos in a temporary media
folder. A first pass over the mix is the warm-up and the reference every later verdict is
compared with. After each window, when no engine runs, it prints what the process holds:
wall time per recording, its RSS, open file descriptors, the processes it started (orphans
too), files in its temporary folder, Xvfb displays. At the end: what was left behind, what
grew from the first window to the last, which verdicts changed, and the targets each figure
is held to (soak_figures.py); it exits 1 when one is missed.

The soak's processes are told from other runs' on a shared machine by the temporary folder
they inherit (TMPDIR, a fresh one for the soak): a browser orphaned by its driver still has it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import click
import psutil

from bench import soak_figures
from bench.procs import BenchError, python_server
from bench.soak_figures import Figures, Snapshot, Window
from streamscope.config import Config, load_config
from streamscope.engines import ENGINE_NAMES
from streamscope.engines.processes import still_running
from streamscope.errors import one_line
from streamscope.report.media import media_folder
from streamscope.run import interrupts
from streamscope.run.interrupts import run_interruptibly
from streamscope.run.malloc_arenas import cap_malloc_arenas
from streamscope.run.options import RunOptions
from streamscope.run.runs import Run, record_runs

# The mix, by what each page models; served by `python -m bench.apps` (the demo app and the
# bench's own pages). The never-ending page ends at the soak's --timeout.
PAGES = {
    "streamed": "/probe?count=6&delay=0.25",
    "sent at once": "/bench/buffered?count=6&delay=0.25",
    "gzip held": "/probe?count=6&delay=0.25&gzip=buffer",
    "never ends": "/probe?count=1000000&delay=0.5",
    "404": "/bench/no-such-page",
    "redirect": "/bench/redirect",
    "navigates away": "/bench/leaves",
    "busy main thread": "/bench/busy",
}
RSS_EVERY_S = 0.5
WINDOW = 50  # recordings a window holds, about: whole rounds of the mix, so every one is alike
MIB = 1024 * 1024

Verdict = tuple[bool, str, bool]  # headline, cause, whether it was recorded at all


class Judged(NamedTuple):
    """What the soak keeps of a run: its verdict, and what it says. Not the run: 300 of those,
    timelines and bodies and all, would be the growth the soak measures."""

    page: str
    engine: str
    verdict: Verdict
    why: str  # the error where nothing was recorded, else the verdict's reason

    @classmethod
    def of(cls, run: Run, page: str) -> Judged:
        verdict = run.verdict.incremental, run.verdict.cause, run.recording.error is None
        return cls(page, run.recording.browser, verdict,
                   run.recording.error or run.verdict.reason)


class Soak:
    """One soak's recordings and snapshots, in its own temporary folder."""

    def __init__(self, config: Config, browsers: Sequence[str], jobs: int,
                 temporary: Path, say: Callable[[str], None]) -> None:
        self.config, self.browsers, self.jobs = config, browsers, jobs
        self.temporary, self.say = temporary, say
        self.recorded = 0
        self._began = time.monotonic()
        self._rss: list[float] = []  # sampled since the last snapshot
        self._sampling = threading.Event()
        threading.Thread(target=self._sample_rss, name="soak-rss", daemon=True).start()

    def _sample_rss(self) -> None:
        process = psutil.Process()
        while not self._sampling.wait(RSS_EVERY_S):
            self._rss.append(process.memory_info().rss / MIB)

    def rss_since_snapshot(self) -> list[float]:
        """The RSS samples since this was last asked, in MiB."""
        taken, self._rss = self._rss, []
        return taken

    def stop(self) -> None:
        self._sampling.set()

    def record(self, urls: Sequence[str]) -> list[Run]:
        """Every URL in every engine, as `streamscope run --jobs J` records them, filmed."""
        with media_folder(None) as media:
            options = RunOptions(self.config, media=media, jobs=self.jobs,
                                 stop=interrupts.requested_from_now())
            runs = record_runs(urls, self.browsers, options)
        self.recorded += len(runs)
        return runs

    def snapshot(self) -> Snapshot:
        ours = self._processes()
        return Snapshot(
            recordings=self.recorded,
            wall_s=round(time.monotonic() - self._began, 3),
            rss_mib=round(psutil.Process().memory_info().rss / MIB, 1),
            fds=len(os.listdir("/proc/self/fd")),
            processes=len(ours),
            files=sum(len(dirs) + len(files) for _, dirs, files in os.walk(self.temporary)),
            displays=sum(_name(process) == "Xvfb" for process in ours),
            threads=threading.active_count(),
            load_1m=round(os.getloadavg()[0], 2),
        )

    def _processes(self) -> list[psutil.Process]:
        """Every running process but this one that has the soak's temporary folder."""
        ours = []
        for process in psutil.process_iter():
            if process.pid == os.getpid():
                continue
            try:
                if process.environ().get("TMPDIR") == str(self.temporary):
                    ours.append(process)
            except psutil.Error:
                continue  # gone, or another user's
        return still_running(ours)


def _open_files() -> set[str]:
    """What this process's file descriptors point at, each with its number."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add(f"{fd} -> {os.readlink(f'/proc/self/fd/{fd}')}")
        except OSError:
            continue  # the listing's own, closed by now
    return found


def _name(process: psutil.Process) -> str:
    try:
        name: str = process.name()  # psutil has no types
    except psutil.Error:
        return ""
    return name


def soak(config: Config, browsers: Sequence[str], recordings: int, jobs: int,
         temporary: Path, say: Callable[[str], None]) -> dict[str, object]:
    """The soak's --json document; prints each window as it ends."""
    run = Soak(config, browsers, jobs, temporary, say)
    with python_server("bench.apps") as (_, root):
        labels = {root + path: label for label, path in PAGES.items()}
        start = run.snapshot()
        run.rss_since_snapshot()
        open_at_start = _open_files()
        say(f"first pass: {len(PAGES)} pages x {len(browsers)} engines, on {jobs} lanes")
        first = {(judged.page, judged.engine): judged for judged in
                 (Judged.of(r, labels[r.recording.url]) for r in run.record(list(labels)))}
        rounds = max(1, round(WINDOW / len(first)))
        previous = run.snapshot()
        _print_window(say, soak_figures.window(start, previous, run.rss_since_snapshot()),
                      "first pass")
        windows: list[Window] = []
        soaked: list[Judged] = []
        while len(soaked) < recordings:
            soaked += [Judged.of(r, labels[r.recording.url])
                       for r in run.record(list(labels) * rounds)]
            now = run.snapshot()
            windows.append(soak_figures.window(previous, now, run.rss_since_snapshot()))
            _print_window(say, windows[-1])
            previous = now
        for target in sorted(_open_files() - open_at_start):
            say(f"open since the start: {target}")
    run.stop()
    changed = _changes(first, soaked)
    result = soak_figures.figures(windows, start, jobs=jobs, verdicts_stable=not changed)
    _print_result(say, result, changed)
    return soak_figures.to_json(result, windows, start, changed)


def _changes(first: dict[tuple[str, str], Judged],
             soaked: Sequence[Judged]) -> list[dict[str, object]]:
    """Each recording of the soak whose verdict is not the first pass's, with both."""
    changed = soak_figures.changed_verdicts(
        {key: judged.verdict for key, judged in first.items()},
        [((judged.page, judged.engine), judged.verdict) for judged in soaked])
    return [{"page": later.page, "engine": later.engine,
             "first": list(before.verdict), "first_why": before.why,
             "soak": list(later.verdict), "soak_why": later.why}
            for later in (soaked[index] for index in changed)
            for before in [first[(later.page, later.engine)]]]


def _print_window(say: Callable[[str], None], window: Window, label: str = "") -> None:
    end = window.end
    say(f"{label or f'recordings {window.first}-{window.last}'}: "
        f"{window.wall_per_recording_s:.2f} s a recording, RSS {end.rss_mib:.0f} MiB "
        f"(median {window.rss_median_mib:.0f}), "
        f"{end.fds} fds, {end.processes} processes, {end.files} temporary files, "
        f"{end.displays} displays, {end.threads} threads (load {end.load_1m:.2f})")


def _print_result(say: Callable[[str], None], result: Figures,
                  changed: Sequence[dict[str, object]]) -> None:
    say(f"{result.recordings} recordings on {result.jobs} lanes after the first pass: "
        f"RSS {result.rss_growth_pct:+.1f} % (target: within "
        f"{soak_figures.RSS_GROWTH_MAX_PCT:g} %), wall time per recording "
        f"x{result.wall_ratio:.3f} (target: at most x{soak_figures.WALL_RATIO_MAX:.2f}), "
        f"left behind: " + ", ".join(f"{n} {kind}" for kind, n in result.leaked.items())
        + " (target: none)")
    alike: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for change in changed:  # each kind of change once, with how often, and its first instance
        kind = tuple(str(change[part]) for part in ("page", "engine", "first", "soak"))
        alike.setdefault(kind, []).append(change)
    for (page, engine, before, after), instances in alike.items():
        say(f"verdict changed {len(instances)} times: {page} in {engine}: {before} in the "
            f"first pass ({instances[0]['first_why']}), {after} in the soak, the first time "
            f"({instances[0]['soak_why']})")
    say(f"verdicts: {'all' if not changed else 'NOT all'} as in the first pass")
    for miss in result.misses():
        say(f"target missed: {miss}")


@click.command()
@click.option("--recordings", default=300, show_default=True, type=click.IntRange(1, 100_000),
              help="Recordings after the first pass, in whole windows of the page mix.")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Lanes: recordings at once, as `streamscope run --jobs`.")
@click.option("--timeout", "timeout_s", default=4.0, show_default=True,
              type=click.FloatRange(1.0, 60.0), help="Each recording's time limit (s): where "
              "the never-ending page ends.")
@click.option("--browser", "browsers", multiple=True, type=click.Choice(ENGINE_NAMES),
              help="An engine to soak; repeat for several. Default: all three.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the figures here as JSON.")
def main(recordings: int, jobs: int, timeout_s: float, browsers: Sequence[str],
         json_path: Path | None) -> None:
    """Record the page mix over and over; say what was left behind, what grew, what changed."""
    cap_malloc_arenas()  # as `streamscope` does as it starts: the soak is a user's long run
    temporary = Path(tempfile.mkdtemp(prefix="streamscope-soak-"))
    # Everything started from here on has it (os.environ), and so can be told as the soak's.
    os.environ["TMPDIR"] = str(temporary)
    tempfile.tempdir = None
    try:
        config = load_config().with_timeout(timeout_s)
        document = soak(config, browsers or ENGINE_NAMES, recordings, jobs, temporary,
                        lambda line: click.echo(line, err=True))
    except BenchError as exc:
        click.echo(f"soak: error: {one_line(exc)}", err=True)
        sys.exit(1)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    if json_path is not None:
        json_path.write_text(json.dumps(document, indent=2) + "\n")
    sys.exit(0 if document["targets_met"] else 1)


if __name__ == "__main__":
    # Ctrl-C and SIGTERM end the soak as they end a run: every process it started ends too.
    run_interruptibly(main)
