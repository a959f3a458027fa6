"""Files a run leaves beside its recordings: screen videos, and filmstrip stills cut from them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from streamscope.config import PaintConfig
from streamscope.engines import Engine
from streamscope.paint import Alignment, filmstrip, filmstrip_times
from streamscope.paint_capture import ScreenPaintCapture
from streamscope.report import Artifacts
from streamscope.runs import PaintFactory, Run


def video_recorder(folder: Path, settings: PaintConfig) -> PaintFactory:
    """A PaintFactory that films each recording into `folder`, one numbered WebM each."""
    folder.mkdir(parents=True, exist_ok=True)

    def capture(engine: Engine, url: str, index: int) -> ScreenPaintCapture:
        return ScreenPaintCapture(engine, folder / f"{index + 1:02d}-{engine.name}.webm", settings)

    return capture


@contextmanager
def media_folder(report_dir: Path | None) -> Iterator[Path]:
    """Where videos go: inside the report when there is one, else a folder removed afterwards."""
    if report_dir is not None:
        yield report_dir / "media"
        return
    with tempfile.TemporaryDirectory(prefix="streamscope-") as folder:
        yield Path(folder)


def report_artifacts(runs: Sequence[Run], stills: Path) -> dict[tuple[str, str], Artifacts]:
    """Video and filmstrip for each run; every engine's strip of a URL uses the same times."""
    artifacts: dict[tuple[str, str], Artifacts] = {}
    for url in dict.fromkeys(run.recording.url for run in runs):
        of_url = [run for run in runs if run.recording.url == url]
        ends = [run.verdict.response_end_ms or 0.0 for run in of_url]
        times = filmstrip_times(max(ends, default=0.0))
        for run in of_url:
            paint = run.recording.paint
            if paint is None or paint.video is None or paint.video_offset_ms is None:
                continue
            video = Path(paint.video)
            alignment = Alignment(marker_index=0, marker_video_s=0.0,
                                  offset_ms=paint.video_offset_ms)
            folder = stills / video.stem
            paths = filmstrip(video, alignment, times, folder)
            artifacts[url, run.recording.browser] = Artifacts(
                video=video, filmstrip=list(zip(times, paths, strict=True))
            )
    return artifacts
