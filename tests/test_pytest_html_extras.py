"""One recording as pytest-html extras, on a small video ffmpeg draws: no browser."""

from __future__ import annotations

import base64
import re
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest

from streamscope.plugin.html_extras import Filmed, HtmlExtras
from streamscope.recording import Recording
from streamscope.run.runs import Run
from tests.test_paint_analysis import NAVIGATION_AT_S, synthesize
from tests.timelines import ENGINE, recording, streamed

STILL = re.compile(r'<a class="still" href="([^"]+)"')


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize(tmp_path_factory.mktemp("video") / "video.webm")


@pytest.fixture
def filmed(tmp_path: Path, video: Path) -> Filmed:
    """A recording whose video --video kept in its test's artifact folder."""
    kept = tmp_path / "artifacts" / "test-x-chromium" / "video.webm"
    kept.parent.mkdir(parents=True)
    shutil.copyfile(video, kept)
    timeline = recording(streamed(steps=3, every_ms=400), end=1500,
                         paint=[(0, 0.0), (420, 0.25), (820, 0.5), (1220, 1.0)])
    assert timeline.paint is not None
    timeline.paint = replace(timeline.paint, video=str(kept),
                             video_offset_ms=-NAVIGATION_AT_S * 1000)
    return Filmed(Run.of(timeline), kept, kept=True)


def test_the_row_links_verdicts_stills_and_video_relative_to_the_html(tmp_path, filmed):
    html = tmp_path / "html"  # pytest-html makes it
    html.mkdir()
    stills = tmp_path / "artifacts" / "test-x-chromium" / "filmstrip"
    verdict, video, final = HtmlExtras(html).extras(filmed, stills)
    assert verdict["format_type"] == "html"
    text = verdict["content"]
    assert "progressive</th><td>yes (from the paint)" in text
    assert "DOM</th><td>yes: the page showed 10 visible characters from 20 ms" in text
    assert "cause</th><td>streamed" in text and "fix</th><td>—" in text
    links = STILL.findall(text)
    assert links == [f"../artifacts/test-x-chromium/filmstrip/filmstrip-{n:03d}-{n * 500}ms.png"
                     for n in range(4)]
    assert all((html / unquote(link)).is_file() for link in links)
    assert f"url('{links[0]}')" in text
    assert (video["format_type"], video["mime_type"]) == ("video", "video/webm")
    assert video["content"] == "../artifacts/test-x-chromium/video.webm#t=1.200"
    assert final["format_type"] == "image" and (html / final["content"]).is_file()


def test_a_self_contained_report_embeds_every_file(tmp_path, filmed):
    verdict, video, final = HtmlExtras(tmp_path / "html", embed=True).extras(
        filmed, tmp_path / "stills")
    assert "../" not in verdict["content"] and not STILL.search(verdict["content"])
    assert verdict["content"].count("url('data:image/png;base64,") == 4
    assert base64.b64decode(video["content"]) == filmed.video.read_bytes()
    assert base64.b64decode(final["content"]).startswith(b"\x89PNG")


def test_a_video_that_was_not_kept_still_gives_its_filmstrip(tmp_path, filmed):
    extras = HtmlExtras(tmp_path).extras(replace(filmed, kept=False), tmp_path / "stills")
    assert [extra["format_type"] for extra in extras] == ["html", "image"]
    assert "video</th><td>not kept (see --video)" in extras[0]["content"]
    assert len(STILL.findall(extras[0]["content"])) == 4


def test_a_recording_without_paint_or_that_failed_is_its_verdict_alone(tmp_path):
    no_paint = Filmed(Run.of(recording(streamed())), None, kept=False)
    (extra,) = HtmlExtras(tmp_path).extras(no_paint, tmp_path / "stills")
    assert "paint</th><td>not recorded" in extra["content"] and "still" not in extra["content"]
    failed = Recording(url="http://127.0.0.1/<x>", engine=ENGINE, error="chromium & co died")
    (extra,) = HtmlExtras(tmp_path).extras(Filmed(Run.of(failed), None, False), tmp_path)
    assert "recording</th><td>none: chromium &amp; co died" in extra["content"]
    assert "<code>http://127.0.0.1/&lt;x&gt;</code>" in extra["content"]
