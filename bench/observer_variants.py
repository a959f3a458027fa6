"""observer.js variants on the big page, taking turns: `python -m bench.observer_variants FILE...`

Each FILE is a whole observer.js (`git show HEAD:streamscope/record/observer.js > before.js`
gives the committed one). Each round records the big page (big_page.py: 10 MB in 50,000 items)
once with each variant in one engine, the variants' order turned round from round to round and
the browser alone timed before or after each, so that a busy minute on a shared machine falls
on all of them. Prints each recording's figures with the 1-minute load average, then each
variant's medians: what the observer costs the page (its callback's time, and that over the
page's load) and the recorder's time over the browser alone's; then each variant against the
first, round by round (steadier than the medians' difference: the observer's own median
moves by 15 to 25 ms from one set of rounds to the next in Firefox).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median

import click

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.big_page import BigPageFigures, big_page_pipeline, measure_round  # noqa: E402
from bench.procs import BenchError, python_server, started_engine  # noqa: E402
from bench.stats import paired_change  # noqa: E402
from streamscope.config import load_config  # noqa: E402
from streamscope.engines import ENGINE_NAMES, EngineError  # noqa: E402
from streamscope.errors import one_line  # noqa: E402
from streamscope.record import page_scripts  # noqa: E402


@contextmanager
def observer(source: str) -> Iterator[None]:
    """The recorder's page scripts with `source` in place of observer.js, while inside."""
    committed, poll = page_scripts.OBSERVER, page_scripts.POLL
    page_scripts.OBSERVER, page_scripts.POLL = source, poll.replace(committed, source)
    try:
        yield
    finally:
        page_scripts.OBSERVER, page_scripts.POLL = committed, poll


def _line(name: str, figures: BigPageFigures) -> str:
    return (f"{name}: observer {figures.observer_ms:.0f} ms of a {figures.load_ms:.0f} ms load "
            f"({figures.observer_share:.1%}), recorder {figures.recorder_s:.2f} s / alone "
            f"{figures.alone_s:.2f} s = {figures.over_alone:.2f}")


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--browser", "name", default="firefox", show_default=True,
              type=click.Choice(ENGINE_NAMES))
@click.option("--rounds", default=6, show_default=True, type=click.IntRange(1, 100),
              help="Recordings of the big page with each variant.")
def main(files: tuple[Path, ...], name: str, rounds: int) -> None:
    """Time each observer.js FILE on the big page in one engine, the variants taking turns."""
    variants = {path.name: path.read_text() for path in files}
    if len(variants) < len(files):
        raise click.UsageError("give each variant a file name of its own")
    config = load_config()
    results: dict[str, list[BigPageFigures]] = {variant: [] for variant in variants}
    try:
        with python_server("server") as (server_pid, base_url):
            with started_engine(config.engine(name), spare={server_pid}) as (engine, opened):
                big = big_page_pipeline(engine, config)
                opened.callback(big.close)
                for n in range(rounds):
                    order = list(variants) if n % 2 == 0 else list(reversed(variants))
                    for variant in order:
                        with observer(variants[variant]):
                            figures = measure_round(big, base_url, alone_first=n % 2 == 0)
                        results[variant].append(figures)
                        click.echo(f"round {n + 1}, {_line(variant, figures)} "
                                   f"(load average {os.getloadavg()[0]:.1f})")
    except (BenchError, EngineError) as error:
        raise click.ClickException(one_line(error)) from error
    click.echo(f"medians of {rounds} round{'' if rounds == 1 else 's'} in {name}:")
    for variant, runs in results.items():
        click.echo(f"  {variant}: observer {median(r.observer_ms for r in runs):.0f} ms, share "
                   f"{median(r.observer_share for r in runs):.1%}, recorder / alone "
                   f"{median(r.over_alone for r in runs):.2f}")
    first, *others = results
    for variant in others:
        change, less = paired_change([r.observer_ms for r in results[first]],
                                     [r.observer_ms for r in results[variant]])
        click.echo(f"  {variant} against {first}, round by round: the observer {change:+.0f} ms "
                   f"(median), less in {less} of {rounds} rounds")


if __name__ == "__main__":
    main()
