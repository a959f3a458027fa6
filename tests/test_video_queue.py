"""Captured frames made into videos beside the next recording: order, failures, discards,
cancelling, and the lower CPU priority its ffmpeg runs at. ffmpeg, no browser."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from streamscope import priority
from streamscope.paint import video_queue
from streamscope.paint.spool import frame_path, write_frame
from streamscope.paint.video_frames import probe
from streamscope.paint.video_queue import EncodeJob, VideoQueue, encode_now
from tests.timelines import recording as hand_made

START_MS = 1_700_000_000_000.0


def job(folder: Path, name: str, frames: int = 2) -> EncodeJob:
    """`frames` spooled 64 x 32 frames 100 ms apart, to be made into folder/name.webm."""
    spool = folder / f"spool-{name}"
    spool.mkdir(parents=True)
    paths = [frame_path(spool, n) for n in range(frames)]
    for n, path in enumerate(paths):
        write_frame(path, bytes([n * 90, n * 90, n * 90, 0]) * (64 * 32), (64, 32))
    times = [START_MS + 100 * n for n in range(frames)]
    return EncodeJob(paths, times, START_MS + 100 * frames, folder / f"{name}.webm", spool)


def test_encoding_now_writes_the_video_and_removes_the_spool(tmp_path: Path) -> None:
    work = job(tmp_path, "now")
    encode_now(work)
    assert [round(t * 1000) for t in probe(work.video).times_s] == [0, 100]
    assert not work.spool.exists()


def test_the_queue_writes_every_video_by_the_time_wait_returns(tmp_path: Path) -> None:
    videos = VideoQueue()
    jobs = [job(tmp_path, f"v{n}") for n in range(3)]
    for work in jobs:
        videos.submit(work)
    assert videos.wait() == {}
    videos.close()
    assert all(work.video.is_file() and not work.spool.exists() for work in jobs)


def test_a_video_that_cannot_be_written_is_reported_with_why(tmp_path: Path) -> None:
    videos = VideoQueue()
    broken = job(tmp_path, "broken", frames=0)
    videos.submit(broken)
    videos.submit(job(tmp_path, "fine"))
    failed = videos.wait()
    videos.close()
    assert failed == {str(broken.video): "no frames to make a video of"}
    assert (tmp_path / "fine.webm").is_file() and not broken.spool.exists()


def test_a_discarded_video_is_never_left_behind(tmp_path: Path) -> None:
    videos = VideoQueue()
    work = job(tmp_path, "replay")
    videos.submit(work)
    videos.discard(work.video)  # before or after it is written, whichever comes first
    assert videos.wait() == {}
    videos.close()
    assert not work.video.exists()


def test_a_cancelled_queue_drops_what_it_has_not_begun(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_encode(frames: Sequence[Path], times: Sequence[float], end: float,
                    video: Path) -> None:
        started.set()
        release.wait(5)
        video.write_bytes(b"webm")

    monkeypatch.setattr(video_queue, "encode", slow_encode)
    videos = VideoQueue()
    first, second = job(tmp_path, "first"), job(tmp_path, "second")
    videos.submit(first)
    videos.submit(second)
    assert started.wait(5)
    release.set()
    videos.close(cancel=True)
    assert first.video.is_file() and not second.video.exists()
    assert not first.spool.exists() and not second.spool.exists()


def test_the_queue_encodes_at_a_lower_cpu_priority(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    def noting_encode(frames: Sequence[Path], times: Sequence[float], end: float,
                      video: Path) -> None:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    monkeypatch.setattr(video_queue, "encode", noting_encode)
    videos = VideoQueue()
    videos.submit(job(tmp_path, "nice"))
    videos.wait()
    videos.close()
    assert seen == [min(os.getpriority(os.PRIO_PROCESS, 0) + priority.NICENESS, 19)]


def test_a_recording_whose_video_was_lost_is_one_without_paint() -> None:
    recording = hand_made([(100.0, 5, 1)], paint=[(0.0, 0.0), (100.0, 1.0)])
    recording.methods["paint"] = "damage"
    recording.lose_paint("ffmpeg could not encode the frames: boom")
    assert recording.paint is None and "paint" not in recording.methods
    assert recording.paint_error == "ffmpeg could not encode the frames: boom"


def test_what_follows_each_video_runs_once_it_is_written_and_its_failure_is_ignored(
    tmp_path: Path,
) -> None:
    followed: list[str] = []

    def after(video: Path) -> None:
        followed.append(video.name)
        assert video.is_file()
        raise RuntimeError("a still could not be cut")

    videos = VideoQueue(after)
    broken, fine, replay = (job(tmp_path, "broken", frames=0), job(tmp_path, "fine"),
                            job(tmp_path, "replay"))
    videos.discard(replay.video)
    for work in (broken, fine, replay):
        videos.submit(work)
    assert videos.wait() == {str(broken.video): "no frames to make a video of"}
    videos.close()
    assert followed == ["fine.webm"]  # not the failed one, nor the one not wanted


def test_once_waited_for_the_next_video_is_encoded_while_the_last_ones_stills_are_cut(
    tmp_path: Path,
) -> None:
    # The run's recordings are over when it waits: the stills of one video and the encoding
    # of the next take a core each.
    encoded = threading.Event()
    followed: list[tuple[str, bool]] = []

    def after(video: Path) -> None:
        if video.name == "first.webm":
            encoded.wait(60)  # a guard against a hang, never reached: the next one is encoded
        followed.append((video.name, encoded.is_set()))

    def note_encoded(frames, times_ms, end_ms, video) -> None:  # noqa: ANN001
        real_encode(frames, times_ms, end_ms, video)
        if video.name == "second.webm":
            encoded.set()

    real_encode = video_queue.encode
    videos = VideoQueue(after)
    videos.wait()  # the recordings are over
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(video_queue, "encode", note_encoded)
        videos.submit(job(tmp_path, "first"))
        videos.submit(job(tmp_path, "second"))
        assert videos.wait() == {}
    videos.close()
    assert followed == [("first.webm", True), ("second.webm", True)]

