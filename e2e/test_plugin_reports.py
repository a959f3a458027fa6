"""A user's suite run with pytest-html's --html and --junitxml: every recording in its test's
row (verdicts, filmstrip, video) and in the XML's properties."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

pytest_plugins = ["pytester"]

STILLS = re.compile(r'<a class="still" href="([^"]+)"')

# A list of four items over 1.2 s: progressive in chromium, with time to spare on a busy machine.
USER_TESTS = """
from streamscope.demo_server.thread import demo_server

def test_list_streams(record):
    with demo_server() as base:
        record(base + "/probe?count=4&delay=0.4")

def test_two_pages(record):
    with demo_server() as base:
        record(base + "/probe?count=4&delay=0.4&item_bytes=80")
        record(base + "/sync")
"""


def test_a_users_suite_shows_its_recordings_in_pytest_html_and_junit_xml(
        pytester: pytest.Pytester):
    # One browser run for every check: the HTML file in a folder of its own, so that its
    # links to the artifacts must climb out of it.
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess(
        "--browser", "chromium", "--video", "on", "--output", "artifacts",
        "--html", "html/report.html", "--junitxml", "junit.xml",
    )
    result.assert_outcomes(passed=2)
    _check_one_recording(pytester.path)
    _check_two_recordings(pytester.path)
    _check_junit_xml(pytester.path)


def _rows(html: Path) -> dict[str, list[dict[str, Any]]]:
    """pytest-html 4 keeps its rows as JSON in the page; its script draws them."""
    blob = re.search(r'data-jsonblob="([^"]*)"', html.read_text(encoding="utf-8"))
    assert blob is not None
    return json.loads(unescape(blob.group(1)))["tests"]


def _extras(html: Path, test: str) -> list[dict[str, Any]]:
    (row,) = _rows(html)[f"test_user.py::{test}[chromium]"]
    return row["extras"]


def _file(html: Path, href: str) -> Path:
    """A link in the row, resolved as the browser showing the report resolves it."""
    assert not href.startswith(("/", "data:", "http")), href
    return (html.parent / unquote(href)).resolve()


def _check_one_recording(suite: Path) -> None:
    html = suite / "html" / "report.html"
    extras = _extras(html, "test_list_streams")
    verdict = next(extra["content"] for extra in extras if extra["format_type"] == "html")
    assert "/probe?count=4&amp;delay=0.4</code>" in verdict
    assert re.search(r"<th[^>]*>progressive</th><td>yes \(from the paint\)", verdict), verdict
    assert re.search(r"<th[^>]*>DOM</th><td>yes: the page showed", verdict)
    assert re.search(r"<th[^>]*>paint</th><td>yes: the page was on screen from", verdict)
    assert "<th" in verdict and ">cause</th>" in verdict and ">fix</th>" in verdict
    stills = STILLS.findall(verdict)
    assert stills, verdict
    folder = suite / "artifacts" / "test-user-py-test-list-streams-chromium"
    for still in stills:
        assert _file(html, still).is_relative_to(folder / "filmstrip")
        assert _file(html, still).is_file()
    (video,) = [extra for extra in extras if extra["format_type"] == "video"]
    assert video["mime_type"] == "video/webm"
    assert _file(html, video["content"].partition("#t=")[0]) == folder / "video.webm"
    assert (folder / "video.webm").stat().st_size > 0


def _check_two_recordings(suite: Path) -> None:
    html = suite / "html" / "report.html"
    extras = _extras(html, "test_two_pages")
    verdicts = [extra["content"] for extra in extras if extra["format_type"] == "html"]
    assert ["item_bytes=80" in verdicts[0], "/sync" in verdicts[1]] == [True, True]
    assert "<td>yes (from the paint)" in verdicts[0] and "<td>no (from the paint)" in verdicts[1]
    videos = [_file(html, extra["content"].partition("#t=")[0]) for extra in extras
              if extra["format_type"] == "video"]
    assert [video.name for video in videos] == ["video-1.webm", "video-2.webm"]
    assert all(video.is_file() for video in videos)
    for number, verdict in enumerate(verdicts, start=1):
        stills = STILLS.findall(verdict)
        assert stills and all(f"/filmstrip-{number}/" in still for still in stills)
        assert all(_file(html, still).is_file() for still in stills)


def _check_junit_xml(suite: Path) -> None:
    cases = {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
             for case in ET.parse(suite / "junit.xml").iter("testcase")}
    one = cases["test_list_streams[chromium]"]
    assert one["streamscope.chromium.incremental"] == "true"
    assert one["streamscope.chromium.painted_incrementally"] == "true"
    assert one["streamscope.chromium.cause"]
    assert float(one["streamscope.chromium.first_content_ms"]) < float(
        one["streamscope.chromium.response_end_ms"])
    assert float(one["streamscope.chromium.first_paint_ms"]) < float(
        one["streamscope.chromium.response_end_ms"])
    two = cases["test_two_pages[chromium]"]
    assert two["streamscope.chromium.incremental"] == "true"
    assert two["streamscope.chromium.2.incremental"] == "false"
    assert set(two) == {f"streamscope.chromium.{n}{name}" for n in ("", "2.") for name in (
        "incremental", "painted_incrementally", "cause", "first_content_ms", "first_paint_ms",
        "response_end_ms")}


def test_without_pytest_html_nothing_changes(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TESTS.split("\ndef test_two_pages")[0] + """
import sys

def test_the_html_extras_are_not_loaded():
    assert "streamscope.plugin.html_extras" not in sys.modules
""")
    # As if pytest-html were not installed: its plugin and options are gone.
    result = pytester.runpytest_subprocess("-p", "no:html", "--browser", "chromium",
                                           "--streamscope-no-paint", "-W", "error")
    result.assert_outcomes(passed=2)
    assert "warning" not in result.stdout.str().lower()


def test_an_html_report_inside_the_output_folder_is_refused(pytester: pytest.Pytester):
    # pytest-playwright empties --output as the session starts, the report's assets with it.
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("--output", "out", "--html", "out/report.html")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--html out/report.html is inside --output*"])
