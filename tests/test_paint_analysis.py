"""Visual progress, alignment and stills, on small videos ffmpeg draws and encodes like the
recorder does: every event's time is known to the frame."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from streamscope.paint import (
    Alignment,
    BaselineNotFound,
    MarkerNotFound,
    analyze,
    decode,
    filmstrip,
    filmstrip_times,
    final_screenshot,
)
from streamscope.paint.alignment import video_s
from streamscope.paint.screen_film import ENCODE_OPTIONS, TIMING_OPTIONS

FPS = 30
FRAME_MS = 1000 / FPS
SIZE = (320, 180)
START_WALL_MS = 1_700_000_000_000.0  # the wall time of the video's first frame
MARKER_AT_S = 0.3  # the marker appears at a frame boundary: frame 9
WHITE_AT_S = 0.8
NAVIGATION_AT_S = 1.2  # video time of navigation start
# Black boxes painted over the white page: (x, y, w, h, video time). Areas 1:1:2, so the
# progress after each is 0.25, 0.5, 1. Times fall between frames, as paints do.
BOXES = [(0, 0, 80, 90, 1.61), (80, 0, 80, 90, 2.01), (160, 0, 160, 90, 2.41)]
DURATION_S = 3.0


def synthesize(
    path: Path,
    *,
    marker: bool = True,
    white_at_s: float = WHITE_AT_S,
    boxes: list[tuple[int, int, int, int, float]] = BOXES,
    drop_frames: tuple[int, int] | None = None,
) -> Path:
    """Grey, then magenta from MARKER_AT_S, white from white_at_s, then the boxes."""
    w, h = SIZE
    steps = [f"color=c=0x808080:s={w}x{h}:r={FPS}:d={DURATION_S}"]
    if marker:
        steps.append(f"drawbox=c=0xFF00FF:t=fill:enable='between(t,{MARKER_AT_S},{white_at_s})'")
    steps.append(f"drawbox=c=0xFFFFFF:t=fill:enable='gte(t,{white_at_s})'")
    for x, y, bw, bh, at in boxes:
        steps.append(f"drawbox=x={x}:y={y}:w={bw}:h={bh}:c=black:t=fill:enable='gte(t,{at})'")
    if drop_frames:  # a recorder stall: these frames were never grabbed
        steps.append(f"select='not(between(n,{drop_frames[0]},{drop_frames[1]}))'")
    cmd = [
        "ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", ",".join(steps),
        *ENCODE_OPTIONS, *TIMING_OPTIONS, str(path),
    ]  # fmt: skip
    subprocess.run(cmd, check=True)
    return path


def time_origin(navigation_at_s: float = NAVIGATION_AT_S) -> float:
    """The page's timeOrigin when navigation started navigation_at_s into the video."""
    return START_WALL_MS + navigation_at_s * 1000


def page_ms(video_s: float) -> float:
    return (video_s - NAVIGATION_AT_S) * 1000


def grey(png: Path) -> np.ndarray:
    with Image.open(png) as image:
        return np.asarray(image.convert("L"))


def dark_share(image: np.ndarray) -> float:
    return float((image < 128).mean())


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize(tmp_path_factory.mktemp("paint") / "steps.webm")


def test_decode_keeps_every_frame_with_its_time(video: Path) -> None:
    frames = decode(video)
    assert len(frames) == DURATION_S * FPS
    assert frames.pixels.shape[1:] == (90, 160, 3)
    assert np.allclose(np.diff(frames.times_s), 1 / FPS, atol=0.001)


def test_alignment_puts_the_video_on_the_page_clock_and_finds_the_marker(video: Path) -> None:
    alignment = Alignment.from_clock(decode(video), START_WALL_MS, time_origin())
    frames = decode(video)
    assert frames.times_s[alignment.marker_index] == pytest.approx(MARKER_AT_S, abs=0.001)
    assert video_s(0.0, alignment.offset_ms) == pytest.approx(NAVIGATION_AT_S, abs=0.001)


def test_progress_rises_in_the_steps_painted(video: Path) -> None:
    paint = analyze(video, START_WALL_MS, time_origin(), FPS)
    assert [round(f.progress, 2) for f in paint.frames] == [0.25, 0.5, 1.0]
    for frame, (*_, at) in zip(paint.frames, BOXES, strict=True):
        assert 0 <= frame.t_ms - page_ms(at) <= FRAME_MS


