"""Files a run leaves beside its recordings: screen videos, and filmstrip stills cut from them.

Each cut is an ffmpeg or two run on one video (0.2 to 0.9 s), so a report's are cut a few at
a time, each video's final screen once: it is both the still of the end and what tells the
part of the page the filmstrip shows. A run can have that one cut as soon as each video is
written (FinalStills), beside the recordings that follow; a filmstrip waits for every run of
its URL, whose times and part of the page it shares.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
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
from streamscope.runs import Run

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


class FinalStills:
    """Each video's final screen, cut into `stills` (as report_artifacts would) once `cut` is
    called for it: a run hands `cut` to its VideoQueue, which calls it as each video is
    written, on its own thread and priority."""

    def __init__(self, stills: Path) -> None:
        self.stills = stills
        self._cut: dict[str, Path | None] = {}
        self._lock = threading.Lock()

    def cut(self, video: Path) -> None:
        final = _final_still(video, self.stills / video.stem)
        with self._lock:
            self._cut[str(video)] = final

    def of(self, video: Path, folder: Path) -> Path | None:
        """The final screen of `video` in `folder`, cut now unless it was already."""
        with self._lock:
            known = str(video) in self._cut and folder == self.stills / video.stem
            final = self._cut.get(str(video))
        return final if known else _final_still(video, folder)


@dataclass
class _Filmed:
    """A run with a video, the folder its stills go to, and its final screen once cut."""

    run: Run
    paint: PaintTimeline
    folder: Path
    final: Path | None = None


def report_artifacts(runs: Sequence[Run], stills: Path,
                     finals: FinalStills | None = None) -> dict[tuple[str, str], Artifacts]:
    """Video and filmstrip for each run. Every engine's strip of a URL uses the same times and
    the same part of the page: the top-left region that holds what any engine showed.
    `finals`: the final screens cut already, as the videos were written."""
    filmed = [_Filmed(run, paint, stills / Path(paint.video or "").stem) for run in runs
              if (paint := _filmed(run.recording.paint)) is not None]
    known = finals or FinalStills(stills)
    cut = _at_once(lambda f: known.of(Path(f.paint.video or ""), f.folder), filmed)
    for item, final in zip(filmed, cut, strict=True):
        item.final = final
    plans: list[tuple[_Filmed, list[float], Region]] = []
    for url in dict.fromkeys(run.recording.url for run in runs):
        of_url = [item for item in filmed if item.run.recording.url == url]
        ends = [item.run.verdict.response_end_ms or 0.0 for item in of_url]
        times = film.filmstrip_times(max(ends, default=0.0))
        region = film.reading_region(
            [box for item in of_url if (box := _content(item.final)) is not None])
        plans += [(item, times, region) for item in of_url]
    cuts = _at_once(lambda plan: _cut(plan[0].paint, plan[1], plan[2], plan[0].folder,
                                      plan[0].final), plans)
    return {(item.run.recording.url, item.run.recording.browser): cut
            for (item, _, _), cut in zip(plans, cuts, strict=True) if cut is not None}


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
    return _cut(paint, film.filmstrip_times(recording.response_end_ms or 0.0), region, folder,
                final)


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


def _cut(paint: PaintTimeline, times: list[float], region: Region, folder: Path,
         final: Path | None) -> Artifacts | None:
    if final is None:  # an unreadable video: nothing to show
        return None
    video = Path(paint.video or "")
    alignment = film.Alignment(marker_index=0, marker_video_s=0.0,
                               offset_ms=paint.video_offset_ms or 0.0)
    try:
        paths = film.filmstrip(video, alignment, times, folder, region=region)
    except (ValueError, KeyError, OSError):
        return None
    return Artifacts(video=video, filmstrip=list(zip(times, paths, strict=True)),
                     screenshot=final)


def _filmed(paint: PaintTimeline | None) -> PaintTimeline | None:
    """The paint timeline, if it has a video that can be put on the page clock."""
    if paint is None or paint.video is None or paint.video_offset_ms is None:
        return None
    return paint
