"""The HTML report, built from hand-made recordings: no browser, no network."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image

from streamscope.judge.verdict import judge
from streamscope.recording import (
    DomSample,
    EngineInfo,
    PaintTimeline,
    Recording,
)
from streamscope.report import Artifacts, FiguresAhead, plots, write_report
from streamscope.report.palette import engine_styles
from streamscope.run.runs import Run
from tests.timelines import painted

BASE = "http://127.0.0.1:5123"
ENGINES = {
    "chromium": EngineInfo("chromium", "Blink", "Chromium", "140.0.7339.185", "playwright"),
    "firefox": EngineInfo("firefox", "Gecko", "Firefox ESR", "140.3.0esr", "playwright"),
    "webkit": EngineInfo("webkit", "WebKit", "WebKitGTK MiniBrowser", "2.50.6", "webdriver"),
}
SVG = "{http://www.w3.org/2000/svg}"


def _run(path: str, engine: str, steps: list[tuple[float, int]], end: float,
         paint: bool = True) -> Run:
    timeline = None
    if paint:
        frames = [painted(t + 33, chars / steps[-1][1]) for t, chars in steps]
        timeline = PaintTimeline(frames, frames[0].t_ms, frames[-1].t_ms, 33.0, "test video")
    recording = Recording(
        url=BASE + path, engine=ENGINES[engine], status=200,
        response_end_ms=end, ended=True, dom=[DomSample(t, c, 1 + c // 10) for t, c in steps],
        dom_error_ms=5.0, paint=timeline,
    )
    return Run(recording, judge(recording))


def _progressive(path: str, engine: str) -> Run:
    return _run(path, engine, [(20 + i * 500.0, 10 * (i + 1)) for i in range(10)], 5005.0)


def _at_end(path: str, engine: str) -> Run:
    return _run(path, engine, [(5012.0, 100)], 5010.0)


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 36), "white").save(path)
    return path


class _Page(HTMLParser):
    """index.html as the tests read it: its text, its tags, and every link it holds."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: Counter[str] = Counter()
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.ids |= {v for k, v in attrs if k == "id" and v}
        self.links += [v for k, v in attrs if k in ("src", "href", "poster", "srcset") and v]

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self._text).split())


@pytest.fixture
def runs() -> list[Run]:
    return [
        _progressive("/hello-world", "chromium"),
        _progressive("/hello-world", "firefox"),
        _at_end("/hello-world", "webkit"),
        _run("/sync", "chromium", [(10.0, 100)], 9.0),
        _run("/sync", "firefox", [(11.0, 100)], 10.0),
        _run("/sync", "webkit", [(12.0, 100)], 11.0, paint=False),
    ]


@pytest.fixture
def artifacts(tmp_path: Path) -> dict[tuple[str, str, int], Artifacts]:
    saved = tmp_path / "saved"
    video = saved / "chromium.webm"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"\x1aE\xdf\xa3 not a real webm")
    strip = [(t, _png(saved / f"frames/{t:.0f}.png")) for t in (0.0, 2500.0, 5500.0)]
    return {
        (BASE + "/hello-world", "chromium", 0): Artifacts(video=video, filmstrip=strip,
                                                       screenshot=strip[-1][1]),
        (BASE + "/hello-world", "firefox", 0): Artifacts(filmstrip=strip),
        (BASE + "/hello-world", "webkit", 0): Artifacts(video=saved / "gone.webm", filmstrip=strip),
    }


@pytest.fixture
def index(tmp_path: Path, runs: list[Run],
          artifacts: dict[tuple[str, str, int], Artifacts]) -> Path:
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.json").write_text("[]")  # the harness writes it next to index.html
    return write_report(runs, out, artifacts=artifacts, title="Streaming check",
                        machine={"hostname": "ci-7", "cpus": 8, "memory_gib": None},
                        created=datetime(2025, 6, 1, 14, 3, tzinfo=UTC))


@pytest.fixture
def rendered(index: Path) -> _Page:
    return _Page(index.read_text(encoding="utf-8"))


