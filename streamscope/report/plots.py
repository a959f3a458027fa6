"""Matplotlib figures of one URL across engines: body text and visual progress over time.

Figures are built from `matplotlib.figure.Figure` directly, never through pyplot, so drawing
a report neither picks nor changes the process-wide backend that other code may rely on.
Every line carries a `gid` ("dom-chromium", "end-chromium", "paint-chromium") that becomes
the id of its SVG group, so tests and readers of the SVG can find each engine's line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from streamscope.report.inputs import Judged, engine_of
from streamscope.report.palette import EngineStyle

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

_RC: dict[RcKeyType, Any] = {
    # Text stays text: the SVG uses the reader's fonts instead of embedding glyph outlines.
    "svg.fonttype": "none",
    # No date, and ids fixed (and then numbered: _numbered_ids), so the same runs give
    # byte-identical SVGs.
    "svg.hashsalt": "streamscope",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.grid": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.8,
    "xtick.color": "#555555",
    "ytick.color": "#555555",
}
_WIDTH_IN = 10.0


def growth_figure(runs: Sequence[Judged], styles: Mapping[str, EngineStyle]) -> Figure:
    """DOM growth per engine (step plot) with each response end dashed; paint progress below.

    x is ms from navigation start. A line starts at (0, 0): before navigation the page is
    empty. It runs on to the right edge at its last value, so a final level stays visible.
    The paint panel appears only when some run recorded paint.
    """
    measured = [run for run in runs if run.recording.error is None]
    with_paint = has_paint(measured)
    with_wire = any(run.recording.wire is not None and run.recording.wire.chunks
                    for run in measured)
    right = _right_edge(measured)
    with matplotlib.rc_context(_RC):
        ratios = [*([1.4] if with_wire else []), 3, *([2] if with_paint else [])]
        figure = Figure(figsize=(_WIDTH_IN, 1.2 + 1.1 * sum(ratios)), layout="constrained")
        panels = list(figure.subplots(len(ratios), 1, sharex=True, height_ratios=ratios,
                                      squeeze=False)[:, 0])
        wire_axes = panels.pop(0) if with_wire else None
        dom_axes = panels.pop(0)
        paint_axes = panels.pop(0) if with_paint else None
        for key, run in _keyed(measured):
            style = styles[engine_of(run)]
            _draw_dom(dom_axes, run, key, style, right)
            if wire_axes is not None:
                _draw_wire(wire_axes, run, key, style, right)
            if paint_axes is not None:
                _draw_paint(paint_axes, run, key, style, right)
        if wire_axes is not None:
            wire_axes.set_ylabel("Wire (bytes)")
            wire_axes.set_ylim(bottom=0)
        dom_axes.set_ylabel("Visible text (characters)")
        dom_axes.set_ylim(bottom=0)
        bottom_axes = paint_axes if paint_axes is not None else dom_axes
        if paint_axes is not None:
            paint_axes.set_ylabel("Visual progress (%)")
            paint_axes.set_ylim(0, 105)
        bottom_axes.set_xlabel("Time since navigation start (ms)")
        bottom_axes.set_xlim(0, right)
        bottom_axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        (wire_axes or dom_axes).legend(handles=_legend(measured, styles), loc="lower left",
                                       bbox_to_anchor=(0, 1.01), ncols=4, frameon=False)
    return figure


def has_paint(runs: Sequence[Judged]) -> bool:
    """Whether the figure of `runs` has a paint panel: some recording saw a frame change."""
    return any(run.recording.paint is not None and run.recording.paint.frames for run in runs
               if run.recording.error is None)


def write_growth_plot(runs: Sequence[Judged], styles: Mapping[str, EngineStyle],
                      path: Path) -> Path:
    """`growth_figure` as a small SVG at `path`."""
    path.write_bytes(growth_svg(runs, styles))
    return path


def growth_svg(runs: Sequence[Judged], styles: Mapping[str, EngineStyle]) -> bytes:
    """`growth_figure` as a small SVG."""
    figure = growth_figure(runs, styles)
    svg = io.BytesIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return _numbered_ids(svg.getvalue())


def _numbered_ids(svg: bytes) -> bytes:
    """The SVG with matplotlib's hashed ids (clip paths "p…", markers "m…") numbered in order.

    matplotlib hashes a clip box's floats, whose last bits move from one drawing of the same
    figure to the next (6 drawings in one process gave two sets of ids), so svg.hashsalt alone
    leaves the bytes unstable."""
    hashed = dict.fromkeys(re.findall(rb'id="([mp][0-9a-f]{10})"', svg))
    names = {old: old[:1] + str(n).encode() for n, old in enumerate(hashed)}
    if not names:
        return svg
    return re.sub(rb"\b(" + b"|".join(names) + rb")\b", lambda m: names[m.group(1)], svg)


def _keyed(runs: Sequence[Judged]) -> list[tuple[str, Judged]]:
    """Each run's gid suffix: its engine name, numbered from the second run of that engine on."""
    seen: dict[str, int] = {}
    keyed = []
    for run in runs:
        name = engine_of(run)
        seen[name] = seen.get(name, 0) + 1
        keyed.append((name if seen[name] == 1 else f"{name}-{seen[name]}", run))
    return keyed


