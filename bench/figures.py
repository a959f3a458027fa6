"""The bench's figures as JSON and as tables, with the targets they are held to."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from bench.browsers import EngineFigures
from bench.paint import PaintFigures

TARGETS = {"lag_p95_ms": 16.0, "overhead_ratio": 1.25, "stream_rss_growth_mib": 32.0,
           "big_page_ratio": 1.5, "big_page_over_alone": 1.25, "big_page_observer_share": 0.10,
           "lanes_lag_p95_ms": 16.7,  # one 60 Hz frame
           "paint_error_p95_ms": 17.0}
METHODS = {
    "lag_ms": "per item of a stream of 20 items 200 ms apart: the recorder's wall time for it "
              "(performance.timeOrigin + the first DOM sample holding it) minus the server's "
              "time.time() just before yielding it; percentiles over every item of every run",
    "clock": "the page's timeOrigin + now() minus Python's time.time(), read in a page from the "
             "same server (tightest of 10 bracketed reads); timer_step_ms is the smallest step "
             "of performance.now()",
    "overhead_ratio": "median wall time of engine.record for /probe?count=20&delay=0.2, browser "
                      "running, over the median time a raw HTTP client takes to read it",
    "rss_growth_mib": "server process (python -m server; bench.apps for buffered): peak RSS "
                      "(VmHWM reset before the request, and sampled every 10 ms) minus RSS before "
                      "a raw client reads 1 GiB of /probe",
    "big_page": "a 10 MB page of 50,000 items (/probe?count=50000&delay=0&item_bytes=200), "
                "sent as fast as the server goes: ratio is engine.record's wall time over a "
                "raw client's; browser_alone_s, the same engine loading it without "
                "streamscope (a fresh page, navigation, readyState complete), timed from "
                "opening the page as engine.record is, the two taking turns at going first; "
                "observer_share, the time "
                "spent inside the observer's MutationObserver callback (performance.now() "
                "around it, in the page) over load_ms, navigation start to the later of the "
                "response's end and the last DOM change; medians of 2 rounds, 1 where an "
                "engine takes over 20 s",
    "lanes": "at each --jobs level N, 4 lag streams per engine recorded on N lanes at once "
             "(streamscope.run.lanes: each lane its own driver, engines and, when filmed, "
             "display), "
             "the levels taking turns for `rounds` rounds (a level Nt: the N lanes take turns "
             "to stream, one page at a time, as repro's do); lag as lag_ms, per engine over every "
             "item of every round at that level; verdicts_as_serial counts the recordings whose "
             "headline verdict is the one they have at N = 1; paint_error_p95_ms, when filmed, "
             "over the error bound each recording's paint timeline states; wall_s is per round; "
             "load_1m the machine's mean 1-minute load average at the end of each round",
    "paint_lag_ms": "per streamed item wholly in the viewport (20 items of 300 bytes, 200 ms "
                    "apart, after a 600-byte comment): the page time of the first frame of the "
                    "capture's video whose rows of that item hold half their final ink, minus the "
                    "server's flush of it; per capture method, runs taking turns",
    "paint_error_ms": "the error bound each recording's PaintTimeline states (error_ms); "
                      "percentiles over runs",
    "grab_ms": "damage method: per grab, from the server's time of the earliest damage it "
               "answers to the end of the grab",
    "capture_cpu_pct": "CPU of the capture process (the DAMAGE listener, or ffmpeg filming) from "
                       "navigation start to the page settled, over that time, as % of one core "
                       "(psutil cpu_times; other people's browsers share the machine)",
    "cpu_s_per_recording": "all CPU paint capture took per recording: its processes for their "
                           "whole lives (locating the page, capturing, encoding or decoding), "
                           "and the analysis in the recorder's process",
    "events_per_s": "damage method: DAMAGE rectangles anywhere on screen (page_: touching the "
                    "page's box) from navigation start to the response's end, per second; "
                    "whole_page_share: of the page's, those covering 90 % of its box",
    "peak_rss_mib": "engine's process tree (driver, browser, helpers, Xvfb), VmRSS summed every "
                    "50 ms during the overhead recordings; peak_pss_mib sums PSS instead, which "
                    "does not count shared pages once per process",
}
# Wide enough for the tables in a CI log, where there is no terminal to measure.
console = Console(highlight=False, width=None if Console().is_terminal else 140)


def results(machine: dict[str, Any], engines: list[EngineFigures], streamed_mib: float | None,
            buffered_mib: float | None, lanes: list[dict[str, Any]] | None = None,
            paint: list[PaintFigures] | None = None) -> dict[str, Any]:
    by_name = {e.name: e for e in engines}
    lag = {name: e.lag_summary() for name, e in by_name.items()}
    overhead = {name: round(e.overhead_ratio, 3) for name, e in by_name.items()}
    met: dict[str, Any] = {
        "lag_p95_ms": {name: s["p95"] <= TARGETS["lag_p95_ms"] for name, s in lag.items()},
        "overhead_ratio": {n: r <= TARGETS["overhead_ratio"] for n, r in overhead.items()},
    }
    if streamed_mib is not None:
        met["stream_rss_growth_mib"] = streamed_mib <= TARGETS["stream_rss_growth_mib"]
    big = {name: e.big_page.summary() for name, e in by_name.items() if e.big_page is not None}
    if big:
        met["big_page_ratio"] = {n: b["ratio"] <= TARGETS["big_page_ratio"]
                                 for n, b in big.items()}
        met["big_page_over_alone"] = {
            n: b["recorder_over_browser_alone"] <= TARGETS["big_page_over_alone"]
            for n, b in big.items()}
        met["big_page_observer_share"] = {
            n: b["observer_share"] <= TARGETS["big_page_observer_share"] for n, b in big.items()}
    if lanes:
        # Per --jobs level: which engines keep every item within one 60 Hz frame (p95).
        met["lanes_lag_p95_within_one_frame"] = {
            level["level"]: {name: e["lag_p95_ms"] is not None
                             and e["lag_p95_ms"] <= TARGETS["lanes_lag_p95_ms"]
                             for name, e in level["engines"].items()}
            for level in lanes}
    painted = {f"{p.name} {p.method}": p.summary() for p in paint or []}
    if painted:
        met["paint_error_p95_ms"] = {
            key: s["paint_error_ms"]["p95"] <= TARGETS["paint_error_p95_ms"]
            for key, s in painted.items()
        }
    return {
        "machine": machine,
        "engines": {name: {"product": e.product, "version": e.version,
                           "dom_method": e.dom_method, "processes_at_peak": e.processes}
                    for name, e in by_name.items()},
        "lag_ms": lag,
        "clock": {name: {"offset_ms": round(e.clock.offset_ms, 2),
                         "offset_error_ms": round(e.clock.error_ms, 2),
                         "timer_step_ms": round(e.clock.timer_step_ms, 3)}
                  for name, e in by_name.items() if e.clock is not None},
        "overhead_ratio": overhead,
        "overhead_s": {name: {"recorder": round(e.recorder_s, 3), "raw_client": round(e.raw_s, 3)}
                       for name, e in by_name.items()},
        "stream_rss_growth_mib": _round(streamed_mib),
        "buffered_rss_growth_mib": _round(buffered_mib),
        "launch_s": {name: round(e.launch_s, 2) for name, e in by_name.items()},
        "peak_rss_mib": {name: round(e.peak_rss_mib, 1) for name, e in by_name.items()},
        "peak_pss_mib": {name: round(e.peak_pss_mib, 1) for name, e in by_name.items()},
        "big_page": big,
        "lanes": lanes,
        "paint": painted,
        "targets": TARGETS,
        "met": met,
        "methods": METHODS,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _met(ok: bool) -> str:
    return "[green]yes[/]" if ok else "[red]no[/]"


def print_results(data: dict[str, Any]) -> None:
    table = Table(title="Engines (lag: server flush to DOM sample)", title_justify="left")
    table.add_column("engine", no_wrap=True)
    for column in ("launch s", "lag p50 ms", "lag p95 ms", "lag max ms", "clock offset ms",
                   "timer step ms", "overhead ratio", "peak RSS MiB", "peak PSS MiB"):
        table.add_column(column, justify="right")
    for name, engine in data["engines"].items():
        lag, clock = data["lag_ms"][name], data["clock"][name]
        table.add_row(
            f"{name} {engine['version']}", f"{data['launch_s'][name]:.2f}",
            f"{lag['p50']:.1f}", f"{lag['p95']:.1f}", f"{lag['max']:.1f}",
            f"{clock['offset_ms']:+.1f} ±{clock['offset_error_ms']:.1f}",
            f"{clock['timer_step_ms']:g}", f"{data['overhead_ratio'][name]:.3f}",
            f"{data['peak_rss_mib'][name]:.0f}", f"{data['peak_pss_mib'][name]:.0f}",
        )
    if data["engines"]:
        console.print(table)
    if data.get("big_page"):
        _print_big_page(data["big_page"])
    if data.get("paint"):
        _print_paint(data["paint"])
    if data.get("lanes"):
        _print_lanes(data["lanes"])
    if data["stream_rss_growth_mib"] is not None:
        console.print(f"Demo server RSS growth for 1 GiB: streamed "
                      f"{data['stream_rss_growth_mib']:.1f} MiB, buffered "
                      f"{data['buffered_rss_growth_mib']:.1f} MiB")
    targets = Table(title="Targets", title_justify="left")
    for column in ("figure", "target", "met"):
        targets.add_column(column)
    for key, met in data["met"].items():
        if met == {}:  # a section that was not measured
            continue
        target = f"<= {data['targets'][key.replace('_within_one_frame', '_ms')]:g}"
        if key == "lanes_lag_p95_within_one_frame":
            for level, engines in met.items():
                targets.add_row(f"lag p95, --jobs {level}", target,
                                ", ".join(f"{n} {_met(ok)}" for n, ok in engines.items()))
        elif isinstance(met, dict):
            targets.add_row(key, target, ", ".join(f"{n} {_met(ok)}" for n, ok in met.items()))
        else:
            targets.add_row(key, target, _met(met))
    console.print(targets)


def _print_big_page(big: dict[str, dict[str, Any]]) -> None:
    table = Table(title="A 10 MB page in 50,000 items", title_justify="left")
    table.add_column("engine", no_wrap=True)
    for column in ("raw client s", "browser alone s", "recorder s", "recorder / raw",
                   "recorder / alone", "observer ms", "load ms", "observer share"):
        table.add_column(column, justify="right")
    for name, b in big.items():
        table.add_row(name, f"{b['raw_s']:.2f}", f"{b['browser_alone_s']:.2f}",
                      f"{b['recorder_s']:.2f}", f"{b['ratio']:.2f}",
                      f"{b['recorder_over_browser_alone']:.2f}", f"{b['observer_ms']:,}",
                      f"{b['load_ms']:,}", f"{b['observer_share']:.1%}")
    console.print(table)


def _print_lanes(lanes: list[dict[str, Any]]) -> None:
    table = Table(title="--jobs N: lag (server flush to DOM sample) and verdicts, N at once",
                  title_justify="left")
    for column in ("N", "engine", "lag p50 ms", "lag p95 ms", "lag max ms",
                   "paint error p95 / max ms", "verdicts as N=1", "wall s", "load 1m"):
        table.add_column(column, justify="left" if column == "engine" else "right")
    for level in lanes:
        for name, e in level["engines"].items():
            table.add_row(level["level"], name, _ms(e["lag_p50_ms"]), _ms(e["lag_p95_ms"]),
                          _ms(e["lag_max_ms"]),
                          f"{_ms(e['paint_error_p95_ms'])} / {_ms(e['paint_error_max_ms'])}",
                          f"{e['verdicts_as_serial']}/{e['recordings']}",
                          f"{level['wall_s']:.0f}", f"{level['load_1m']:.1f}")
    console.print(table)
    for level in lanes:
        for error in level["errors"]:
            console.print(f"--jobs {level['level']}: {error}")


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _print_paint(paint: dict[str, Any]) -> None:
    table = Table(title="Paint capture (lag: server flush to the first frame showing the item)",
                  title_justify="left")
    table.add_column("engine, method", no_wrap=True)
    for column in ("lag p50 ms", "lag p95 ms", "error p95 ms", "grab p95 ms", "grab max ms",
                   "events/s", "page events/s", "whole page", "CPU % loading", "CPU s/rec"):
        table.add_column(column, justify="right")
    for key, s in paint.items():
        grab = s.get("grab_ms") or {}
        whole = s.get("whole_page_share")
        table.add_row(
            key, f"{s['paint_lag_ms']['p50']:.1f}", f"{s['paint_lag_ms']['p95']:.1f}",
            f"{s['paint_error_ms']['p95']:.1f}", _num(grab.get("p95")), _num(grab.get("max")),
            _num(s.get("events_per_s")), _num(s.get("page_events_per_s")),
            "" if whole is None else f"{whole:.0%}", f"{s['capture_cpu_pct']:.1f}",
            f"{s['cpu_s_per_recording']:.2f}",
        )
    console.print(table)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
