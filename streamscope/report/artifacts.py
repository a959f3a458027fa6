"""Files a run leaves beside its recordings: screen videos, and filmstrip stills cut from them.

Each cut is an ffmpeg or two run on one video (0.2 to 0.9 s), so a report's are cut a few at
a time, each video's final screen once: it is both the still of the end and what tells the
part of the page the filmstrip shows. A run can have that one cut as soon as each video is
written, and a URL's filmstrips as soon as every run of it is (StillsAhead), beside the
recordings that follow: a filmstrip waits for every run of its URL, whose times and part of
the page it shares.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

from streamscope import paint as film
from streamscope.paint.video_frames import Region
from streamscope.recording import PaintTimeline, Recording
from streamscope.report import Artifacts
from streamscope.report.inputs import ArtifactKey, artifact_keys
from streamscope.run.runs import Run

# A name of streamscope's own: the folder is emptied at every run into the same report.
MEDIA_FOLDER = "streamscope-media"
# ffmpeg processes at once: one a core, the browsers having ended.
CUTS_AT_ONCE = os.cpu_count() or 2
FINAL_STILL = "final.png"

Item = TypeVar("Item")
Result = TypeVar("Result")


@contextmanager
def media_folder(report_dir: Path | None) -> Iterator[Path]:
    """Where videos go: inside the report when there is one, else a folder removed afterwards.

    The report's media folder is emptied first, so that no earlier run's file stays behind;
    it is named for streamscope, so that `--report .` deletes nothing of anyone else's.
    """
    if report_dir is not None:
        media = report_dir / MEDIA_FOLDER
        shutil.rmtree(media, ignore_errors=True)
        media.mkdir(parents=True)
        yield media
        return
    with tempfile.TemporaryDirectory(prefix="streamscope-") as folder:
        yield Path(folder)


def find_videos(runs: Sequence[Run], beside: Path) -> None:
    """Points each run at its video where the path it names is gone but a file of that name is
    in the media folder beside its JSON: a report folder that was moved, or downloaded from CI."""
    for run in runs:
        paint = run.recording.paint
        if paint is None or paint.video is None or Path(paint.video).is_file():
            continue
        moved = beside / MEDIA_FOLDER / Path(paint.video).name
        if moved.is_file():
            run.recording.paint = replace(paint, video=str(moved.resolve()))


@dataclass(frozen=True)
class _Strip:
    """One run's filmstrip, all it is cut from: the same strip whether cut early or late."""

    video: Path
    offset_ms: float  # the video's start on the page clock
    times: tuple[float, ...]
    region: Region
    folder: Path
    final: Path | None


class StillsAhead:
    """A report's stills, cut while the recordings go on: each video's final screen as soon as
    the video is written, and a URL's filmstrips as soon as every run of it is finished and
    each of their videos written (the strips of a URL share their times and part of the
    page). A run hands `runs_finished` to record_runs and `cut` to its VideoQueue, which calls
    it on its own thread and priority; report_artifacts takes what is cut and cuts the rest.

    A URL's last video is nearly always written after its run is stored (its encoding takes
    0.2 s and more, storing a few ms); where it is not, its strips are cut with the report.
    """

    def __init__(self, stills: Path, runs_per_url: Mapping[str, int] | None = None) -> None:
        """`runs_per_url`: how many runs each URL will have; None: no strip is cut early."""
        self.stills = stills
        self._expected = dict(runs_per_url or {})
        self._finals: dict[str, Path | None] = {}
        self._contents: dict[Path, Region | None] = {}  # each final screen's content box
        self._strips: dict[_Strip, Artifacts | None] = {}
        self._runs: dict[str, list[Run]] = {}  # the runs finished so far, by URL
        self._begun: set[str] = set()  # URLs whose strips are cut, or being cut
        self._lock = threading.Lock()

    def runs_finished(self, runs: Sequence[Run]) -> None:
        """Every run finished so far."""
        by_url: dict[str, list[Run]] = {}
        for run in runs:
            by_url.setdefault(run.recording.url, []).append(run)
        with self._lock:
            self._runs = by_url

    def cut(self, video: Path) -> None:
        """`video` is written: its final screen, and the strips of the URL it completes."""
        final = _final_still(video, self.stills / video.stem)
        content = _content(final)
        with self._lock:
            self._finals[str(video)] = final
            if final is not None:
                self._contents[final] = content
            complete = [runs for url, runs in self._runs.items() if self._complete(url, runs)]
            self._begun.update(runs[0].recording.url for runs in complete)
        for runs in complete:  # one at a time: the browsers being recorded need the CPU
            for _, strip in _strips(runs, self.stills, self):
                cut = _cut(strip)
                with self._lock:
                    self._strips[strip] = cut

    def final(self, video: Path, folder: Path) -> Path | None:
        """The final screen of `video` in `folder`, cut now unless it was already."""
        with self._lock:
            known = str(video) in self._finals and folder == self.stills / video.stem
            final = self._finals.get(str(video))
        return final if known else _final_still(video, folder)

    def content(self, final: Path | None) -> Region | None:
        """Where the final screen `final` shows content, read now unless it was already."""
        with self._lock:
            if final in self._contents:
                return self._contents[final]
        return _content(final)

    def strip(self, strip: _Strip) -> Artifacts | None:
        """The filmstrip `strip` describes, cut now unless it was already."""
        with self._lock:
            if strip in self._strips:
                return self._strips[strip]
        return _cut(strip)

    def _complete(self, url: str, runs: list[Run]) -> bool:
        """Every run of `url` finished, and every video of them written (under the lock)."""
        videos = [paint.video for run in runs if (paint := _filmed(run.recording.paint))]
        return (url not in self._begun and len(runs) == self._expected.get(url)
                and all(video in self._finals for video in videos))


