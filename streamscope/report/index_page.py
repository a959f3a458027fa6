"""The report page: runs in, one self-contained folder with index.html out.

This module decides what the page shows and where each file goes; the Jinja2 template
decides how it looks, and plots.py draws the figures.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from streamscope.engines.info import EngineInfo
from streamscope.recording import PaintTimeline
from streamscope.report import findings
from streamscope.report.figures_ahead import FiguresAhead
from streamscope.report.folder import ReportFolder
from streamscope.report.inputs import (
    ArtifactMap,
    Artifacts,
    Judged,
    artifact_keys,
    by_url,
    engine_of,
    video_of,
)
from streamscope.report.palette import EngineStyle, engine_styles
from streamscope.wording import milliseconds, shared_origin

# What a diagnosis's `safari` says, for a reader.
SAFARI_WORDS = {"yes": "Safari would be held too",
                "unknown": "whether Safari would be held is unknown"}
RAW_JSON = "report.json"  # written by the harness next to index.html; the page links it
_WORDS = {"os": "OS", "cpu": "CPU", "cpus": "CPUs", "gpu": "GPU", "gib": "GiB", "mib": "MiB",
          "id": "ID", "url": "URL"}


@dataclass(frozen=True)
class Frame:
    href: str
    time: str
    progress: str  # "" when no paint timeline was recorded
    changed: bool  # the picture moved closer to the final one since the frame before
    end_before: bool  # the response ended between the frame before and this one


@dataclass
class Row:
    """One engine's run of one URL, as the page shows it."""

    run: Judged
    style: EngineStyle
    product: str  # what actually ran, e.g. "WebKitGTK MiniBrowser 2.50.6"
    first_paint: str
    video_href: str | None
    video_type: str
    video_note: str
    screenshot_href: str | None
    frames: list[Frame] = field(default_factory=list)


@dataclass
class Section:
    """Everything the page shows about one URL."""

    url: str
    label: str
    slug: str
    clauses: list[findings.Clause]
    sentence: str  # the clauses as plain text
    plot_href: str
    plot_has_paint: bool
    rows: list[Row]


