"""Making captured frames into the report's WebM: at once, or beside the next recording.

The paint timeline is analysed from the spooled frames themselves, so the video is for
people only, and nothing of the recording waits for it. Encoding one took 0.2 to 0.6 s of
wall time after every recording (frame_video.py); a VideoQueue encodes on a thread of its
own instead, while the next recording runs, and a run waits for it only before it cuts
stills from the videos. That thread encodes at a lower CPU priority (nice +10) than the
browsers being recorded (streamscope/priority.py).
"""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from streamscope.errors import one_line
from streamscope.paint.frame_video import encode
from streamscope.priority import lower_priority


@dataclass(frozen=True)
class EncodeJob:
    """Spooled frames to make into `video`; the spool is removed once they are."""

    frames: Sequence[Path]
    times_ms: Sequence[float]  # epoch ms each frame was captured
    end_ms: float  # epoch ms the capture ended: how long the last frame shows
    video: Path
    spool: Path


def encode_now(job: EncodeJob) -> None:
    """Encodes in this thread and removes the spool; raises as encode() does."""
    try:
        encode(job.frames, job.times_ms, job.end_ms, job.video)
    finally:
        shutil.rmtree(job.spool, ignore_errors=True)


class VideoQueue:
    """Encodes submitted jobs one at a time, in order, on a thread of its own.

    wait() returns when every job is done, with what failed; close() ends the thread, and
    with `cancel` drops the jobs not yet begun (removing their spools), for a run that was
    interrupted.
    """

    def __init__(self, after: Callable[[Path], None] | None = None) -> None:
        """`after`: called with each video once it is written (a report's still cut from it),
        in order, at the queue's priority; what it raises is ignored. On the queue's thread
        while the recordings go on (a core for them); once wait() is called, when nothing
        records any more, on a thread of its own, so that the next video is encoded
        meanwhile: the last videos and their stills took 2 to 5 s after a repro's last page,
        one after another."""
        self._after = after
        self._following: ThreadPoolExecutor | None = None  # the after-calls', once waited for
        self._jobs: queue.SimpleQueue[EncodeJob | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._failed: dict[str, str] = {}  # video path -> why it could not be written
        self._unwanted: set[str] = set()
        self._cancelled = False
        self._thread = threading.Thread(target=self._work, name="streamscope-videos",
                                        daemon=True)
        self._thread.start()

    def submit(self, job: EncodeJob) -> None:
        with self._lock:
            self._pending += 1
        self._jobs.put(job)

    def discard(self, video: Path) -> None:
        """`video` is not wanted after all (a replay's): removed once written, never left."""
        with self._lock:
            self._unwanted.add(str(video))
        video.unlink(missing_ok=True)  # in case it was written already

    def wait(self) -> dict[str, str]:
        """Once every job submitted is done: why each video that could not be written was not,
        by its path."""
        with self._idle:
            if self._following is None and self._after is not None:
                self._following = ThreadPoolExecutor(
                    1, thread_name_prefix="streamscope-videos-after", initializer=lower_priority)
            self._idle.wait_for(lambda: self._pending == 0)
            return {video: why for video, why in self._failed.items()
                    if video not in self._unwanted}

    def close(self, *, cancel: bool = False) -> None:
        with self._lock:
            self._cancelled = self._cancelled or cancel
        self._jobs.put(None)
        self._thread.join()
        with self._lock:
            following, self._following = self._following, None
        if following is not None:
            following.shutdown(cancel_futures=cancel)

    def _work(self) -> None:
        lower_priority()
        while (job := self._jobs.get()) is not None:
            with self._lock:
                skip = self._cancelled
            error = None
            try:
                if skip:
                    shutil.rmtree(job.spool, ignore_errors=True)
                else:
                    encode_now(job)
            except Exception as exc:  # the video is lost, never the run
                error = one_line(exc)
            with self._lock:
                wanted = not skip and error is None and str(job.video) not in self._unwanted
                if error is not None:
                    self._failed[str(job.video)] = error
                following = self._following
            if not wanted:
                self._done(job.video)
            elif following is not None:
                following.submit(self._follow, job.video)
            else:
                self._follow(job.video)

    def _follow(self, video: Path) -> None:
        """What follows a written video, if anything; then it is done."""
        try:
            if self._after is not None:
                self._after(video)
        except Exception:
            pass  # an extra: the video stands, and the caller can do it again
        finally:
            self._done(video)

    def _done(self, video: Path) -> None:
        with self._idle:
            if str(video) in self._unwanted:
                video.unlink(missing_ok=True)
            self._pending -= 1
            self._idle.notify_all()