def test_the_headline_groups_engines_by_what_they_did(rendered: _Page) -> None:
    # ✓ and ✗ are hidden from screen readers; the words carry the meaning.
    assert ("✓ Chromium and Firefox render /hello-world progressively; "
            "✗ WebKit shows nothing until the response ends (5.0 s).") in rendered.text
    assert ("✗ On /sync, Chromium, Firefox and WebKit show nothing until the response ends "
            "(9–11 ms).") in rendered.text


def test_the_table_shows_each_engine_with_its_numbers_and_reasons(
        rendered: _Page, runs: list[Run]) -> None:
    assert "WebKit — WebKitGTK MiniBrowser 2.50.6" in rendered.text
    assert "Chromium — Chromium 140.0.7339.185" in rendered.text
    for run in runs:
        assert run.verdict.dom_reason in rendered.text
        if run.verdict.paint_reason:
            assert run.verdict.paint_reason in rendered.text
    assert "5,005 ms" in rendered.text and "5,012 ms" in rendered.text
    # The headline, DOM and paint, for Chromium and Firefox.
    assert rendered.text.count("✓ Yes") == 6
    assert "not recorded" in rendered.text  # WebKit on /sync has no paint timeline


def test_every_link_is_relative_and_points_into_the_folder(index: Path, rendered: _Page) -> None:
    folder = index.parent.resolve()
    assert rendered.links
    for link in rendered.links:
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc, link
        if not parts.path:
            assert parts.fragment in rendered.ids, link
            continue
        target = (folder / unquote(parts.path)).resolve()
        assert target.is_relative_to(folder), link
        assert target.is_file(), link
    assert "report.json" in rendered.links


def test_nothing_comes_from_the_network(index: Path) -> None:
    html = index.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href|poster)\s*=\s*["']?\s*(https?:)?//""", html)
    css = (index.parent / "report.css").read_text()
    assert "@import" not in css and "url(" not in css


def test_artifacts_are_copied_into_the_folder(index: Path, rendered: _Page) -> None:
    assert len(list((index.parent / "video").iterdir())) == 1
    assert len(list((index.parent / "filmstrip").rglob("*.png"))) == 9
    assert rendered.tags["video"] == 1
    assert "Final screenshot" in rendered.text
    assert "end 5,005 ms" in rendered.text  # the response ended between two frames


def test_a_missing_video_is_said_not_shown(rendered: _Page) -> None:
    assert "No video was recorded for this run." in rendered.text
    assert "The video file gone.webm was not found" in rendered.text


def test_each_plot_is_an_svg_with_one_line_per_engine(index: Path) -> None:
    plots = sorted((index.parent / "plots").glob("*.svg"))
    assert [p.name for p in plots] == ["hello-world.svg", "sync.svg"]
    for plot in plots:
        ids = Counter(el.get("id", "") for el in ET.parse(plot).iter())
        for engine in ENGINES:
            assert ids[f"dom-{engine}"] == 1
            assert ids[f"end-{engine}"] == 1
        assert sum(1 for i in ids if re.fullmatch(r"dom-[a-z]+", i)) == 3
        assert plot.stat().st_size < 80_000
        # Text stays text (svg.fonttype none), with no glyph outlines embedded.
        assert ET.parse(plot).find(f".//{SVG}text") is not None
    sync_ids = {el.get("id") for el in ET.parse(index.parent / "plots/sync.svg").iter()}
    assert {"paint-chromium", "paint-firefox"} <= sync_ids and "paint-webkit" not in sync_ids


def test_plots_are_the_same_for_the_same_runs(tmp_path: Path, runs: list[Run]) -> None:
    first = write_report(runs, tmp_path / "a").parent / "plots/hello-world.svg"
    second = write_report(runs, tmp_path / "b").parent / "plots/hello-world.svg"
    assert first.read_bytes() == second.read_bytes()


