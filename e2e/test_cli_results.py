"""The CLI's results where CI looks, end to end: the job summary, and a saved run drawn again
and compared."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from streamscope.cli.commands import cli


def _verdict_table(index: Path) -> str:
    match = re.search(r'<table class="verdicts">.*?</table>', index.read_text(), re.S)
    assert match is not None
    return match.group(0)


def test_a_run_writes_the_job_summary_and_its_json_draws_the_report_again(
        server_url: str, tmp_path: Path):
    summary = tmp_path / "summary.md"
    summary.write_text("## Unit tests\npassed\n")
    first = tmp_path / "first"
    result = CliRunner().invoke(
        cli, ["run", "--browser", "chromium", "--report", str(first),
              server_url + "/probe?count=4&delay=0.4", server_url + "/sync"],
        env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0, result.output

    text = summary.read_text()
    assert text.startswith("## Unit tests\npassed\n\n### streamscope: does it render")
    assert f"On `{server_url}`." in text
    rows = [line for line in text.splitlines() if "| chromium |" in line]
    assert [row.split(" | ")[:5] for row in rows] == [
        ["| `/probe?count=4&delay=0.4`", "chromium", "✅ yes (paint)", "✅ yes", "✅ yes"],
        ["| `/sync`", "chromium", "❌ no (paint)", "❌ no", "❌ no"]], text

    again = tmp_path / "again"
    result = CliRunner().invoke(cli, ["report", str(first / "report.json"),
                                      "--report", str(again)])
    assert result.exit_code == 0, result.output
    assert _verdict_table(again / "index.html") == _verdict_table(first / "index.html")
    assert len(list(again.glob("video/*.webm"))) == 2  # the first report's videos, copied
    assert len(list(again.glob("filmstrip/*/chromium/*.png"))) >= 4
    assert "was not found" not in (again / "index.html").read_text()

    result = CliRunner().invoke(cli, ["compare", str(first / "report.json"),
                                      str(again / "report.json")])
    assert (result.exit_code, result.output) == (0, "2 runs: 2 unchanged\n")
    assert json.loads((again / "report.json").read_text())["machine"]


def test_a_url_given_twice_keeps_each_takes_video_in_the_report_and_drawn_again(
        server_url: str, tmp_path: Path):
    url = server_url + "/probe?count=3&delay=0.3"
    first = tmp_path / "first"
    result = CliRunner().invoke(cli, ["run", "--browser", "chromium", "--report", str(first),
                                      url, url])
    assert result.exit_code == 0, result.output
    linked = set(re.findall(r'src="([^"#]+\.webm)', (first / "index.html").read_text()))
    takes = sorted((first / href).read_bytes() for href in linked)
    assert len(takes) == 2 and takes[0] != takes[1]  # each row its own take's video

    again = tmp_path / "again"
    result = CliRunner().invoke(cli, ["report", str(first / "report.json"),
                                      "--report", str(again)])
    assert result.exit_code == 0, result.output
    assert sorted(video.read_bytes() for video in again.glob("video/*.webm")) == takes
