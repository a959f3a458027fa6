"""Recording URL x engine jobs on lanes that run side by side: `streamscope run --jobs N`.

A lane records its jobs one after another, as a serial run does, in engines of its own, on a
thread of its own: Playwright's sync API drives a browser only from the thread that started
its driver (engines/playwright_driver.py keeps one per thread), and a paint capture films one
engine's own display, so lanes share no engine, driver or display. Each lane's engine opens
its own Xvfb when the screen is filmed; each recording has its own browser context (Playwright)
or session (WebDriver), as in a serial run. Captured frames are made into videos by one
VideoQueue beside the recordings (paint/video_queue.py), waited for before the run returns.

Jobs are planned so that engines start as few times as possible: one lane per engine while
there are lanes enough, then an engine's URLs split between lanes, each lane with its own
browser, never more lanes for an engine than its remote endpoint takes sessions. A screen that
is not the lane's own (--headed, a remote display) is filmed by one lane only. A serial run is
one lane, in the calling thread. Lanes take turns (turns.Turns): to begin their streams, one
after another's first content, or with --take-turns, to stream.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial

from streamscope.config import Config
from streamscope.deadline import Deadline
from streamscope.engines import Engine, EngineError, EngineInfo, create_engine, playwright_driver
from streamscope.errors import one_line
from streamscope.paint.video_queue import VideoQueue
from streamscope.prove.verify import FixReplay
from streamscope.record.dom_recorder import SYSTEM_CLOCK, Clock
from streamscope.record.pipeline import Pipeline
from streamscope.recording import Recording
from streamscope.run.options import RunOptions
from streamscope.run.record_and_verify import record_and_verify
from streamscope.run.turns import JOIN_POLL_S, CancellableClock, Cancelled, Turns

# Every recording so far, by job index, each time one is stored or its replay is: called
# under the run's lock, one call at a time, from the lane that stored it.
Stored = Callable[[dict[int, Recording]], None]

# How long an interrupted run waits for its lanes to end their recordings and engines.
CANCEL_GRACE_S = 30.0


@dataclass(frozen=True)
class Job:
    index: int  # its place in the run: a video is numbered by it
    url: str
    browser: str


class SharedScreenError(ValueError):
    """Recordings that would film one shared screen were asked to run side by side."""


def one_screen_error(fix: str) -> str:
    """Why recordings that film one shared screen cannot run side by side."""
    return ("a shared screen (--headed, or a remote display) shows one window at a time: film "
            f"it with {fix}, or record the DOM only (no paint)")


def plan_lanes(jobs: Sequence[Job], lanes: int,
               limits: Mapping[str, int | None]) -> list[list[Job]]:
    """At most `lanes` lists of jobs, each recorded in order; an engine's jobs go to as few
    lanes as keep every lane busy, and to no more than its limit (None: no limit)."""
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        groups.setdefault(job.browser, []).append(job)
    if lanes < len(groups):  # whole engines to lanes, the largest first to the least loaded
        bins: list[list[Job]] = [[] for _ in range(lanes)]
        for group in sorted(groups.values(), key=len, reverse=True):
            min(bins, key=len).extend(group)
        return [lane for lane in bins if lane]
    shares = dict.fromkeys(groups, 1)

    def room(browser: str) -> bool:
        most = min(len(groups[browser]), limits.get(browser) or len(groups[browser]))
        return shares[browser] < most

    for _ in range(lanes - len(groups)):
        open_ = [browser for browser in groups if room(browser)]
        if not open_:
            break
        shares[max(open_, key=lambda b: len(groups[b]) / shares[b])] += 1
    return [part for browser, group in groups.items() for part in _split(group, shares[browser])]


def _split(group: list[Job], parts: int) -> list[list[Job]]:
    size, extra = divmod(len(group), parts)
    chunks, start = [], 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        chunks.append(group[start:end])
        start = end
    return chunks


class _Lanes:
    """What the lanes of one run share: the recordings, the engines that could not start, the
    progress count and, where they take turns, the turns."""

    def __init__(self, options: RunOptions, total: int, *, clock: Clock, lanes: int,
                 replays: dict[int, FixReplay] | None, stored: Stored | None,
                 recorded: Stored | None, videos: VideoQueue | None,
                 cancelled: threading.Event | None) -> None:
        self.options, self.total, self.clock, self.videos = options, total, clock, videos
        self.replays, self.stored, self.recorded = replays, stored, recorded
        self._stops = [event for event in (cancelled, options.stop) if event is not None]
        self.recordings: dict[int, Recording] = {}
        self._done = 0  # jobs done, their replays included
        self._failed: dict[str, str] = {}  # browser -> why it could not start
        self._lock = threading.Lock()
        # Several lanes take turns to stream (--take-turns), or to begin (--jobs).
        self._turns = (Turns(lanes, self.cancelled,
                             until="over" if options.taking_turns else "begun")
                       if lanes > 1 else None)

    def cancelled(self) -> bool:
        return any(event.is_set() for event in self._stops)

    def record_lane(self, jobs: Sequence[Job]) -> None:
        """Records `jobs` in order; an engine starts when its first job comes, and stops when
        the lane moves on to another engine or ends, also on failure or interruption. The
        lane's Playwright driver serves every engine it starts."""
        with playwright_driver.kept():
            self._record_lane(jobs)

    def _record_lane(self, jobs: Sequence[Job]) -> None:
        engine: Engine | None = None
        pipeline: Pipeline | None = None
        turns = self._turns
        finished = False  # told to the turns
        try:
            for job in jobs:
                if self.cancelled():
                    raise Cancelled
                if engine is None or engine.name != job.browser:
                    _stop(engine, pipeline)
                    engine, pipeline = None, None
                    engine = self._start(job.browser)
                    pipeline = (Pipeline(engine, self.options.config, self.clock, self.videos,
                                         turns.turn if turns else nullcontext)
                                if engine else None)
                if pipeline is None:
                    self._store(job, _failed(job, self._failed[job.browser]))
                    self._job_done()
                    continue
                self._report(job)
                media = self.options.media
                video = (media / f"{job.index + 1:02d}-{job.browser}.webm"
                         if media is not None else None)
                _, replay = record_and_verify(
                    pipeline, job.url, self.options, video=video, replays_in=media,
                    prefix=f"{job.index + 1:02d}-",
                    recorded=partial(self._store, job))
                if replay is not None and self.replays is not None:
                    with self._lock:
                        if self.cancelled():
                            raise Cancelled
                        self.replays[job.index] = replay
                        self._stored()
                self._job_done()
            if turns is not None:  # the engine stops beside no page that streams
                turns.finished()
                finished = True
                turns.all_finished()
        finally:
            if turns is not None and not finished:  # a lane that failed holds no other up
                turns.finished()
            _stop(engine, pipeline)

    def _start(self, browser: str) -> Engine | None:
        with self._lock:
            if browser in self._failed:
                return None
        try:
            engine = create_engine(self.options.config.engine(browser, headed=self.options.headed),
                                   window=self.options.media is not None)
            engine.start()
        except EngineError as exc:
            with self._lock:
                self._failed.setdefault(browser, one_line(exc))
            return None
        return engine

    def _report(self, job: Job) -> None:
        if self.options.progress is not None:
            with self._lock:
                self.options.progress(len(self.recordings), self.total, job.url, job.browser)

    def _store(self, job: Job, recording: Recording) -> None:
        with self._lock:
            if self.cancelled():
                return  # ended by the interruption, not finished
            self.recordings[job.index] = recording
            self._stored()

    def _stored(self) -> None:
        if self.stored is not None:
            self.stored(dict(self.recordings))

    def _job_done(self) -> None:
        with self._lock:
            self._done += 1
            if self._done < self.total or self.recorded is None or self.cancelled():
                return
            self.recorded(dict(self.recordings))


