"""Files a run leaves beside its recordings: screen videos, and filmstrip stills cut from them."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from streamscope import paint as film
from streamscope.paint.video_frames import Region
from streamscope.recording import PaintTimeline, Recording
from streamscope.report import Artifacts
from streamscope.runs import Run

# A name of streamscope's own: the folder is emptied at every run into the same report.
MEDIA_FOLDER = "streamscope-media"


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


def report_artifacts(runs: Sequence[Run], stills: Path) -> dict[tuple[str, str], Artifacts]:
    """Video and filmstrip for each run. Every engine's strip of a URL uses the same times and
    the same part of the page: the top-left region that holds what any engine showed."""
    artifacts: dict[tuple[str, str], Artifacts] = {}
    for url in dict.fromkeys(run.recording.url for run in runs):
        filmed = [(run, paint) for run in runs
                  if run.recording.url == url and (paint := _filmed(run.recording.paint))]
        ends = [run.verdict.response_end_ms or 0.0 for run, _ in filmed]
        times = film.filmstrip_times(max(ends, default=0.0))
        boxes = [box for _, paint in filmed if (box := _final_content(paint)) is not None]
        region = film.reading_region(boxes)
        for run, paint in filmed:
            cut = _cut(paint, times, region, stills / Path(paint.video or "").stem)
            if cut is not None:
                artifacts[url, run.recording.browser] = cut
    return artifacts


def recording_artifacts(recording: Recording, folder: Path) -> Artifacts | None:
    """One recording's video, with its filmstrip and final screen cut into `folder`: the strip
    until its own response's end, of the part of the page its final screen fills. None when
    it has no video that can be read and put on the page clock."""
    paint = _filmed(recording.paint)
    if paint is None:
        return None
    box = _final_content(paint)
    region = film.reading_region([box] if box is not None else [])
    return _cut(paint, film.filmstrip_times(recording.response_end_ms or 0.0), region, folder)


def _cut(paint: PaintTimeline, times: list[float], region: Region,
         folder: Path) -> Artifacts | None:
    video = Path(paint.video or "")
    alignment = film.Alignment(marker_index=0, marker_video_s=0.0,
                               offset_ms=paint.video_offset_ms or 0.0)
    try:
        paths = film.filmstrip(video, alignment, times, folder, region=region)
        final = film.final_screenshot(video, folder / "final.png")
    except (ValueError, KeyError, OSError):  # an unreadable video: nothing to show
        return None
    return Artifacts(video=video, filmstrip=list(zip(times, paths, strict=True)),
                     screenshot=final)


def _final_content(paint: PaintTimeline) -> Region | None:
    try:
        return film.content_box(film.last_frame(Path(paint.video or "")))
    except (ValueError, KeyError, OSError):
        return None


def _filmed(paint: PaintTimeline | None) -> PaintTimeline | None:
    """The paint timeline, if it has a video that can be put on the page clock."""
    if paint is None or paint.video is None or paint.video_offset_ms is None:
        return None
    return paint