def report_artifacts(runs: Sequence[Run], stills: Path,
                     ahead: StillsAhead | None = None) -> dict[ArtifactKey, Artifacts]:
    """Video and filmstrip for each run, by its key (a URL given twice has two takes in each
    engine, report/inputs.py). Every engine's strip of a URL uses the same times and
    the same part of the page: the top-left region that holds what any engine showed.
    `ahead`: the stills cut already, as the recordings went on."""
    known = ahead or StillsAhead(stills)
    strips = _strips(runs, stills, known)
    cuts = _at_once(lambda item: known.strip(item[1]), strips)
    keys = {id(run): key for run, key in zip(runs, artifact_keys(runs), strict=True)}
    return {keys[id(run)]: cut for (run, _), cut in zip(strips, cuts, strict=True)
            if cut is not None}


def _strips(runs: Sequence[Run], stills: Path, known: StillsAhead) -> list[tuple[Run, _Strip]]:
    """Each filmed run's filmstrip, from the final screens `known` has or cuts."""
    filmed = [(run, paint, stills / Path(paint.video or "").stem) for run in runs
              if (paint := _filmed(run.recording.paint)) is not None]
    finals = _at_once(lambda item: known.final(Path(item[1].video or ""), item[2]), filmed)
    strips: list[tuple[Run, _Strip]] = []
    for url in dict.fromkeys(run.recording.url for run in runs):
        of_url = [(item, final) for item, final in zip(filmed, finals, strict=True)
                  if item[0].recording.url == url]
        ends = [_strip_end_ms(run.recording) for (run, _, _), _ in of_url]
        times = tuple(film.filmstrip_times(max(ends, default=0.0)))
        region = film.reading_region(
            [box for _, final in of_url if (box := known.content(final)) is not None])
        strips += [(run, _Strip(Path(paint.video or ""), paint.video_offset_ms or 0.0, times,
                                region, folder, final))
                   for (run, paint, folder), final in of_url]
    return strips


def recording_artifacts(recording: Recording, folder: Path) -> Artifacts | None:
    """One recording's video, with its filmstrip and final screen cut into `folder`: the strip
    until its own response's end, of the part of the page its final screen fills. None when
    it has no video that can be read and put on the page clock."""
    paint = _filmed(recording.paint)
    if paint is None:
        return None
    final = _final_still(Path(paint.video or ""), folder)
    box = _content(final)
    region = film.reading_region([box] if box is not None else [])
    times = tuple(film.filmstrip_times(_strip_end_ms(recording)))
    return _cut(_Strip(Path(paint.video or ""), paint.video_offset_ms or 0.0, times, region,
                       folder, final))


def _strip_end_ms(recording: Recording) -> float:
    """Where a recording's filmstrip ends: at its response's end, else (a response that never
    ended within the time limit) at the last moment anything of the page was recorded."""
    if recording.response_end_ms is not None:
        return recording.response_end_ms
    times = [sample.t_ms for sample in recording.dom]
    if recording.paint is not None:
        times += [frame.t_ms for frame in recording.paint.frames]
    if recording.wire is not None:
        times += [chunk.t_ms for chunk in recording.wire.chunks]
    return max(times, default=0.0)


def _at_once(work: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
    """`work` on each item, CUTS_AT_ONCE at a time (each waits on its ffmpeg), in order."""
    with ThreadPoolExecutor(CUTS_AT_ONCE, thread_name_prefix="streamscope-stills") as pool:
        return list(pool.map(work, items))


def _final_still(video: Path, folder: Path) -> Path | None:
    """The video's last frame, as the run's final screenshot; None for an unreadable video."""
    try:
        return film.final_screenshot(video, folder / FINAL_STILL)
    except (ValueError, KeyError, OSError):
        return None


def _content(final: Path | None) -> Region | None:
    if final is None:
        return None
    with Image.open(final) as image:
        return film.content_box(np.asarray(image.convert("RGB")))


def _cut(strip: _Strip) -> Artifacts | None:
    if strip.final is None:  # an unreadable video: nothing to show
        return None
    try:
        paths = film.filmstrip(strip.video, strip.offset_ms, strip.times, strip.folder,
                               region=strip.region)
    except (ValueError, KeyError, OSError):
        return None
    return Artifacts(video=strip.video, filmstrip=list(zip(strip.times, paths, strict=True)),
                     screenshot=strip.final)


def _filmed(paint: PaintTimeline | None) -> PaintTimeline | None:
    """The paint timeline, if it has a video that can be put on the page clock."""
    if paint is None or paint.video is None or paint.video_offset_ms is None:
        return None
    return paint
