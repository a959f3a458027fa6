"""The report's figures, drawn while a run ends instead of after.

Once the last recording is made, the engines still stop and the last video is still encoded
and cut (0.4 to 0.7 s on 2 cores), while matplotlib takes about 0.2 s a figure, which the
report then waited for. FiguresAhead draws them meanwhile, on a thread of its own (nothing is
measured any more), and keeps each SVG by what it was drawn from; write_report takes each
whose runs are the same at the end (a run whose video could not be written loses its paint
then) and draws the rest itself. The figures are the same bytes either way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from streamscope.report.inputs import Judged, engine_of
from streamscope.report.palette import EngineStyle, engine_styles


class FiguresAhead:
    def __init__(self) -> None:
        self._svgs: dict[str, bytes] = {}
        self._thread: threading.Thread | None = None

    def start(self, runs: Sequence[Judged]) -> None:
        """Draws the figure of each URL of `runs` on a thread of its own."""
        self._thread = threading.Thread(target=self._draw, args=(list(runs),),
                                        name="streamscope-figures", daemon=True)
        self._thread.start()

    def svg(self, runs: Sequence[Judged], styles: Mapping[str, EngineStyle]) -> bytes | None:
        """The figure of `runs` in `styles` if it was drawn ahead from the same (once the
        drawing is done); None if not."""
        if self._thread is not None:
            self._thread.join()
        return self._svgs.get(_drawn_from(runs, styles))

    def _draw(self, runs: list[Judged]) -> None:
        from streamscope.report.plots import growth_svg  # matplotlib: only for a report

        styles = engine_styles(engine_of(run) for run in runs)
        by_url: dict[str, list[Judged]] = {}
        for run in runs:
            by_url.setdefault(run.recording.url, []).append(run)
        for url_runs in by_url.values():
            try:
                self._svgs[_drawn_from(url_runs, styles)] = growth_svg(url_runs, styles)
            except Exception:  # noqa: S112 - an extra: the report draws it, and says why
                continue


def _drawn_from(runs: Sequence[Judged], styles: Mapping[str, EngineStyle]) -> str:
    """All a figure is drawn from (plots.growth_figure), as one string."""
    return json.dumps([[engine_of(run), asdict(styles[engine_of(run)]),
                        run.recording.to_dict()] for run in runs], sort_keys=True)