def _stop(engine: Engine | None, pipeline: Pipeline | None) -> None:
    try:
        if pipeline is not None:
            pipeline.close()
    finally:
        if engine is not None:
            engine.stop()


def _failed(job: Job, error: str) -> Recording:
    info = EngineInfo(name=job.browser, engine="", product="", version="", launcher="")
    return Recording(url=job.url, engine=info, error=error)


def record_jobs(jobs: Sequence[Job], options: RunOptions, *,
                replays: dict[int, FixReplay] | None = None, stored: Stored | None = None,
                recorded: Stored | None = None) -> dict[int, Recording]:
    """Every job's recording, by job index, recorded on up to options.jobs lanes at once.

    The lanes begin their streams one at a time (turns.Turns). Where they take turns to stream
    (options.taking_turns), only their engines' launches and each page's set-up run beside a
    page that streams; on a shared screen, which shows one window at a time, the jobs are
    recorded on one lane instead.

    `replays`: where given (options.verify_fixes), each held recording whose fix the harness
    can apply is replayed with it (verify.py) and the result kept there, by job index.
    `stored`: told of every recording so far each time one, or its replay, is stored.
    `recorded`: told of them all once the last is stored, its replay too, while the engines
    stop and the last videos are written (a report can begin; it must not block). With
    options.media, every video is written by the time this returns; one that could not be
    costs its recording the paint, as a failed paint analysis does.

    Ctrl-C or SIGTERM in the calling thread stops every lane within a poll or an engine start:
    each ends its recording, page and engine (display included) before the interruption goes on.
    So does options.stop, set from outside (interrupts.py sets it on a signal): a signal can reach
    the calling thread inside the automation library, which may take it for a failed call. From
    then on nothing more is stored, as a recording cut short by the interruption is not a
    finished one, and the run raises Cancelled.
    """
    settings = {job.browser: options.config.engine(job.browser).settings for job in jobs}
    lanes = options.jobs
    if options.media is not None and lanes > 1 and shares_a_screen(
            options.config, list(settings), headed=options.headed):
        if options.taking_turns:
            lanes = 1
        else:
            raise SharedScreenError(one_screen_error("--jobs 1"))
    limits = {browser: s.concurrent_sessions() for browser, s in settings.items()}
    plan = plan_lanes(jobs, lanes, limits)
    videos = VideoQueue(options.after_video) if options.media is not None else None
    stop = options.stop
    try:
        recordings = _record_planned(plan, options, len(jobs), replays=replays, stored=stored,
                                     recorded=recorded, videos=videos)
        if stop is not None and stop.is_set():
            raise Cancelled
        failed = videos.wait() if videos is not None else {}
    except BaseException:
        if videos is not None:
            videos.close(cancel=True)
        raise
    if videos is not None:
        videos.close()
    for recording in recordings.values():
        if recording.paint is not None and recording.paint.video in failed:
            recording.lose_paint(failed[recording.paint.video])
    return recordings


