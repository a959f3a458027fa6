"""Stills cut from a run's videos: each final screen once, however early, and a URL's
filmstrips as soon as all of its runs are in. The cuts are stand-ins: no video, no browser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from streamscope.report import stills as cutting
from streamscope.report.stills import recording_artifacts, report_artifacts
from streamscope.report.stills_ahead import StillsAhead
from streamscope.run.runs import Run
from tests.timelines import elsewhere, recording, streamed

URL = "http://127.0.0.1/x"
OTHER = "http://127.0.0.1/y"


@pytest.fixture
def cuts(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every final screen and filmstrip cut, by where it went; each writes a stand-in file."""
    made: list[Path] = []

    def final_screenshot(video: Path, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"png")
        made.append(path)
        return path

    def filmstrip(video: Path, offset_ms: float, times_ms: Sequence[float], out_dir: Path,
                  region: object = None) -> list[Path]:
        made.append(out_dir / "filmstrip")
        return [out_dir / f"filmstrip-{n:03d}.png" for n, _ in enumerate(times_ms)]

    monkeypatch.setattr(cutting.film, "final_screenshot", final_screenshot)
    monkeypatch.setattr(cutting.film, "filmstrip", filmstrip)
    monkeypatch.setattr(cutting, "content_box_of", lambda final: (0, 0, 100, 50))
    return made


def filmed(tmp_path: Path, url: str, browser: str, number: int) -> Run:
    """A run of `url` in `browser` with a video, the `number`th of the run."""
    taken = elsewhere(recording(streamed(6), paint=[(0.0, 0.0), (500.0, 1.0)]), browser=browser,
                      url=url)
    assert taken.paint is not None
    video = tmp_path / "media" / f"{number:02d}-{browser}.webm"
    return Run.of(replace(taken, paint=replace(taken.paint, video=str(video),
                                               video_offset_ms=-40.0)))


def video_of(run: Run) -> Path:
    assert run.recording.paint is not None and run.recording.paint.video is not None
    return Path(run.recording.paint.video)


def test_a_final_screen_cut_as_the_video_was_written_is_not_cut_again(
    tmp_path: Path, cuts: list[Path]
) -> None:
    stills = tmp_path / "stills"
    ahead = StillsAhead(stills)
    video = tmp_path / "01-chromium.webm"
    ahead.cut(video)
    assert ahead.final(video, stills / "01-chromium") == stills / "01-chromium" / "final.png"
    assert cuts == [stills / "01-chromium" / "final.png"]


def test_a_final_screen_wanted_elsewhere_or_not_cut_yet_is_cut_then(
    tmp_path: Path, cuts: list[Path]
) -> None:
    ahead = StillsAhead(tmp_path / "stills")
    video = tmp_path / "01-chromium.webm"
    ahead.cut(video)
    assert ahead.final(video, tmp_path / "other") == tmp_path / "other" / "final.png"
    assert ahead.final(tmp_path / "02-firefox.webm", tmp_path / "stills" / "02-firefox")
    assert len(cuts) == 3


def test_a_urls_filmstrips_are_cut_once_every_run_of_it_is_in_and_not_again(
    tmp_path: Path, cuts: list[Path]
) -> None:
    stills = tmp_path / "stills"
    runs = [filmed(tmp_path, URL, "chromium", 1), filmed(tmp_path, OTHER, "chromium", 2),
            filmed(tmp_path, URL, "firefox", 3)]
    ahead = StillsAhead(stills, {URL: 2, OTHER: 1})
    ahead.runs_finished(runs[:1])
    ahead.cut(video_of(runs[0]))  # URL has one run of two: no strip yet
    assert not [cut for cut in cuts if cut.name == "filmstrip"]
    ahead.runs_finished(runs[:2])
    ahead.cut(video_of(runs[1]))  # OTHER is complete
    strips = [cut for cut in cuts if cut.name == "filmstrip"]
    assert strips == [stills / "02-chromium" / "filmstrip"]
    ahead.runs_finished(runs)
    ahead.cut(video_of(runs[2]))
    early = len(cuts)
    assert cuts.count(stills / "01-chromium" / "filmstrip") == 1

    files = report_artifacts(runs, stills, ahead)

    assert len(cuts) == early  # nothing cut twice
    assert files == report_artifacts(runs, stills)  # what the report cuts itself, all late
    assert [len(files[(run.recording.url, run.recording.browser, 0)].filmstrip)
            for run in runs] == [11, 11, 11]


def test_a_run_whose_video_was_lost_after_its_strip_was_cut_is_shown_without_one(
    tmp_path: Path, cuts: list[Path]
) -> None:
    run = filmed(tmp_path, URL, "chromium", 1)
    ahead = StillsAhead(tmp_path / "stills", {URL: 1})
    ahead.runs_finished([run])
    ahead.cut(video_of(run))
    run.recording.lose_paint("ffmpeg: the disk is full")

    assert report_artifacts([Run.of(run.recording)], tmp_path / "stills", ahead) == {}


def test_each_take_of_a_url_recorded_twice_in_one_engine_has_its_own_stills(
    tmp_path: Path, cuts: list[Path]
) -> None:
    runs = [filmed(tmp_path, URL, "chromium", 1), filmed(tmp_path, URL, "chromium", 2)]
    files = report_artifacts(runs, tmp_path / "stills")
    assert {key: artifact.video for key, artifact in files.items()} == {
        (URL, "chromium", 0): video_of(runs[0]), (URL, "chromium", 1): video_of(runs[1])}


def test_a_response_that_never_ended_is_filmed_until_the_recording_ended(
    tmp_path: Path, cuts: list[Path]
) -> None:
    # A live feed cut at the time limit: its strip runs as long as the page was recorded.
    run = filmed(tmp_path, URL, "chromium", 1)
    never = replace(run.recording, response_end_ms=None, ended=False, never_ended=True)
    strip = report_artifacts([Run.of(never)], tmp_path / "stills")[(URL, "chromium", 0)]
    assert strip.filmstrip[-1][0] >= never.dom[-1].t_ms
    cut = recording_artifacts(never, tmp_path / "one")
    assert cut is not None and [t for t, _ in cut.filmstrip] == [t for t, _ in strip.filmstrip]
