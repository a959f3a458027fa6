"""Each recording in the pytest-html row of the test that made it: verdicts, cause and fix,
filmstrip, video.

Registered by the plugin only when pytest-html writes a report (`--html`), so a suite without
it is untouched. The files stay in pytest-playwright's artifact folder beside the test's
video (`filmstrip/` there, `filmstrip-2/` for a test's second recording) and the row links
them by paths relative to the HTML file; with `--self-contained-html` they are embedded
instead, since pytest-html warns about every linked file in such a report.

The extras are added to the teardown report: the videos are only in their folder once the
`record` fixture has ended, and pytest-html shows every phase's extras in the test's row.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_html

from streamscope.report.index_page import navigation_start_s
from streamscope.report.stills import recording_artifacts
from streamscope.run.runs import Run
from streamscope.wording import milliseconds, yes_no

UNKNOWN = "not recorded"  # yes_no's word for what was not measured
_EXTRAS = pytest.StashKey[list[dict[str, Any]]]()


@dataclass(frozen=True)
class Filmed:
    """A test's recording, with where its screen video is now and whether --video kept it."""

    run: Run
    video: Path | None
    kept: bool


class HtmlExtras:
    """`folder` holds the HTML file; `embed` puts the files in it instead of linking them."""

    def __init__(self, folder: Path, embed: bool = False) -> None:
        self.folder = folder
        self.embed = embed

    @classmethod
    def of(cls, config: pytest.Config) -> HtmlExtras:
        # Where pytest-html writes the report: --html against the working directory.
        html = Path.cwd() / Path(os.path.expandvars(config.getoption("htmlpath"))).expanduser()
        output = Path(config.getoption("--output")).absolute()
        if html.absolute().is_relative_to(output):
            raise pytest.UsageError(
                f"--html {config.getoption('htmlpath')} is inside --output {output}, which "
                "pytest-playwright empties as the session starts: write the report elsewhere")
        return cls(html.parent, bool(config.getoption("self_contained_html", default=False)))

    def add(self, item: pytest.Item, recorded: Sequence[tuple[Run, Path | None]],
            moved: Mapping[Path, Path], out: Path) -> None:
        """Cuts each recording's filmstrip into `out` and queues its extras for the row.

        `recorded` holds each run with the video it was filmed into, `moved` where --video
        kept a video (the others are where they were filmed, or gone).
        """
        extras = item.stash.setdefault(_EXTRAS, [])
        for number, (run, video) in enumerate(recorded, start=1):
            filmed = Filmed(run, moved.get(video, video) if video else None, video in moved)
            stills = out / ("filmstrip" if len(recorded) == 1 else f"filmstrip-{number}")
            extras += self.extras(filmed, stills)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        if call.when == "teardown" and _EXTRAS in item.stash:
            report.extras = [*getattr(report, "extras", []), *item.stash[_EXTRAS]]
            del item.stash[_EXTRAS]
        return report

    def extras(self, filmed: Filmed, stills: Path) -> list[dict[str, Any]]:
        """pytest-html's extras for one recording: its verdicts with the filmstrip cut into
        `stills`, the video where it was kept, and the final screen."""
        run = filmed.run
        paint = run.recording.paint
        cut = None
        if paint is not None and filmed.video is not None and filmed.video.is_file():
            recording = replace(run.recording, paint=replace(paint, video=str(filmed.video)))
            cut = recording_artifacts(recording, stills)
        strip = cut.filmstrip if cut is not None else ()
        extras = [pytest_html.extras.html(self._verdict(filmed, strip))]
        name = f"{run.recording.browser}: {run.recording.url}"
        if filmed.kept and filmed.video is not None:
            video = self._media(filmed.video)
            start = navigation_start_s(paint)
            if start and not self.embed:  # as the report's player: from navigation start
                video += f"#t={start:.3f}"
            extras.append(pytest_html.extras.video(
                video, name=f"{name} (video)", mime_type="video/webm", extension="webm"))
        if cut is not None and cut.screenshot is not None:
            extras.append(pytest_html.extras.png(self._media(cut.screenshot),
                                                 name=f"{name} (final screen)"))
        return extras

    def _verdict(self, filmed: Filmed, strip: Sequence[tuple[float, Path]]) -> str:
        recording, verdict = filmed.run.recording, filmed.run.verdict
        engine = " ".join(p for p in (recording.browser, recording.engine.version) if p)
        if recording.error is not None:
            rows = [("recording", f"none: {recording.error}")]
        else:
            rows = [
                ("progressive", f"{yes_no(verdict.incremental, unknown=UNKNOWN)} (from the "
                                f"{'paint' if verdict.verdict_from == 'paint' else 'DOM'})"),
                ("DOM", f"{yes_no(verdict.dom_incremental, unknown=UNKNOWN)}: "
                        f"{verdict.dom_reason}"),
                ("paint", yes_no(verdict.painted_incrementally, unknown=UNKNOWN)
                 + (f": {verdict.paint_reason}" if verdict.paint_reason else "")),
                ("cause", verdict.cause),
                ("fix", verdict.fix or "—"),
                ("times", f"first content {milliseconds(verdict.first_content_ms)} · first "
                          f"paint {milliseconds(verdict.first_paint_ms)} · response end "
                          f"{milliseconds(verdict.response_end_ms)}"),
            ]
            if filmed.video is not None and not filmed.kept:
                rows.append(("video", "not kept (see --video)"))
        table = "".join(f'<tr><th style="text-align:left;padding-right:1em;vertical-align:top">'
                        f"{escape(key)}</th><td>{escape(value)}</td></tr>" for key, value in rows)
        return (f'<div class="streamscope"><p><strong>streamscope · {escape(engine)}</strong> · '
                f"<code>{escape(recording.url)}</code></p><table>{table}</table>"
                f"{self._strip(recording.browser, strip)}</div>")

    def _strip(self, browser: str, strip: Sequence[tuple[float, Path]]) -> str:
        """The filmstrip as small stills in a row, each with its time from navigation start.

        All at once, not in pytest-html's one-at-a-time media viewer (its issue #780), and
        drawn as backgrounds, not <img>: that viewer takes the first <img> of the row for its
        own (pytest-html 4.2 app.js, `resultBody.querySelector('img')`) and hides it.
        """
        frames = []
        for page_ms, png in strip:
            src = self._media(png, inline=True)
            time = f"{page_ms / 1000:.1f} s"
            link = "" if self.embed else f' href="{escape(src)}" target="_blank"'
            frames.append(
                f'<li style="text-align:center"><a class="still"{link} role="img" '
                f'aria-label="{escape(browser)} at {time}" style="display:block;width:120px;'
                f"height:75px;border:1px solid #ccc;background:#fff url('{escape(src)}') "
                f'center/contain no-repeat"></a><small>{time}</small></li>')
        if not frames:
            return ""
        return ('<ol class="streamscope-filmstrip" style="display:flex;flex-wrap:wrap;gap:4px;'
                f'list-style:none;padding:0">{"".join(frames)}</ol>')

    def _media(self, path: Path, inline: bool = False) -> str:
        """A file as the row refers to it: relative to the HTML file, or embedded in it
        (base64 for pytest-html's own media, a data URI for our inline stills)."""
        if not self.embed:
            return quote(Path(os.path.relpath(path, self.folder)).as_posix())
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        if not inline:
            return data
        return f"data:{mimetypes.guess_type(path.name)[0] or 'image/png'};base64,{data}"