def _right_edge(runs: Sequence[Judged]) -> float:
    times = [0.0]
    for run in runs:
        recording = run.recording
        times += [sample.t_ms for sample in recording.dom]
        if recording.response_end_ms is not None:
            times.append(recording.response_end_ms)
        if recording.paint is not None:
            times += [frame.t_ms for frame in recording.paint.frames]
    return max(times) * 1.04 or 1.0


def _draw_dom(axes: Axes, run: Judged, key: str, style: EngineStyle, right: float) -> None:
    samples = run.recording.dom
    times = [s.t_ms for s in samples]
    chars = [s.text_chars for s in samples]
    _draw_steps(axes, times, chars, f"dom-{key}", style, right)
    _draw_end(axes, run, style, f"end-{key}")


def _draw_wire(axes: Axes, run: Judged, key: str, style: EngineStyle, right: float) -> None:
    """Bytes a raw client had received, on its own request's clock (started with the page's)."""
    wire = run.recording.wire
    if wire is None or not wire.chunks:
        return
    total, received = 0, []
    for chunk in wire.chunks:
        total += chunk.size
        received.append(total)
    _draw_steps(axes, [c.t_ms for c in wire.chunks], received, f"wire-{key}", style, right)


def _draw_paint(axes: Axes, run: Judged, key: str, style: EngineStyle, right: float) -> None:
    paint = run.recording.paint
    if paint is None or not paint.frames:
        return
    times = [f.t_ms for f in paint.frames]
    percent = [f.progress * 100 for f in paint.frames]
    _draw_steps(axes, times, percent, f"paint-{key}", style, right)
    _draw_end(axes, run, style, None)


def _draw_steps(axes: Axes, times: list[float], values: Sequence[float], gid: str,
                style: EngineStyle, right: float) -> None:
    """A step line from (0, 0) to the right edge, with a marker on each measured point."""
    ys = [0.0, *values]
    axes.step([0.0, *times, right], [*ys, ys[-1]], where="post", color=style.color,
              linewidth=2, gid=gid)
    axes.plot(times, values, linestyle="none", marker=style.marker, markersize=4.5,
              color=style.color, gid=f"{gid}-points")


def _draw_end(axes: Axes, run: Judged, style: EngineStyle, gid: str | None) -> None:
    end = run.recording.response_end_ms
    if end is not None:
        axes.axvline(end, color=style.color, linestyle=(0, (4, 3)), linewidth=1.3, gid=gid)


def _legend(runs: Sequence[Judged], styles: Mapping[str, EngineStyle]) -> list[Line2D]:
    engines = dict.fromkeys(engine_of(run) for run in runs)
    handles = [Line2D([], [], color=styles[name].color, linewidth=2, marker=styles[name].marker,
                      markersize=4.5, label=styles[name].label) for name in engines]
    handles.append(Line2D([], [], color="#555555", linestyle=(0, (4, 3)), linewidth=1.3,
                          label="response end (dashed, per engine)"))
    return handles
