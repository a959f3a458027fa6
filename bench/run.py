"""The benchmarks: `python bench/run.py [--json FILE] [--browser NAME]...` from the repository root.

For each engine: launch time, how far the recorder's DOM timestamps trail the server's flushes,
the recorder's wall time against the stream's own, the browser's peak memory, and, for each
paint capture method, how late its frames show each streamed item, the error bound it states
and the CPU it takes; then the demo server's memory while it streams 1 GiB, and while it sends
the same body buffered; then how the verdicts and the lag hold with N recordings at once
(--jobs N, bench/jobs_levels.py). Prints tables,
writes the figures as JSON with --json. Every process it starts ends with it; an engine that
cannot run ends it with a one-line reason and a non-zero exit.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import click

if __package__ in (None, ""):
    # Run as `python bench/run.py`: the repository root holds the bench package.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import memory  # noqa: E402
from bench.browsers import EngineFigures, measure_engine  # noqa: E402
from bench.figures import print_results, results  # noqa: E402
from bench.jobs_levels import LEVELS, measure_lanes  # noqa: E402
from bench.paint import PaintFigures, measure_paint  # noqa: E402
from bench.procs import BenchError, python_server  # noqa: E402
from streamscope.config import Config, load_config  # noqa: E402
from streamscope.engines import ENGINE_NAMES, EngineError  # noqa: E402
from streamscope.errors import one_line  # noqa: E402
from streamscope.run.machine import describe_machine  # noqa: E402


@click.command()
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the figures here as JSON.")
@click.option("--browser", "browsers", multiple=True, type=click.Choice(ENGINE_NAMES),
              help="An engine to measure; repeat for several. Default: the config's matrix.")
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 50),
              help="Recordings of the lag stream per engine (20 items each).")
@click.option("--paint-runs", default=3, show_default=True, type=click.IntRange(0, 50),
              help="Recordings of the paint stream per engine and capture method; 0: none.")
@click.option("--memory/--no-memory", "with_memory", default=True, show_default=True,
              help="Measure the demo server's memory for 1 GiB.")
@click.option("--big-page/--no-big-page", "big_page", default=True, show_default=True,
              help="Record a 10 MB page in 50,000 items in each engine (WebKitGTK: minutes).")
@click.option("--engine-figures/--no-engine-figures", default=True, show_default=True,
              help="Measure each engine alone: launch, lag, overhead, memory.")
@click.option("--lanes", "levels", default=",".join(map(str, LEVELS)), show_default=True,
              callback=lambda ctx, param, value: _levels(value),
              help="The --jobs levels to measure lag and verdicts at, each a number of lanes, "
                   "followed by t where they take turns to stream (3t); empty for none.")
@click.option("--lanes-rounds", default=2, show_default=True, type=click.IntRange(1, 20),
              help="How many times to measure every --jobs level, the levels taking turns.")
@click.option("--lanes-paint/--no-lanes-paint", default=False, show_default=True,
              help="Film every recording of the --jobs levels too, as `streamscope run` does.")
def main(json_path: Path | None, browsers: Sequence[str], runs: int, paint_runs: int,
         with_memory: bool, engine_figures: bool, levels: tuple[str, ...], lanes_rounds: int,
         lanes_paint: bool, big_page: bool) -> None:
    """Measure every engine and the demo server; print the figures."""
    config = load_config()
    names = browsers or config.matrix
    try:
        engines, paint = (_measure_engines(config, names, runs, paint_runs, big_page)
                          if engine_figures else ([], []))
        streamed = buffered = None
        if with_memory:
            _progress("server: streaming 1 GiB, then sending it buffered")
            streamed, buffered = memory.streamed_growth_mib(), memory.buffered_growth_mib()
        lanes = None
        if levels:
            with python_server("bench.apps") as (_, url):
                lanes = measure_lanes(config, names, url, levels, lanes_rounds, lanes_paint,
                                      _progress)
    except (EngineError, BenchError) as exc:
        click.echo(f"bench: error: {one_line(exc)}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("bench: interrupted", err=True)
        sys.exit(130)
    data = results(describe_machine(), engines, streamed, buffered, lanes, paint)
    print_results(data)
    if json_path is not None:
        json_path.write_text(json.dumps(data, indent=2) + "\n")


def _measure_engines(config: Config, names: Sequence[str], runs: int,
                     paint_runs: int, big_page: bool
                     ) -> tuple[list[EngineFigures], list[PaintFigures]]:
    figures: list[EngineFigures] = []
    paint: list[PaintFigures] = []
    with python_server("bench.apps") as (server_pid, url):
        for name in names:
            try:
                _progress(f"{name}: launch, clock, {runs} lag runs, overhead"
                          + (", the big page" if big_page else ""))
                figures.append(measure_engine(config, name, url, runs, server_pid, big_page))
                if paint_runs:
                    _progress(f"{name}: {paint_runs} paint runs by each capture method")
                    paint += measure_paint(config, name, url, paint_runs, server_pid)
            except (EngineError, BenchError):
                raise
            except Exception as exc:  # the automation library's own errors, e.g. WebDriver's
                raise BenchError(f"{name}: {type(exc).__name__}: {one_line(exc)}") from exc
    return figures, paint


def _levels(value: str) -> tuple[str, ...]:
    """Numbers of lanes, each followed by `t` where they take turns to stream (3t)."""
    levels = tuple(level.strip() for level in value.split(",") if level.strip())
    for level in levels:
        number = level.removesuffix("t")
        if not number.isdigit() or not 1 <= int(number) <= 32:
            raise click.BadParameter(f"each level must be a number from 1 to 32, followed by "
                                     f"t where the lanes take turns, got {value!r}")
    return levels


def _progress(message: str) -> None:
    click.echo(message, err=True)


if __name__ == "__main__":
    # A terminated bench cleans up as an interrupted one does: SystemExit passes through the
    # `finally` blocks that stop each engine and server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    main()