def test_figures_drawn_as_the_run_ended_are_the_ones_the_report_would_draw(
    tmp_path: Path, runs: list[Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    late = write_report(runs, tmp_path / "late").parent / "plots"
    figures = FiguresAhead()
    figures.start(runs)
    drawn: list[str] = []
    monkeypatch.setattr(plots, "write_growth_plot",
                        lambda url_runs, *_: drawn.append(url_runs[0].recording.url))
    # A run that lost its paint after the figures were drawn (its video could not be written).
    changed = [*runs[:3], Run(replace(runs[3].recording, paint=None), runs[3].verdict),
               *runs[4:]]
    ahead = write_report(changed, tmp_path / "ahead", figures=figures).parent / "plots"
    assert (ahead / "hello-world.svg").read_bytes() == (late / "hello-world.svg").read_bytes()
    assert drawn == [BASE + "/sync"]  # drawn anew, from what the run holds at the end


def test_a_urls_figure_is_drawn_as_soon_as_every_run_of_it_is_finished(
    tmp_path: Path, runs: list[Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    late = write_report(runs, tmp_path / "late").parent / "plots"
    figures = FiguresAhead(Counter(run.recording.url for run in runs))
    first = [run for run in runs if run.recording.url == BASE + "/hello-world"]
    figures.runs_finished(first[:-1])  # one run of it still going on: not drawn
    figures.runs_finished(first)
    drawn: list[str] = []
    monkeypatch.setattr(plots, "write_growth_plot",
                        lambda url_runs, *_: drawn.append(url_runs[0].recording.url))
    ahead = write_report(runs, tmp_path / "ahead", figures=figures).parent / "plots"
    assert (ahead / "hello-world.svg").read_bytes() == (late / "hello-world.svg").read_bytes()
    assert BASE + "/hello-world" not in drawn and drawn  # the others, at the end


def test_the_machine_and_the_date_are_shown(rendered: _Page) -> None:
    assert "2025-06-01 14:03 UTC" in rendered.text
    assert "ci-7" in rendered.text and "CPUs" in rendered.text and "Memory GiB—" in rendered.text


def test_an_artifact_already_in_the_folder_is_linked_in_place(tmp_path: Path) -> None:
    out = tmp_path / "report"
    video = out / "videos" / "mine.webm"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"webm")
    run = _progressive("/hello-world", "chromium")
    index = write_report([run], out, artifacts={(run.recording.url, "chromium", 0):
                                                Artifacts(video=video)})
    assert "videos/mine.webm" in _Page(index.read_text()).links
    assert not (out / "video").exists()


def test_a_failed_recording_is_reported_as_such(tmp_path: Path) -> None:
    recording = Recording(url=BASE + "/x", engine=ENGINES["webkit"],
                          error="WebKitWebDriver did not start")
    index = write_report([Run(recording, judge(recording))], tmp_path)
    assert "WebKit could not record /x." in _Page(index.read_text()).text


def test_no_runs_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no runs"):
        write_report([], tmp_path)


def test_a_held_run_shows_its_cause_fix_measurements_and_replay(tmp_path: Path) -> None:
    from dataclasses import replace

    from streamscope.engines import gates
    from streamscope.prove.verify import FixReplay, ReplayVerdict
    from streamscope.recording import Threshold, WireChunk, WireTimeline

    engine = replace(ENGINES["webkit"], gates=gates.WEBKIT_LINUX, safari_core=True)
    wire = WireTimeline(200, {"content-type": "text/html"},
                        [WireChunk(i * 500.0, 19) for i in range(10)], ended=True)
    recording = Recording(url=BASE + "/hello-world", engine=engine, status=200,
                          committed_ms=5010, response_end_ms=5000, ended=True,
                          dom=[DomSample(5010, 81, 9)], wire=wire,
                          thresholds=(Threshold("text/html", False, 527, 204, 23),))
    from streamscope.prove.fixed_chunk import Applied

    applied = Applied(591, "as a comment right after `<body>`", "<body><h1>Orders</h1>",
                      "<body>⟦<!-- 591 bytes of padding -->⟧<h1>Orders</h1>")
    replay = FixReplay(True, {"leading_bytes": applied}, ReplayVerdict(False, "held"),
                       ReplayVerdict(True, "shown"), "verified: with 591 leading invisible "
                       "bytes, webkit rendered progressively in the replay")
    index = write_report([Run.of(recording, replay)], tmp_path)
    text = _Page(index.read_text()).text
    assert "below_byte_threshold" in text
    assert "send at least 527 bytes early" in text
    assert "bytes before end 171 · threshold bytes 527" in text
    assert "whether Safari would be held is unknown" in text
    assert "verified: with 591 leading invisible bytes" in text
    assert "leading bytes, as a comment right after `<body>`:" in text
    assert "- <body><h1>Orders</h1>" in text
    assert "+ <body>⟦<!-- 591 bytes of padding -->⟧<h1>Orders</h1>" in text


def test_the_status_a_redirect_and_a_stream_that_never_ended_are_shown(tmp_path):
    not_found = _progressive("/missing", "chromium")
    not_found.recording.status = 404
    moved = _progressive("/old", "firefox")
    moved.recording.final_url = BASE + "/new"
    live = _progressive("/feed", "webkit")
    live.recording.timed_out = live.recording.never_ended = True
    page = write_report([not_found, moved, live], tmp_path).read_text()
    assert '<span class="warn">404</span>' in page
    assert f"the document came from <code>{BASE}/new</code>" in page
    assert '<span class="warn">never ended</span>' in page


def test_a_loading_state_row_gives_the_first_paint_its_reason_gives(tmp_path: Path) -> None:
    """The screen changed at 40 ms (a background colour), showed "Loading…" from 146 ms and
    the page at 3,046 ms: the first-paint column is the loading state's, as in the reason."""
    frames = [painted(40, 0.0, 0.0), painted(146, 0.0, 0.004, 0.0), painted(3046, 1.0, 0.2)]
    timeline = PaintTimeline(frames, 40.0, 3046.0, 20.0, "test video")
    recording = Recording(
        url=BASE + "/loading/react", engine=ENGINES["chromium"], status=200,
        response_end_ms=3040, ended=True, committed_ms=10.0,
        dom=[DomSample(10, 0, 0), DomSample(89, 8, 1), DomSample(3041, 900, 20)],
        dom_error_ms=5.0, paint=timeline)
    run = Run(recording, judge(recording))
    text = _Page(write_report([run], tmp_path).read_text()).text
    assert "Chromium renders /loading/react progressively." in text
    assert "146 ms ±20" in text and "40 ms ±20" not in text
    assert ("the screen showed a loading state (8 visible characters) from 146 ms, 2,894 ms "
            "before the response ended at 3,040 ms; the page replaced it at 3,046 ms") in text


def test_a_url_recorded_twice_in_one_engine_shows_each_takes_own_files(tmp_path: Path) -> None:
    # `streamscope run URL URL`: two takes of one URL in one engine, each filmed.
    runs = [_progressive("/hello-world", "chromium"), _progressive("/hello-world", "chromium")]
    saved = tmp_path / "saved"
    saved.mkdir()
    files = {}
    for take in (0, 1):
        video = saved / f"{take}.webm"
        video.write_bytes(f"take {take}".encode())
        files[(BASE + "/hello-world", "chromium", take)] = Artifacts(
            video=video, filmstrip=[(0.0, _png(saved / f"{take}/0.png"))],
            screenshot=_png(saved / f"{take}/final.png"))
    out = tmp_path / "report"
    page = _Page(write_report(runs, out, artifacts=files).read_text())

    def linked(folder: str) -> set[str]:
        return {unquote(urlsplit(link).path) for link in page.links if link.startswith(folder)}

    assert sorted((out / video).read_bytes() for video in linked("video/")) == [b"take 0",
                                                                               b"take 1"]
    assert len(linked("screenshots/")) == 2 and len(linked("filmstrip/")) == 2


def test_the_same_runs_draw_byte_identical_figures(runs: list[Run]) -> None:
    # matplotlib names a clip path by a hash of its box's floats, whose last bits moved from
    # one drawing to the next: ids are numbered instead, so two reports of a run can be diffed.
    styles = engine_styles([run.recording.engine.name for run in runs])
    drawn = {plots.growth_svg(runs, styles) for _ in range(8)}
    assert len(drawn) == 1
    assert re.search(rb'id="[mp][0-9a-f]{10}"', drawn.pop()) is None
