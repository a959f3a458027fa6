"""Where a run's screen videos live: in the report's media folder, or in one removed after
the run; and where a saved run's videos went when its report folder was moved."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from streamscope.run.runs import Run

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
