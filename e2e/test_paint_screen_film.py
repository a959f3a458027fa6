"""The screen recorder on a real X display, and one real capture of a headed Chromium.

No skips: without Xvfb, ffmpeg or Chromium these tests fail, saying which is missing.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page

from streamscope.paint import (
    BLANK_CSS,
    MARKER_CSS,
    PLAYWRIGHT_PAINT,
    SELENIUM_PAINT,
    FilmError,
    Grab,
    ScreenFilm,
    analyze,
    decode,
    ffmpeg_command,
    final_screenshot,
    screen_film,
)

SIZE = (640, 360)
FPS = 30
LINES = 3
LINE_INTERVAL_S = 0.25
# Two frame intervals and then some: the blank page must be captured before navigating.
HOLD_S = 0.1
# Runs a script the way Selenium's execute_async_script does: as a function body whose
# arguments end with the callback that returns its result.
AS_SELENIUM = "([body, arg]) => new Promise((done) => new Function(body)(arg, done))"
# Adds a line of text and resolves, once it is on screen, with the page time.
ADD_LINE = """(text) => new Promise((resolve) => {
  document.getElementById('lines').insertAdjacentHTML('beforeend', '<p>' + text + '</p>');
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
})"""


@pytest.fixture(scope="module")
def screen_size() -> tuple[int, int]:
    return SIZE


def test_command_grabs_the_display_region_as_webm(tmp_path: Path) -> None:
    command = ffmpeg_command(Grab(":7", (1280, 720), 25, origin=(0, 80)), tmp_path / "v.webm")
    assert command[command.index("-f") + 1] == "x11grab"
    assert command[command.index("-i") + 1] == ":7+0,80"
    assert command[command.index("-video_size") + 1] == "1280x720"
    assert command[command.index("-framerate") + 1] == "25"
    assert command[command.index("-c:v") + 1] == "libvpx"
    assert command[-1] == str(tmp_path / "v.webm")


def test_a_display_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    recorder = ScreenFilm(Grab(":987", SIZE), tmp_path / "v.webm")
    with pytest.raises(FilmError, match="ffmpeg exited"):
        recorder.start()
    assert recorder.pid is None


def test_a_missing_ffmpeg_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(screen_film, "FFMPEG", str(tmp_path / "no-ffmpeg"))
    with pytest.raises(FilmError, match="cannot record the screen.*no-ffmpeg"):
        ScreenFilm(Grab(":0", SIZE), tmp_path / "v.webm").start()


def test_an_error_while_recording_still_ends_ffmpeg_and_the_file(
    display: str, tmp_path: Path
) -> None:
    video = tmp_path / "v.webm"
    with pytest.raises(KeyboardInterrupt), ScreenFilm(Grab(display, SIZE), video) as recorder:
        pid = recorder.pid
        assert recorder.frames >= 1
        assert recorder.start_wall_ms == pytest.approx(time.time() * 1000, abs=2000)
        time.sleep(0.3)
        raise KeyboardInterrupt
    assert not Path(f"/proc/{pid}").exists()
    frames = decode(video)
    assert len(frames) >= 0.3 * FPS
    assert frames.pixels.shape[1:] == (90, 160, 3)


@pytest.mark.e2e
def test_a_real_capture_finds_the_marker_and_progress_rises(
    display: str, chromium_page: Page, tmp_path: Path
) -> None:
    page, video = chromium_page, tmp_path / "video.webm"
    with ScreenFilm(Grab(display, SIZE, FPS), video) as recorder:
        marker_ms = page.evaluate(PLAYWRIGHT_PAINT, MARKER_CSS)
        time.sleep(HOLD_S)
        blank_ms = page.evaluate(AS_SELENIUM, [SELENIUM_PAINT, BLANK_CSS])
        time.sleep(HOLD_S)
        page.goto("data:text/html,<body style='font:24px sans-serif'><div id=lines></div>")
        origin_ms = page.evaluate("performance.timeOrigin")
        shown_ms = []
        for n in range(LINES):
            time.sleep(LINE_INTERVAL_S)
            shown_ms.append(page.evaluate(ADD_LINE, f"line {n}: streamed, and painted"))
        time.sleep(LINE_INTERVAL_S)

    assert marker_ms < blank_ms < origin_ms
    assert recorder.start_wall_ms is not None
    paint = analyze(video, recorder.start_wall_ms, origin_ms, FPS)
    # Each line reached the screen in a frame, no further from its page-reported time
    # than the error the timeline claims.
    times = [f.t_ms for f in paint.frames]
    assert len(times) == LINES
    for frame_ms, line_ms in zip(times, shown_ms, strict=True):
        assert abs(frame_ms - line_ms) <= paint.error_ms
    progress = [f.progress for f in paint.frames]
    assert progress == sorted(progress) and progress[0] < 0.5 and progress[-1] == 1.0
    assert paint.first_visual_change_ms == times[0]
    assert paint.visual_complete_ms == times[-1]
    assert final_screenshot(video, tmp_path / "test-finished-1.png").stat().st_size > 0