def test_first_change_and_complete_within_a_frame(video: Path) -> None:
    paint = analyze(video, START_WALL_MS, time_origin(), FPS)
    assert paint.first_visual_change_ms is not None and paint.visual_complete_ms is not None
    assert 0 <= paint.first_visual_change_ms - page_ms(BOXES[0][4]) <= FRAME_MS
    assert 0 <= paint.visual_complete_ms - page_ms(BOXES[-1][4]) <= FRAME_MS


def test_timeline_names_its_method_error_and_video(video: Path) -> None:
    paint = analyze(video, START_WALL_MS, time_origin(), FPS)
    # A frame gap, and the page clock's agreement with the recorder's.
    assert paint.error_ms == pytest.approx(FRAME_MS + 1, abs=1)
    assert "wall clock" in paint.method and "30 fps" in paint.method
    assert paint.video == str(video)
    assert paint.video_offset_ms == pytest.approx(-NAVIGATION_AT_S * 1000, abs=1)


def test_each_frame_is_at_the_recorder_clock_time_of_its_grab(video: Path) -> None:
    paint = analyze(video, START_WALL_MS, time_origin(), FPS)
    # Each box is first seen in the frame after its time.
    first_seen_s = [math.ceil(at * FPS) / FPS for *_, at in BOXES]
    assert [f.t_ms for f in paint.frames] == pytest.approx(
        [page_ms(s) for s in first_seen_s], abs=1
    )


def test_a_recorder_stall_widens_the_error(tmp_path: Path) -> None:
    stalled = synthesize(tmp_path / "stalled.webm", drop_frames=(50, 55))
    paint = analyze(stalled, START_WALL_MS, time_origin(), FPS)
    assert paint.error_ms == pytest.approx(7 * FRAME_MS + 1, abs=1)


def test_a_page_that_never_changes_has_no_visual_change(tmp_path: Path) -> None:
    blank = synthesize(tmp_path / "blank.webm", boxes=[])
    paint = analyze(blank, START_WALL_MS, time_origin(), FPS)
    assert paint.frames == []
    assert paint.first_visual_change_ms is None and paint.visual_complete_ms is None


def test_no_marker_is_an_error(tmp_path: Path) -> None:
    unmarked = synthesize(tmp_path / "unmarked.webm", marker=False)
    with pytest.raises(MarkerNotFound, match="marker colour #ff00ff"):
        analyze(unmarked, START_WALL_MS, time_origin(), FPS)


def test_navigating_before_the_blank_page_showed_is_an_error(tmp_path: Path) -> None:
    late_white = synthesize(tmp_path / "late.webm", white_at_s=1.4)
    with pytest.raises(BaselineNotFound, match="marker was still on screen"):
        analyze(late_white, START_WALL_MS, time_origin(), FPS)


def test_filmstrip_shows_the_screen_at_each_page_time(video: Path, tmp_path: Path) -> None:
    alignment = Alignment.from_clock(decode(video), START_WALL_MS, time_origin())
    times = filmstrip_times(1500.0)
    assert times == [0.0, 500.0, 1000.0, 1500.0]
    paths = filmstrip(video, alignment.offset_ms, times, tmp_path / "strip")
    assert [p.name for p in paths] == [
        "filmstrip-000-0ms.png",
        "filmstrip-001-500ms.png",
        "filmstrip-002-1000ms.png",
        "filmstrip-003-1500ms.png",
    ]
    stills = [grey(p) for p in paths]
    assert all(s.shape == (135, 240) for s in stills)
    # The share of black: nothing yet, box A, boxes A and B, all three.
    assert [dark_share(s) for s in stills] == pytest.approx([0, 0.125, 0.25, 0.5], abs=0.01)



def test_frames_and_stills_are_decoded_in_process(
    video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process was started")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    assert len(decode(video)) == DURATION_S * FPS
    assert len(filmstrip(video, 0.0, [0.0, 500.0], tmp_path / "strip")) == 2
    assert final_screenshot(video, tmp_path / "final.png").is_file()

def test_final_screenshot_is_the_last_frame_at_full_size(video: Path, tmp_path: Path) -> None:
    path = final_screenshot(video, tmp_path / "test-finished-1.png")
    image = grey(path)
    assert image.shape == (180, 320)
    assert dark_share(image) == pytest.approx(0.5, abs=0.01)