def shares_a_screen(config: Config, browsers: Iterable[str], *, headed: bool) -> bool:
    """Whether filming `browsers` films a screen that shows one window at a time (the host's,
    headed, or a remote display), where lanes cannot each film their own."""
    return headed or any(config.engine(browser).settings.remote_screen for browser in browsers)


def _record_planned(plan: list[list[Job]], options: RunOptions, total: int, *,
                    replays: dict[int, FixReplay] | None, stored: Stored | None,
                    recorded: Stored | None, videos: VideoQueue | None) -> dict[int, Recording]:
    """The lanes of `plan`, recorded: a serial run in this thread, else a thread a lane."""
    stop = options.stop
    if len(plan) <= 1:
        run = _Lanes(options, total, clock=SYSTEM_CLOCK if stop is None else CancellableClock(stop),
                     lanes=1, replays=replays, stored=stored, recorded=recorded, videos=videos,
                     cancelled=None)
        run.record_lane(plan[0] if plan else [])
        return run.recordings
    cancelled = threading.Event()  # ours: a lane's bug sets it too, and is no interruption
    run = _Lanes(options, total, clock=CancellableClock(cancelled), lanes=len(plan),
                 replays=replays, stored=stored, recorded=recorded, videos=videos,
                 cancelled=cancelled)
    errors: list[BaseException] = []

    def lane(jobs: list[Job]) -> None:
        try:
            run.record_lane(jobs)
        except Cancelled:
            pass
        except BaseException as exc:  # a bug, not a page's error: the run stops with it
            errors.append(exc)
            cancelled.set()

    threads = [threading.Thread(target=lane, args=(jobs,), name=f"streamscope-lane-{n}",
                                daemon=True) for n, jobs in enumerate(plan, start=1)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(JOIN_POLL_S)
                if stop is not None and stop.is_set():
                    raise Cancelled
    except BaseException:
        cancelled.set()
        grace = Deadline(CANCEL_GRACE_S)
        for thread in threads:
            if thread.ident is not None:  # started
                thread.join(grace.left_s())
        raise
    if errors:
        raise errors[0]
    return run.recordings
