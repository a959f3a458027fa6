"""Stills cut from runs' screen videos: each video's final screen, and the filmstrips of a
report and of a test's row.

Every engine's strip of a URL uses the same times and the same part of the page: the
top-left region that holds what any engine showed, found from each video's final screen, so
that screen is cut first. A Cutter cuts each still when asked; StillsAhead
(stills_ahead.py) is one that keeps what it cut while the recordings went on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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

# Cuts at once: one a core, the browsers having ended.
CUTS_AT_ONCE = os.cpu_count() or 2
FINAL_STILL = "final.png"

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Strip:
    """One run's filmstrip, all it is cut from: the same strip whether cut early or late."""

    video: Path
    offset_ms: float  # the video's start on the page clock
    times: tuple[float, ...]
    region: Region
    folder: Path
    final: Path | None


class Cutter:
    """Cuts each still when asked."""

    def final(self, video: Path, folder: Path) -> Path | None:
        """The final screen of `video`, cut into `folder`."""
        return cut_final(video, folder)

    def content(self, final: Path | None) -> Region | None:
        """Where the final screen `final` shows content."""
        return content_box_of(final)

    def strip(self, strip: Strip) -> Artifacts | None:
        """The filmstrip `strip` describes."""
        return cut_strip(strip)


def report_artifacts(runs: Sequence[Run], stills: Path,
                     ahead: Cutter | None = None) -> dict[ArtifactKey, Artifacts]:
    """Video and filmstrip for each run, by its key (a URL given twice has two takes in each
    engine, report/inputs.py). Every engine's strip of a URL uses the same times and
    the same part of the page: the top-left region that holds what any engine showed.
    `ahead`: the stills cut already, as the recordings went on."""
    known = ahead or Cutter()
    strips = strips_of(runs, stills, known)
    cuts = _at_once(lambda item: known.strip(item[1]), strips)
    keys = {id(run): key for run, key in zip(runs, artifact_keys(runs), strict=True)}
    return {keys[id(run)]: cut for (run, _), cut in zip(strips, cuts, strict=True)
            if cut is not None}


def strips_of(runs: Sequence[Run], stills: Path, known: Cutter) -> list[tuple[Run, Strip]]:
    """Each filmed run's filmstrip, from the final screens `known` has or cuts."""
    videos = [(run, paint, stills / Path(paint.video or "").stem) for run in runs
              if (paint := filmed(run.recording.paint)) is not None]
    finals = _at_once(lambda item: known.final(Path(item[1].video or ""), item[2]), videos)
    strips: list[tuple[Run, Strip]] = []
    for url in dict.fromkeys(run.recording.url for run in runs):
        of_url = [(item, final) for item, final in zip(videos, finals, strict=True)
                  if item[0].recording.url == url]
        ends = [_strip_end_ms(run.recording) for (run, _, _), _ in of_url]
        times = tuple(film.filmstrip_times(max(ends, default=0.0)))
        region = film.reading_region(
            [box for _, final in of_url if (box := known.content(final)) is not None])
        strips += [(run, Strip(Path(paint.video or ""), paint.video_offset_ms or 0.0, times,
                               region, folder, final))
                   for (run, paint, folder), final in of_url]
    return strips


def recording_artifacts(recording: Recording, folder: Path) -> Artifacts | None:
    """One recording's video, with its filmstrip and final screen cut into `folder`: the strip
    until its own response's end, of the part of the page its final screen fills. None when
    it has no video that can be read and put on the page clock."""
    paint = filmed(recording.paint)
    if paint is None:
        return None
    final = cut_final(Path(paint.video or ""), folder)
    box = content_box_of(final)
    region = film.reading_region([box] if box is not None else [])
    times = tuple(film.filmstrip_times(_strip_end_ms(recording)))
    return cut_strip(Strip(Path(paint.video or ""), paint.video_offset_ms or 0.0, times, region,
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
    """`work` on each item, CUTS_AT_ONCE at a time, in order."""
    with ThreadPoolExecutor(CUTS_AT_ONCE, thread_name_prefix="streamscope-stills") as pool:
        return list(pool.map(work, items))


def cut_final(video: Path, folder: Path) -> Path | None:
    """The video's last frame, as the run's final screenshot; None for an unreadable video."""
    try:
        return film.final_screenshot(video, folder / FINAL_STILL)
    except (ValueError, KeyError, OSError):
        return None


def content_box_of(final: Path | None) -> Region | None:
    """Where the final screen `final` shows content; None for no screen, or a blank one."""
    if final is None:
        return None
    with Image.open(final) as image:
        return film.content_box(np.asarray(image.convert("RGB")))


def cut_strip(strip: Strip) -> Artifacts | None:
    """The filmstrip `strip` describes; None for an unreadable video."""
    if strip.final is None:  # an unreadable video: nothing to show
        return None
    try:
        paths = film.filmstrip(strip.video, strip.offset_ms, strip.times, strip.folder,
                               region=strip.region)
    except (ValueError, KeyError, OSError):
        return None
    return Artifacts(video=strip.video, filmstrip=list(zip(strip.times, paths, strict=True)),
                     screenshot=strip.final)


def filmed(paint: PaintTimeline | None) -> PaintTimeline | None:
    """The paint timeline, if it has a video that can be put on the page clock."""
    if paint is None or paint.video is None or paint.video_offset_ms is None:
        return None
    return paint
