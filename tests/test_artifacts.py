"""Stills cut from a run's videos: each final screen once, however early. ffmpeg, no browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamscope import artifacts
from streamscope.artifacts import FinalStills


@pytest.fixture
def cuts(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every final screen cut, by where it went; the cut writes a stand-in file."""
    made: list[Path] = []

    def final_screenshot(video: Path, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"png")
        made.append(path)
        return path

    monkeypatch.setattr(artifacts.film, "final_screenshot", final_screenshot)
    return made


def test_a_final_screen_cut_as_the_video_was_written_is_not_cut_again(
    tmp_path: Path, cuts: list[Path]
) -> None:
    stills = tmp_path / "stills"
    finals = FinalStills(stills)
    video = tmp_path / "01-chromium.webm"
    finals.cut(video)
    assert finals.of(video, stills / "01-chromium") == stills / "01-chromium" / "final.png"
    assert cuts == [stills / "01-chromium" / "final.png"]


def test_a_final_screen_wanted_elsewhere_or_not_cut_yet_is_cut_then(
    tmp_path: Path, cuts: list[Path]
) -> None:
    finals = FinalStills(tmp_path / "stills")
    video = tmp_path / "01-chromium.webm"
    finals.cut(video)
    assert finals.of(video, tmp_path / "other") == tmp_path / "other" / "final.png"
    assert finals.of(tmp_path / "02-firefox.webm", tmp_path / "stills" / "02-firefox")
    assert len(cuts) == 3
