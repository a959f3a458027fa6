"""The report's figures, drawn while a run goes on instead of after it.

matplotlib takes about 0.2 s a figure, which the report used to wait for once the last
recording was made. FiguresAhead draws a URL's figure as soon as every run of it is finished
(runs_finished, as --json is written), on a thread of its own at a lower CPU priority than
the browsers being recorded (streamscope/priority.py), one figure at a time, and what is left
once the last run is (start). It keeps each SVG by what it was drawn from; write_report takes
each whose runs are the same at the end (a run whose video could not be written loses its
paint then) and draws the rest itself. The figures are the same bytes either way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict

from streamscope.priority import lower_priority
from streamscope.report.inputs import Judged, by_url, engine_of
from streamscope.report.palette import EngineStyle, engine_styles


class FiguresAhead:
    def __init__(self, runs_per_url: Mapping[str, int] | None = None) -> None:
        """`runs_per_url`: how many runs each URL will have; None: none is drawn before
        start()."""
        self._expected = dict(runs_per_url or {})
        self._svgs: dict[str, bytes] = {}  # by what each was drawn from (_drawn_from)
        self._begun: dict[str, tuple[int, ...]] = {}  # URL -> its recordings, as drawn
        self._drawing: list[Future[None]] = []
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def runs_finished(self, runs: Sequence[Judged]) -> None:
        """Every run finished so far: the figure of each URL they complete is drawn."""
        self._draw([url_runs for url, url_runs in by_url(runs).items()
                    if len(url_runs) == self._expected.get(url)], runs)

    def start(self, runs: Sequence[Judged]) -> None:
        """Every run, the last one just finished: what is not drawn yet is."""
        self._draw(list(by_url(runs).values()), runs)

    def svg(self, runs: Sequence[Judged], styles: Mapping[str, EngineStyle]) -> bytes | None:
        """The figure of `runs` in `styles` if it was drawn ahead from the same (once the
        drawing is done); None if not."""
        with self._lock:
            drawing, pool = list(self._drawing), self._pool
        for figure in drawing:
            figure.result()
        if pool is not None:
            pool.shutdown()
        return self._svgs.get(_drawn_from(runs, styles))

    def cancel(self) -> None:
        """The run was interrupted: no figure not yet begun is drawn."""
        with self._lock:
            pool = self._pool
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _draw(self, complete: list[list[Judged]], runs: Sequence[Judged]) -> None:
        # The styles of every engine of the run: the report's, where none failed to start.
        styles = engine_styles(engine_of(run) for run in runs)
        with self._lock:
            for url_runs in complete:
                url, recordings = url_runs[0].recording.url, tuple(
                    id(run.recording) for run in url_runs)
                if self._begun.get(url) == recordings:
                    continue
                self._begun[url] = recordings
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(
                        1, thread_name_prefix="streamscope-figures", initializer=lower_priority)
                self._drawing.append(self._pool.submit(self._draw_one, url_runs, styles))

    def _draw_one(self, runs: list[Judged], styles: dict[str, EngineStyle]) -> None:
        from streamscope.report.plots import growth_svg  # matplotlib: only for a report

        try:
            self._svgs[_drawn_from(runs, styles)] = growth_svg(runs, styles)
        except Exception:  # noqa: S110 - an extra: the report draws it, and says why
            pass


def _drawn_from(runs: Sequence[Judged], styles: Mapping[str, EngineStyle]) -> str:
    """All a figure is drawn from (plots.growth_figure), as one string."""
    return json.dumps([[engine_of(run), asdict(styles[engine_of(run)]),
                        run.recording.to_dict()] for run in runs], sort_keys=True)
