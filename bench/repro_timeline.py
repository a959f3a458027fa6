"""Where one `streamscope repro` spends its wall time: a timeline of its steps, per thread.

`python -m bench.repro_timeline [REPRO ARGS...]` runs `streamscope repro` in this process
with each step of interest wrapped in a stopwatch (engine starts and stops, each recording's
fresh page, capture set-up, stream and analysis, each video encoded, each still cut, the
report), then prints every step as it happened, by thread (offsets from the process start),
and each kind of step summed. The wrappers cost microseconds a call; the run is the CLI's own.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

T0 = time.monotonic()

# (module, attribute path) of each step timed: what a repro's wall time is made of.
STEPS = (
    ("streamscope.run.lanes", "_Lanes._start"),
    ("streamscope.run.lanes", "_stop"),
    ("streamscope.run.record_and_verify", "measure_on_first_need"),
    ("streamscope.record.pipeline", "Pipeline.record"),
    ("streamscope.record.pipeline", "Pipeline._close_page"),
    ("streamscope.record.pipeline", "record"),
    ("streamscope.record.pipeline", "WireCapture.result"),
    ("streamscope.paint.capture", "ScreenPaintCapture.prepare"),
    ("streamscope.paint.capture", "ScreenPaintCapture.before_navigation"),
    ("streamscope.paint.capture", "ScreenPaintCapture.finish"),
    ("streamscope.engines.playwright_engine", "PlaywrightEngine.new_page"),
    ("streamscope.engines.webkitgtk", "WebKitGTKEngine.new_page"),
    ("streamscope.paint.video_queue", "encode_now"),
    ("streamscope.paint.video_queue", "VideoQueue.wait"),
    ("streamscope.report.stills_ahead", "StillsAhead.cut"),
    ("streamscope.cli.results", "report_artifacts"),
    ("streamscope.cli.results", "write_report"),
    ("streamscope.cli.results", "print_table"),
    ("streamscope.report.figures_ahead", "FiguresAhead._draw_one"),
)


@dataclass(frozen=True)
class Span:
    thread: str
    name: str
    start_s: float
    end_s: float


SPANS: list[Span] = []
_LOCK = threading.Lock()


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            with _LOCK:
                SPANS.append(Span(threading.current_thread().name, name,
                                  start - T0, time.monotonic() - T0))
    return wrapper


def instrument() -> None:
    for module_name, path in STEPS:
        owner: Any = importlib.import_module(module_name)
        *parents, attribute = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        setattr(owner, attribute, _timed(path, getattr(owner, attribute)))


def print_timeline() -> None:
    by_thread: dict[str, list[Span]] = defaultdict(list)
    for span in sorted(SPANS, key=lambda s: s.start_s):
        by_thread[span.thread].append(span)
    for thread, spans in by_thread.items():
        print(f"\n[{thread}]", file=sys.stderr)
        for span in spans:
            print(f"  {span.start_s:7.2f} .. {span.end_s:7.2f}  {span.end_s - span.start_s:6.2f}  "
                  f"{span.name}", file=sys.stderr)
    totals: dict[str, list[float]] = defaultdict(list)
    for span in SPANS:
        totals[span.name].append(span.end_s - span.start_s)
    print("\nstep: calls, summed s", file=sys.stderr)
    for name, times in sorted(totals.items(), key=lambda item: -sum(item[1])):
        print(f"  {name}: {len(times)}, {sum(times):.2f}", file=sys.stderr)
    print(f"\nwall {time.monotonic() - T0:.2f} s", file=sys.stderr)


def main() -> None:
    instrument()
    from streamscope.cli import commands
    sys.argv = ["streamscope", "repro", *sys.argv[1:]]
    try:
        commands.main()
    finally:
        print_timeline()


if __name__ == "__main__":
    main()
