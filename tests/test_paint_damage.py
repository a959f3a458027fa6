"""The DAMAGE capture without X: damage to frames, the server's clock, the spool, the video
made from frames, the timeline of frames, and the listener's process protocol (a stand-in)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from streamscope.paint import BaselineNotFound, MarkerNotFound, damage, damage_capture, decode
from streamscope.paint import damage_process as recorder_module
from streamscope.paint.damage_capture import damage_timeline
from streamscope.paint.damage_process import DamageError, DamageProcess
from streamscope.paint.frame_taker import FrameReport, FrameTaker, intersects
from streamscope.paint.frame_video import encode, frame_spans_ms, video_times_ms
from streamscope.paint.server_clock import WRAP, ServerClock
from streamscope.paint.spool import frame_path, read_frame, write_frame
from streamscope.paint.video_frames import probe

BOX = (0, 80, 640, 360)
START_MS = 1_700_000_000_000.0


class Screen:
    """What a grab returns, and a clock that moves on by `grab_ms` with each grab."""

    def __init__(self, grab_ms: float = 2.0) -> None:
        self.picture = bytearray(b"blank")
        self.now = START_MS
        self.grab_ms = grab_ms
        self.kept: list[tuple[FrameReport, bytes]] = []

    def grab(self) -> bytearray:
        self.now += self.grab_ms
        return bytearray(self.picture)

    def taker(self) -> FrameTaker:
        return FrameTaker(BOX, self.grab, lambda r, p: self.kept.append((r, bytes(p))),
                          clock=lambda: self.now)


def test_the_first_grab_is_the_screen_as_found() -> None:
    screen = Screen()
    first = screen.taker().start(START_MS)
    assert first == FrameReport(0, START_MS, START_MS + 2, 0, START_MS)
    assert screen.kept == [(first, b"blank")]


def test_one_grab_answers_all_waiting_damage_stamped_with_the_earliest() -> None:
    screen = Screen()
    taker = screen.taker()
    taker.start(START_MS)
    screen.picture = bytearray(b"one line")
    taker.damaged((0, 100, 600, 20), START_MS + 10, START_MS + 11)
    taker.damaged((0, 120, 600, 20), START_MS + 12, START_MS + 13)
    screen.now = START_MS + 14
    frame = taker.answer()
    assert frame == FrameReport(1, START_MS + 10, START_MS + 16, 2, START_MS + 11)
    assert frame.error_ms == 6
    assert taker.counts.grabs == 2 and taker.counts.frames == 2
    assert taker.counts.latencies_ms == [6] and taker.counts.waits_ms == [5]
    assert taker.answer() is None  # nothing waits any more: no grab
    assert taker.counts.grabs == 2


def test_a_grab_that_finds_the_picture_unchanged_is_no_frame_but_is_counted() -> None:
    screen = Screen()
    taker = screen.taker()
    taker.start(START_MS)
    taker.damaged((0, 0, 640, 440), START_MS + 20, START_MS + 20)  # a repaint of the same
    assert taker.answer() is None
    assert taker.counts.grabs == 2 and taker.counts.frames == 1
    assert taker.counts.latencies_ms == [pytest.approx(-START_MS + screen.now - 20)]


def test_damage_outside_the_page_is_counted_and_grabs_nothing() -> None:
    screen = Screen()
    taker = screen.taker()
    taker.start(START_MS)
    taker.damaged((45, 9, 22, 22), START_MS + 5, START_MS + 5)  # a tab's spinner
    assert taker.answer() is None
    assert taker.counts.grabs == 1
    assert taker.counts.damage == [[START_MS + 5, 45, 9, 22, 22]]


def test_a_stamp_never_goes_before_the_frame_before() -> None:
    screen = Screen()
    taker = screen.taker()
    taker.start(START_MS)
    screen.picture = bytearray(b"changed")
    # Drawn just before the listener asked for damage, by a clock 0.5 ms off ours.
    taker.damaged((0, 100, 10, 10), START_MS - 0.5, START_MS + 3)
    frame = taker.answer()
    assert frame is not None and frame.t == START_MS


@pytest.mark.parametrize("area, touches", [
    ((0, 0, 640, 80), False),  # the toolbar above the page, edge to edge
    ((0, 0, 640, 81), True),
    ((640, 80, 10, 10), False),  # right of it
    ((639, 439, 5, 5), True),  # its last pixel
])
def test_damage_touches_the_page_when_they_share_a_pixel(area: tuple[int, ...],
                                                          touches: bool) -> None:
    assert intersects(area, BOX) is touches  # type: ignore[arg-type]


def test_server_time_is_put_on_the_wall_clock_across_its_wrap() -> None:
    clock = ServerClock(offset_ms=-0.5, error_ms=1.0, wall_minus_monotonic_ms=START_MS)
    now = 5_000.0
    assert clock.wall_ms(4_990, now) == pytest.approx(START_MS + 4_990.5)
    # Monotonic 2^32 + 20 ms: the server's counter has wrapped to 19.5 ms (truncated to 19).
    now = WRAP + 20.0
    assert clock.monotonic_ms(19, now) == pytest.approx(WRAP + 19.5)
    assert clock.monotonic_ms(WRAP - 10, now) == pytest.approx(WRAP - 9.5)  # before the wrap


def test_a_spooled_frame_reads_back_as_rgb_and_scales_by_area(tmp_path: Path) -> None:
    bgrx = np.zeros((4, 8, 4), np.uint8)
    bgrx[..., 2] = 200  # red
    bgrx[:2, :2, :3] = 0  # a black 2x2 square at the top left
    path = frame_path(tmp_path, 7)
    write_frame(path, bgrx.tobytes(), (8, 4))
    assert path.name == "000007.bmp"
    full = read_frame(path)
    assert full.shape == (4, 8, 3)
    assert full[0, 0].tolist() == [0, 0, 0] and full[3, 7].tolist() == [200, 0, 0]
    small = read_frame(path, width=4)
    assert small.shape == (2, 4, 3)
    assert small[0, 0].tolist() == [0, 0, 0]  # the square, averaged into one pixel
    assert small[1, 0].tolist() == [200, 0, 0]


def test_video_times_are_whole_ms_and_strictly_increasing() -> None:
    assert video_times_ms([1000.2, 1123.6, 1123.9, 1124.1, 1500.0]) == [0, 123, 124, 125, 500]


def test_each_frame_lasts_until_the_next_and_the_last_until_the_end() -> None:
    assert frame_spans_ms([1000.0, 1250.0], 2000.0) == [(0, 250), (250, 750)]
    assert frame_spans_ms([1000.0, 1250.0], 1260.0) == [(0, 250), (250, 100)]  # shown 100 ms


def test_the_video_shows_each_frame_at_its_capture_time(tmp_path: Path) -> None:
    shades = [0, 80, 160, 240]
    times = [START_MS, START_MS + 16.6, START_MS + 123.4, START_MS + 401.0]
    paths = []
    for n, shade in enumerate(shades):
        paths.append(frame_path(tmp_path, n))
        write_frame(paths[-1], bytes([shade, shade, shade, 0]) * (64 * 32), (64, 32))
    video = tmp_path / "v.webm"
    encode(paths, times, START_MS + 600, video)
    assert [round(t * 1000) for t in probe(video).times_s] == [0, 17, 123, 401]
    frames = decode(video)
    assert [int(f.mean()) for f in frames.pixels] == pytest.approx(shades, abs=3)



def test_the_video_lasts_until_the_capture_ended_and_is_made_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process was started")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    paths = [frame_path(tmp_path, n) for n in range(2)]
    for path, shade in zip(paths, (0, 240), strict=True):
        write_frame(path, bytes([shade, shade, shade, 0]) * (64 * 32), (64, 32))
    video = tmp_path / "v.webm"
    encode(paths, [START_MS, START_MS + 250], START_MS + 1000, video)
    with av.open(str(video)) as container:
        assert container.duration == 1_000_000  # µs: the second frame shows until the end
    assert [round(t * 1000) for t in probe(video).times_s] == [0, 250]
MARKER, BLANK = (255, 0, 255), (255, 255, 255)


def picture(color: tuple[int, int, int], black_rows: int = 0) -> np.ndarray:
    """A 16 x 8 analysis frame of `color`, its top `black_rows` of 8 rows black."""
    frame = np.full((8, 16, 3), color, np.uint8)
    frame[:black_rows] = 0
    return frame


def report(n: int, at_ms: float, took_ms: float) -> FrameReport:
    return FrameReport(n, START_MS + at_ms, START_MS + at_ms + took_ms, 1, START_MS + at_ms)


def test_captured_frames_make_a_timeline_at_their_stamps_with_the_longest_grab_as_bound() -> None:
    faint = picture(BLANK, 4)
    faint[7, 15] = 250  # a change below the analysis's noise level: no frame of the timeline
    pixels = np.stack([picture(MARKER), picture(BLANK), picture(BLANK, 2), picture(BLANK, 4),
                       faint])
    # The marker (found), the blank page, then two paints; navigation at 100 ms. The slow
    # grabs of the marker and of the faint change are no timeline frame's, so no error.
    reports = [report(0, 0, 40), report(1, 50, 3), report(2, 180.5, 2.5), report(3, 390, 7),
               report(4, 500, 30)]
    timeline = damage_timeline(reports, pixels, START_MS + 100, clock_error_ms=1.2, video="v")
    assert [(f.t_ms, f.progress) for f in timeline.frames] == [(80.5, 0.5), (290, 1.0)]
    assert timeline.first_visual_change_ms == 80.5
    assert timeline.visual_complete_ms == 290
    assert timeline.error_ms == pytest.approx(7 + 1.2 + 1.0)  # grab, X clock, page clock
    assert timeline.video_offset_ms == -100
    assert timeline.video == "v" and "DAMAGE" in timeline.method


def test_frames_without_the_marker_or_the_blank_page_are_refused() -> None:
    reports = [report(0, 0, 1), report(1, 50, 1)]
    with pytest.raises(MarkerNotFound):
        damage_timeline(reports, np.stack([picture(BLANK), picture(BLANK, 2)]), START_MS + 100, 1)
    with pytest.raises(BaselineNotFound):  # navigated while the marker was still on screen
        damage_timeline(reports, np.stack([picture(MARKER), picture(BLANK)]), START_MS + 20, 1)


def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> DamageProcess:
    """A DamageProcess running `body` as its listener: a Python script with `say(message)`,
    started once it has read its job, as the real one."""
    script = tmp_path / "listener.py"
    script.write_text("import json, sys, time\n"
                      "def say(m):\n    print(json.dumps(m), flush=True)\n"
                      "job = json.loads(sys.stdin.readline())\n" + body)
    recorder = DamageProcess(":0", (0, 80), (640, 360), tmp_path / "spool")
    monkeypatch.setattr(recorder, "command", [sys.executable, str(script)])
    return recorder


READY = 'say({"ready": {"clock_error_ms": 1.5, "box": [0, 80, 640, 360]}})\n'
FRAME = 'say({"frame": {"frame": 0, "t": 1.0, "done": 3.0, "events": 0, "arrived": 1.0}})\n'


def test_the_listener_reports_frames_and_its_counts_when_told_to_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = READY + FRAME + 'sys.stdin.readline()\nsay({"end": {"grabs": 4, "frames": 1}})\n'
    with stand_in(tmp_path, monkeypatch, body) as recorder:
        assert recorder.wait_for_frames(1, timeout_s=5)
        capture = recorder.stop()
    assert capture.frames == [FrameReport(0, 1.0, 3.0, 0, 1.0)]
    assert capture.clock_error_ms == 1.5 and capture.box == (0, 80, 640, 360)
    assert capture.counts is not None and capture.counts.grabs == 4


def test_a_listener_that_cannot_start_says_why(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = stand_in(tmp_path, monkeypatch, 'say({"error": "no display :0"})\n')
    with pytest.raises(DamageError, match="no display :0"):
        recorder.start()
    assert recorder.pid is None


def test_a_listener_that_ignores_stop_is_ended(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder_module, "STOP_TIMEOUT_S", 0.2)
    monkeypatch.setattr(recorder_module, "TERMINATE_TIMEOUT_S", 0.2)
    body = READY + "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)\n"
    recorder = stand_in(tmp_path, monkeypatch, body)
    recorder.start()
    pid = recorder.pid
    with pytest.raises(DamageError, match="ended with status -9"):
        recorder.stop()
    assert not Path(f"/proc/{pid}").exists()


def test_a_launched_listener_gets_the_box_it_is_aimed_at_when_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = ('say({"ready": {"clock_error_ms": 0, "box": job["box"]}, "spool": job["spool"]})\n'
            'sys.stdin.readline()\nsay({"end": {"grabs": 0, "frames": 0}})\n')
    recorder = stand_in(tmp_path, monkeypatch, body)
    recorder.launch()  # before the page is located
    recorder.aim((5, 6), (70, 80))
    with recorder:
        capture = recorder.stop()
    assert capture.box == (5, 6, 70, 80)
    assert recorder.spool.is_dir()


def test_a_listener_serves_one_job_after_another_until_it_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As damage.main: a job, "ready", a frame, "end" at "stop"; then the next job.
    body = ('while job:\n'
            '    say({"ready": {"clock_error_ms": 0, "box": job["box"]}})\n'
            '    say({"frame": {"frame": 0, "t": 1.0, "done": 2.0, "events": 1,'
            ' "arrived": 1.0}})\n'
            '    sys.stdin.readline()\n'
            '    say({"end": {"grabs": 1, "frames": 1}})\n'
            '    line = sys.stdin.readline().strip()\n'
            '    job = json.loads(line) if line not in ("", "stop") else None\n')
    recorder = stand_in(tmp_path, monkeypatch, body)
    recorder.start()
    pid = recorder.pid
    first = recorder.end_job()
    recorder.aim((1, 2), (30, 40), tmp_path / "second")
    recorder.start()
    assert recorder.wait_for_frames(1, timeout_s=5)
    second = recorder.end_job()
    assert recorder.pid == pid and recorder.running
    assert first.box == (0, 80, 640, 360) and second.box == (1, 2, 30, 40)
    assert len(first.frames) == len(second.frames) == 1  # each job's own
    assert (tmp_path / "second").is_dir()
    assert recorder.halt() == 0  # it ends when told, between jobs
    assert not recorder.running and not Path(f"/proc/{pid}").exists()


def test_a_kept_listener_is_taken_again_and_one_that_died_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[DamageProcess] = []

    class StandIn(DamageProcess):
        def launch(self) -> None:
            monkeypatch.setattr(self, "command", [sys.executable, "-c", "input()"])
            super().launch()
            launched.append(self)

    monkeypatch.setattr(damage_capture, "DamageProcess", StandIn)
    kept = damage_capture.KeptListener()
    first = kept.take(":0", (64, 64), tmp_path / "1")
    kept.keep(first)
    assert kept.take(":0", (64, 64), tmp_path / "2") is first and first.spool == tmp_path / "2"
    kept.keep(first)
    assert kept.take(":1", (64, 64), tmp_path / "3") is not first  # another display
    assert not first.running
    second = launched[-1]
    second.halt()  # it died while it waited
    kept.keep(second)
    third = kept.take(":1", (64, 64), tmp_path / "4")
    assert third is not second and len(launched) == 3
    kept.keep(third)
    kept.close()
    assert not third.running


def test_a_listener_stopped_before_its_job_ends_quietly() -> None:
    assert damage.read_job(io.StringIO("stop\n")) is None
    assert damage.read_job(io.StringIO("")) is None  # its parent has gone
    job = '{"box": [1, 2, 30, 40], "spool": "/tmp/frames"}\n'
    assert damage.read_job(io.StringIO(job)) == ((1, 2, 30, 40), Path("/tmp/frames"))


def test_the_listener_imports_no_engine() -> None:
    # It starts with each engine's first recording: Playwright, Selenium and the engines'
    # modules are 0.13 s it needs none of. The registry (streamscope.engines) is data: the
    # data contract it imports names EngineInfo.
    modules = ("playwright", "selenium", "streamscope.engines.chromium",
               "streamscope.engines.firefox", "streamscope.engines.webkit")
    check = ("import sys, streamscope.paint.damage; "
             f"print(sorted(m for m in {modules!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
