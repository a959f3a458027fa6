"""`streamscope report RUNS.json`: the report drawn again from a saved --json, no browser."""

import re
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from streamscope.cli.commands import RUN_TITLE, cli
from streamscope.report import RAW_JSON, write_report
from streamscope.run.runs import Run, write_json
from tests.timelines import elsewhere, recording, streamed

BASE = "http://127.0.0.1:8800"
MACHINE = {"hostname": "ci-7", "cpus": 2}


def _runs(video: Path) -> list[Run]:
    painted = elsewhere(recording(streamed(), paint=[(0, 0.0), (40, 0.2), (5010, 1.0)]),
                        url=BASE + "/feed")
    assert painted.paint is not None
    painted.paint = replace(painted.paint, video=str(video), video_offset_ms=-500.0)
    held = elsewhere(recording([(10, 0, 0), (5010, 100, 10)], wire_times=[0, 2500, 5000]),
                     browser="webkit", url=BASE + "/feed")
    return [Run.of(painted), Run.of(held),
            Run.of(elsewhere(recording([(10, 0, 0), (12, 80, 4)], end=11), url=BASE + "/sync"))]


def _verdict_table(index: Path) -> str:
    match = re.search(r'<table class="verdicts">.*?</table>', index.read_text(), re.S)
    assert match is not None
    return match.group(0)


def _original(folder: Path, runs: list[Run]) -> Path:
    write_json(runs, folder / RAW_JSON, {"machine": MACHINE})
    return write_report(runs, folder, title=RUN_TITLE, machine=MACHINE)


def test_the_report_from_a_saved_json_has_the_original_verdict_table(tmp_path):
    runs = _runs(tmp_path / "gone" / "01-chromium.webm")
    original = _original(tmp_path / "original", runs)
    again = tmp_path / "again"
    result = CliRunner().invoke(cli, ["report", str(original.parent / RAW_JSON),
                                      "--report", str(again)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Report: {again.resolve() / 'index.html'}\n"
    assert _verdict_table(again / "index.html") == _verdict_table(original)
    assert "webkit" in _verdict_table(original).lower()  # the table is not empty
    page = (again / "index.html").read_text()
    assert "The video file 01-chromium.webm was not found" in page
    assert "ci-7" in page  # the machine the runs came from
    assert (again / RAW_JSON).read_text() == (original.parent / RAW_JSON).read_text()


def test_a_moved_report_folder_still_finds_its_videos(tmp_path):
    # Written on a CI machine under /builds/..., downloaded here into moved/.
    runs = _runs(Path("/builds/1/report/streamscope-media/01-chromium.webm"))
    moved = tmp_path / "moved"
    _original(moved, runs)
    (moved / "streamscope-media").mkdir()
    (moved / "streamscope-media" / "01-chromium.webm").write_bytes(b"\x1aE\xdf\xa3 webm")
    result = CliRunner().invoke(cli, ["report", str(moved / RAW_JSON), "--report", str(moved)])
    assert result.exit_code == 0, result.output
    page = (moved / "index.html").read_text()
    assert "streamscope-media/01-chromium.webm#t=0.500" in page
    assert "was not found" not in page
