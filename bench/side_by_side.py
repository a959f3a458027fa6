"""streamscope beside browsertime on one page: `python -m bench.side_by_side` from the root.

The comparison of issue 13: a demo-server page that streams for 3 s, loaded `--loads` times in
Chromium with video by each tool, each timed from its command's start to its end:
`streamscope run URL#1 URL#2 URL#3 --browser chromium --report DIR` (three URLs of one page,
so that the report's three rows, and the times the bench has taken before, tell them apart),
the loads one after another and again at once (`--jobs 3`, each beginning once the one before
it shows content), and
`browsertime -n 3 --video --videoParams.framerate 30 --visualMetrics --browser chrome --xvfb
URL` with Debian's Chromium and chromedriver. browsertime is not a dependency: install it apart
(`npm install browsertime` in a folder of its own) and name it with --browsertime;
visualMetrics needs a Python with numpy, Pillow, OpenCV and pyssim (--browsertime-python).
Without it, only streamscope runs.

Prints each round's wall times with the 1-minute load average before and after, and the
median ratios; and the paint error bound each streamscope run stated (its --json), beside
browsertime's, a frame of its video. The tools take turns, so a busy minute on a shared
machine falls on each.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import click

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.procs import REPO, BenchError, python_server  # noqa: E402
from streamscope.config import load_config  # noqa: E402
from streamscope.errors import one_line  # noqa: E402

PAGE = "/probe?count=7&delay=0.5"  # 7 items 0.5 s apart: 3.0 s from the first to the last
CHROMEDRIVER = "/usr/bin/chromedriver"
FIRST_FREE_DISPLAY = 200  # browsertime's Xvfb, clear of the displays pyvirtualdisplay picks
BROWSERTIME_FPS = 30  # its default, named: a frame of its video is its paint error bound


@dataclass(frozen=True)
class Timed:
    tool: str
    wall_s: float
    load_before: float
    load_after: float


def streamscope_command(url: str, loads: int, report: Path, jobs: int = 1) -> list[str]:
    urls = [f"{url}#{n}" for n in range(1, loads + 1)]
    return [sys.executable, "-c", "from streamscope.cli.commands import main; main()", "run", *urls,
            "--browser", "chromium", "--report", str(report), "--json", str(report / "runs.json"),
            "--jobs", str(jobs)]


def paint_errors(report: Path) -> list[float]:
    """The paint error bound each run of a streamscope command stated."""
    runs = json.loads((report / "runs.json").read_text())["runs"]
    return [run["timeline"]["paint"]["error_ms"] for run in runs]


def browsertime_command(browsertime: str, url: str, loads: int, chromium: str,
                        chromedriver: str, display: int, results: Path) -> list[str]:
    command = [
        browsertime, "-n", str(loads), "--video", "--videoParams.framerate", str(BROWSERTIME_FPS),
        "--visualMetrics", "--browser", "chrome",
        "--chrome.binaryPath", chromium, "--chrome.chromedriverPath", chromedriver,
        "--xvfb", "--xvfbParams.display", str(display), "--resultDir", str(results),
    ]  # fmt: skip
    if os.geteuid() == 0:  # Chromium refuses to run as root with its sandbox
        command += ["--chrome.args", "no-sandbox"]
    return [*command, url]


def free_display(start: int = FIRST_FREE_DISPLAY) -> int:
    """The first X display number from `start` that no server holds (lock file or socket)."""
    number = start
    while Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
        number += 1
    return number


def ratio(streamscope_s: list[float], browsertime_s: list[float]) -> float:
    """How many times longer browsertime took: the ratio of the medians."""
    return statistics.median(browsertime_s) / statistics.median(streamscope_s)


def timed(tool: str, command: list[str], env: dict[str, str] | None = None) -> Timed:
    before = os.getloadavg()[0]
    start = time.monotonic()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    wall = time.monotonic() - start
    if result.returncode != 0:
        tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:]
        raise BenchError(f"{tool} exited with {result.returncode}: {' '.join(tail)}")
    return Timed(tool, wall, before, os.getloadavg()[0])


@click.command()
@click.option("--browsertime", type=click.Path(exists=True, dir_okay=False),
              help="The browsertime executable, e.g. FOLDER/node_modules/.bin/browsertime.")
@click.option("--browsertime-python", type=click.Path(exists=True, dir_okay=False),
              help="A Python with browsertime's visualMetrics dependencies (its PYTHON).")
@click.option("--chromedriver", default=CHROMEDRIVER, show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="For browsertime.")
@click.option("--page", default=PAGE, show_default=True, help="The demo server's page.")
@click.option("--loads", default=3, show_default=True, type=click.IntRange(1, 20),
              help="Loads of the page by each tool (browsertime's iterations).")
@click.option("--rounds", default=1, show_default=True, type=click.IntRange(1, 10),
              help="How many times to time both tools, taking turns.")
def main(browsertime: str | None, browsertime_python: str | None, chromedriver: str,
         page: str, loads: int, rounds: int) -> None:
    """Time streamscope and browsertime on the same streamed page; print the figures."""
    chromium = load_config().engines["chromium"].system_executable
    env = {**os.environ, **({"PYTHON": browsertime_python} if browsertime_python else {})}
    at_once = f"streamscope --jobs {loads}"
    times: dict[str, list[float]] = {"streamscope": [], at_once: [], "browsertime": []}
    errors: dict[str, list[float]] = {"streamscope": [], at_once: []}
    try:
        with python_server("server") as (_, base), tempfile.TemporaryDirectory() as folder:
            url = base + page
            click.echo(f"page: {url}, {loads} loads in Chromium with video, {rounds} round(s)")
            for round_number in range(1, rounds + 1):
                out = Path(folder) / str(round_number)
                turns: list[tuple[str, list[str], dict[str, str] | None]] = [
                    ("streamscope", streamscope_command(url, loads, out / "serial"), None),
                    (at_once, streamscope_command(url, loads, out / "at-once", loads), None)]
                if browsertime is not None:
                    turns.append(("browsertime", browsertime_command(
                        browsertime, url, loads, chromium, chromedriver, free_display(),
                        out / "browsertime"), env))
                if round_number % 2 == 0:
                    turns.reverse()
                for tool, command, tool_env in turns:
                    run = timed(tool, command, tool_env)
                    times[tool].append(run.wall_s)
                    stated = ""
                    if tool in errors:
                        errors[tool] += paint_errors(Path(command[command.index("--report") + 1]))
                        stated = f", paint error bounds {_ms(errors[tool][-loads:])}"
                    click.echo(f"round {round_number}: {tool} {run.wall_s:.1f} s "
                               f"(load {run.load_before:.2f} -> {run.load_after:.2f}){stated}")
    except BenchError as exc:
        click.echo(f"bench: error: {one_line(exc)}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("bench: interrupted", err=True)
        sys.exit(130)
    for tool in ("streamscope", at_once):
        click.echo(f"{tool}: median {statistics.median(times[tool]):.1f} s; paint error bound "
                   f"median {statistics.median(errors[tool]):.1f} ms, max "
                   f"{max(errors[tool]):.1f} ms")
    if times["browsertime"]:
        click.echo(f"browsertime: median {statistics.median(times['browsertime']):.1f} s; "
                   f"paint error bound a frame at {BROWSERTIME_FPS} fps, "
                   f"{1000 / BROWSERTIME_FPS:.1f} ms")
        for tool in ("streamscope", at_once):
            click.echo(f"browsertime / {tool}: "
                       f"{ratio(times[tool], times['browsertime']):.1f}x")
    else:
        click.echo("browsertime: not run (name it with --browsertime)")


def _ms(values: list[float]) -> str:
    return ", ".join(f"{value:.1f}" for value in values) + " ms"


if __name__ == "__main__":
    main()