def write_report(runs: Sequence[Judged], out_dir: Path, *,
                 artifacts: ArtifactMap | Callable[[], ArtifactMap] | None = None,
                 title: str = "streamscope report",
                 machine: Mapping[str, object] | None = None,
                 created: datetime | None = None,
                 figures: FiguresAhead | None = None) -> Path:
    """Write index.html and everything it shows into `out_dir`; return the index.html path.

    Runs are grouped by URL, in the order given. `artifacts` holds each run's files by
    (URL, engine name, take) (inputs.py), or is a function that gives them, called once the
    figures are drawn (so that stills can be cut meanwhile); videos, filmstrip frames and
    screenshots are copied in unless they already live inside `out_dir`. `created` defaults
    to now. `figures`: those drawn already, as the run ended (figures_ahead.py).
    """
    if not runs:
        raise ValueError("no runs to report")
    # matplotlib, imported only when a report is drawn (import_plots_early() may have begun).
    from streamscope.report.plots import has_paint, write_growth_plot

    folder = ReportFolder(Path(out_dir))
    styles = engine_styles(engine_of(run) for run in runs)
    labels = {name: style.label for name, style in styles.items()}
    runs_of_url = by_url(runs)
    url_labels, origin = _url_labels(list(runs_of_url))
    sections = []
    for url, url_runs in runs_of_url.items():
        slug = folder.slug(url)
        plot = folder.path(f"plots/{slug}.svg")
        drawn = figures.svg(url_runs, styles) if figures is not None else None
        if drawn is not None:
            plot.write_bytes(drawn)
        else:
            write_growth_plot(url_runs, styles, plot)
        clauses = findings.clauses(url_labels[url], url_runs, labels)
        sections.append(Section(
            url=url,
            label=url_labels[url],
            slug=slug,
            clauses=clauses,
            sentence=findings.sentence(clauses),
            plot_href=folder.href(plot),
            plot_has_paint=has_paint(url_runs),
            rows=[],
        ))
    files = (artifacts() if callable(artifacts) else artifacts) or {}
    keys = artifact_keys(runs)
    for section in sections:
        section.rows = [_row(run, files.get(key, Artifacts()), styles, folder, section.slug,
                             key[2]) for run, key in zip(runs, keys, strict=True)
                        if key[0] == section.url]
    folder.path("report.css").write_bytes(
        resources.files("streamscope.report").joinpath("report.css").read_bytes()
    )
    html = _environment().get_template("index.html").render(
        title=title,
        created=(created or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        origin=origin,
        sections=sections,
        scores=findings.scores(runs),
        styles=styles,
        engines=_engines(runs),
        hostname=str((machine or {}).get("hostname", "")),
        machine={_key_label(str(key)): "—" if value is None else str(value)
                 for key, value in (machine or {}).items()},
        raw_json=RAW_JSON,
        safari_words=SAFARI_WORDS,
    )
    index = folder.path("index.html")
    index.write_text(html, encoding="utf-8")
    return index


def _row(run: Judged, files: Artifacts, styles: Mapping[str, EngineStyle],
         folder: ReportFolder, slug: str, take: int) -> Row:
    engine = engine_of(run)
    # A URL's second take in an engine has files of its own, named "-2" (the first's as ever).
    name = f"{engine}-{take + 1}" if take else engine
    video = video_of(run, files)
    video_href = folder.adopt(video, f"video/{slug}-{name}") if video is not None else None
    if video is None:
        note = "No video was recorded for this run."
    elif video_href is None:
        note = f"The video file {video.name} was not found when the report was written."
    else:
        note = ""
    paint = run.recording.paint
    start = navigation_start_s(paint)
    # The verdict's first paint: the first content on screen, as the reason and table say.
    first_paint = milliseconds(run.verdict.first_paint_ms)
    if paint is not None and run.verdict.first_paint_ms is not None and paint.error_ms:
        first_paint += f" ±{paint.error_ms:.0f}"
    screenshot = files.screenshot
    info = run.recording.engine
    return Row(
        run=run,
        style=styles[engine],
        product=" ".join(part for part in (info.product, info.version) if part),
        first_paint=first_paint,
        # A media fragment starts playback at navigation start, past the alignment marker.
        video_href=(f"{video_href}#t={start:.3f}" if video_href and start else video_href),
        video_type=(mimetypes.guess_type(video_href)[0] or "") if video_href else "",
        video_note=note,
        screenshot_href=(folder.adopt(screenshot, f"screenshots/{slug}-{name}")
                         if screenshot is not None else None),
        frames=_frames(run, files.filmstrip, folder, f"filmstrip/{slug}/{name}"),
    )


def navigation_start_s(paint: PaintTimeline | None) -> float:
    """Where in its video the page's navigation started, in seconds (0 when unknown)."""
    if paint is None or paint.video_offset_ms is None:
        return 0.0
    return max(-paint.video_offset_ms / 1000.0, 0.0)


def _frames(run: Judged, filmstrip: Sequence[tuple[float, Path]], folder: ReportFolder,
            prefix: str) -> list[Frame]:
    """The filmstrip in time order, each frame with the visual progress measured at its time."""
    paint = run.recording.paint
    end = run.recording.response_end_ms
    frames = []
    previous_ms = float("-inf")
    strip = sorted(filmstrip, key=lambda f: f[0])
    # One unit along a strip, so "0.5 s" never sits next to "1000 ms".
    in_seconds = bool(strip) and strip[-1][0] >= 1000
    for index, (page_ms, png) in enumerate(strip):
        href = folder.adopt(Path(png), f"{prefix}/{index:03d}-{page_ms:.0f}ms")
        if href is None:
            continue
        progress = None
        if paint is not None:
            shown = [f.progress for f in paint.frames if f.t_ms <= page_ms]
            progress = shown[-1] if shown else 0.0
        frames.append(Frame(
            href=href,
            time=f"{page_ms / 1000:.1f} s" if in_seconds else f"{page_ms:.0f} ms",
            progress="" if progress is None else f"{progress:.0%}",
            # Any captured change since the last still, a loading state that brings the
            # picture no closer to its end included.
            changed=paint is not None and any(previous_ms < f.t_ms <= page_ms
                                              for f in paint.frames),
            end_before=end is not None and previous_ms < end <= page_ms,
        ))
        previous_ms = page_ms
    return frames


def _url_labels(urls: list[str]) -> tuple[dict[str, str], str | None]:
    """Short labels ("/hello-world") when every URL shares one origin, which is then returned."""
    origin = shared_origin(urls)
    if origin is None:
        return {url: url for url in urls}, None
    return {url: url.removeprefix(origin) or "/" for url in urls}, origin


def _key_label(key: str) -> str:
    """ "cpu_count" -> "CPU count": keys are written for report.json, labels for people."""
    words = [_WORDS.get(word.lower(), word) for word in key.split("_")]
    label = " ".join(words)
    return label[:1].upper() + label[1:]


def _engines(runs: Sequence[Judged]) -> list[tuple[EngineInfo, dict[str, str]]]:
    """Each engine that ran, with how each part of its recordings was measured."""
    seen: dict[str, tuple[EngineInfo, dict[str, str]]] = {}
    for run in runs:
        recording = run.recording
        _, methods = seen.setdefault(engine_of(run), (recording.engine, {}))
        methods.update(recording.methods)
        if recording.paint is not None:
            methods.setdefault("paint", recording.paint.method)
        if recording.wire is not None:
            methods.setdefault("wire", recording.wire.method)
    return list(seen.values())


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("streamscope.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["ms"] = milliseconds
    return environment
