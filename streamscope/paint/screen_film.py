"""A screen recording of an X display by ffmpeg: what a user of the headed browser saw.

ffmpeg is a HelperProcess (helper_process.py), so a Ctrl-C meant for us does not kill it
mid-file; it is asked to stop by its own quit key, which finishes the WebM (cues included,
so it is seekable).

Filming stays an ffmpeg process where decoding and encoding moved into PyAV: on 6 s of a
1280x720 Xvfb screen at 30 fps (load 4 to 6), ffmpeg took 1.1 to 1.2 s of CPU, and PyAV's
x11grab and libvpx in our process 1.7 to 2.0 s, every frame's conversion passing through
Python on a thread that shares the GIL with the DOM recorder driving the browser. A process in
its own session also finishes its file through a Ctrl-C; a thread would have to be stopped
and flushed by every handler of one.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from streamscope.deadline import Deadline
from streamscope.paint.helper_process import HelperProcess

FFMPEG = "ffmpeg"
GRAB_OPTIONS = ("-f", "x11grab", "-draw_mouse", "0")
# VP8 at realtime speed, fixed at the fastest (a negative cpu-used; a positive one makes
# libvpx adapt its effort to the time left per frame). One thread: libvpx's VP8 threads
# busy-wait on each other, which took a whole core on a still 1280x720 screen (one thread:
# 15 %). A low quantiser ceiling keeps encoder noise, and the refining of a still screen over
# the frames after a change, far below a glyph's worth; the bitrate is a cap it may exceed.
# The same for ffmpeg here and for PyAV making captured frames into a video (frame_video.py).
ENCODER = "libvpx"
ENCODER_OPTIONS = (
    ("threads", "1"), ("deadline", "realtime"), ("cpu-used", "-16"),
    ("b", "8M"), ("crf", "4"), ("qmin", "0"), ("qmax", "12"),
    ("lag-in-frames", "0"), ("g", "150"),
)  # fmt: skip
ENCODE_OPTIONS = ("-c:v", ENCODER, *(arg for name, value in ENCODER_OPTIONS
                                     for arg in (f"-{name}", value)))
# Each frame keeps the time it was grabbed, to the ms: the default encoder time base (1/fps)
# would round it by up to half a frame, and collapse the burst of frames x11grab grabs to
# catch up after a stall. vfr drops a frame only if it has the same ms as the one before.
TIMING_OPTIONS = ("-enc_time_base", "1:1000", "-fps_mode", "vfr")
PROGRESS_OPTIONS = ("-nostats", "-progress", "pipe:1", "-stats_period", "0.05")
QUIT_KEY = b"q"

START_TIMEOUT_S = 10.0  # until the first frame is grabbed
SETTLE_TIMEOUT_S = 3.0  # then, at most this long for the grabbing to run at its rate
STEADY_S = 0.3  # how long it must run at its rate to count as steady
STOP_TIMEOUT_S = 10.0  # for ffmpeg to finish the file after the quit key
TERMINATE_TIMEOUT_S = 5.0


# x11grab stamps each frame with the wall clock when it grabs it (av_gettime), and the video's
# time 0 is the first frame: "start" on the input line is that frame's wall time, in seconds.
START_PATTERN = re.compile(rb"Input #0, x11grab.*?start: (\d+\.\d+)", re.DOTALL)


class FilmError(RuntimeError):
    """ffmpeg did not start capturing, or did not finish a valid video."""


@dataclass(frozen=True)
class Grab:
    """What ffmpeg films: `size` pixels of X display `display` from `origin`, `fps` a second."""

    display: str
    size: tuple[int, int]
    fps: int = 30
    origin: tuple[int, int] = (0, 0)


def ffmpeg_command(grab: Grab, path: Path) -> list[str]:
    """The ffmpeg command that records `grab` to `path`."""
    width, height = grab.size
    x, y = grab.origin
    return [
        # At level info ffmpeg logs the input's start time, which start_wall_ms reads.
        FFMPEG, "-hide_banner", "-loglevel", "info", *PROGRESS_OPTIONS,
        *GRAB_OPTIONS, "-framerate", str(grab.fps), "-video_size", f"{width}x{height}",
        "-i", f"{grab.display}+{x},{y}",
        *ENCODE_OPTIONS, *TIMING_OPTIONS, "-y", str(path),
    ]  # fmt: skip


class ScreenFilm(HelperProcess):
    """Records `grab` to a WebM at `path` while in use: `with ScreenFilm(...) as film:`.

    start() returns once ffmpeg has grabbed frames at its rate for STEADY_S, so whatever is
    painted afterwards is in the video on time.
    """

    def __init__(self, grab: Grab, path: Path) -> None:
        super().__init__(ffmpeg_command(grab, path))
        self.path = path
        self.fps = grab.fps
        self._reports: deque[tuple[int, float]] = deque(maxlen=256)  # (frames, last frame s)
        self.start_wall_ms: float | None = None  # wall time (epoch ms) of the video's time 0

    @property
    def frames(self) -> int:
        """Frames written so far, as ffmpeg last reported."""
        with self._changed:
            return self._reports[-1][0] if self._reports else 0

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.stop()
        else:
            self._halt()  # an error of our own would hide the one already raised

    def start(self) -> None:
        if self._proc is not None:
            raise FilmError("the screen film is already running")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            try:
                self._spawn(self._read_progress, "ffmpeg-progress")
            except FileNotFoundError as error:
                raise FilmError(f"cannot record the screen: {error}") from error
            self._wait_until_steady()
            self.start_wall_ms = self._read_start_wall_ms()
        except BaseException:
            self._halt()
            raise

    def stop(self) -> None:
        """Finish the video and end ffmpeg; raises FilmError if the file is not valid."""
        returncode, log = self._halt()
        if returncode is None:
            return
        if returncode != 0:
            raise FilmError(f"ffmpeg ended with status {returncode}: {log}")
        if not self.path.is_file() or self.path.stat().st_size == 0:
            raise FilmError(f"ffmpeg wrote no video to {self.path}: {log}")

    def _wait_until_steady(self) -> None:
        start = Deadline(START_TIMEOUT_S)
        with self._changed:
            while self.frames < 1:
                self._check_running()
                if start.passed:
                    raise FilmError(f"ffmpeg grabbed no frame in {START_TIMEOUT_S:.0f} s")
                self._changed.wait(0.1)
            # A start-up stall and the burst of grabs that catches up after it would put
            # the frames painted meanwhile late or early: wait for the regular rate. If it
            # never comes, go on: the analysis reports the largest gap as its error.
            settle = Deadline(SETTLE_TIMEOUT_S)
            while not self._steady() and not settle.passed:
                self._check_running()
                self._changed.wait(0.1)

    def _steady(self) -> bool:
        """Whether the last STEADY_S of reports each added the frames their time calls for."""
        reports = list(self._reports)
        if len(reports) < 2 or reports[-1][1] - reports[0][1] < STEADY_S:
            return False
        newer = reports[-1]
        for older in reversed(reports[:-1]):
            frames, seconds = newer[0] - older[0], newer[1] - older[1]
            if abs(frames - seconds * self.fps) > 1:
                return False
            if reports[-1][1] - older[1] >= STEADY_S:
                return True
            newer = older
        return False

    def _check_running(self) -> None:
        assert self._proc is not None
        if self._proc.poll() is not None:
            raise FilmError(
                f"ffmpeg exited with status {self._proc.returncode}: {self._log_text()}"
            )

    def _read_progress(self, stdout: IO[bytes]) -> None:
        """Collect ffmpeg's -progress reports (key=value lines, each block ended by progress=)."""
        frames, seconds = 0, 0.0
        for raw in stdout:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            try:
                if key == "frame":
                    frames = int(value)
                elif key == "out_time_us":
                    seconds = int(value) / 1e6
            except ValueError:
                continue  # "N/A" before the first frame
            if key == "progress":
                with self._changed:
                    self._reports.append((frames, seconds))
                    self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _halt(self) -> tuple[int | None, str]:
        """End ffmpeg, gently if it lets us; returns its exit status and log."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None, self._close_log()
        try:
            returncode = self._end(proc, _request_stop, STOP_TIMEOUT_S, TERMINATE_TIMEOUT_S)
        finally:
            log = self._close_log()
        return returncode, log

    def _read_start_wall_ms(self) -> float:
        assert self._log is not None
        self._log.seek(0)
        found = START_PATTERN.search(self._log.read())
        self._log.seek(0, 2)
        if found is None:
            raise FilmError(f"ffmpeg logged no start time for its input: {self._log_text()}")
        return float(found.group(1)) * 1000.0


def _request_stop(stdin: IO[bytes]) -> None:
    stdin.write(QUIT_KEY)
    stdin.flush()
