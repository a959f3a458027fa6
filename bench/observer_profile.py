"""Where the in-page observer's time goes in Firefox, by Gecko's own profiler:
`python -m bench.observer_profile [FILE] --rounds N`.

Firefox starts with its profiler on (MOZ_PROFILER_STARTUP), records the big page (big_page.py)
N times with the committed observer.js, or FILE in its place, and writes the profile as it shuts
down. Of the samples taken inside a MutationObserver callback (Gecko's "MutationCallback" label:
the big page runs no observer of its own), it prints what each was doing: the innermost labelled
frame, a DOM getter or method, XPath, GC or a JIT compile, or else the observer's own function,
with the JIT tier it ran in. Sampling every 0.5 ms inflates the observer's time about 2x; read the
shares, not the milliseconds. Firefox only: the others have no such profiler to start this way.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest.mock import patch

import click

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.big_page import PATH, big_page_pipeline  # noqa: E402
from bench.observer_variants import observer  # noqa: E402
from bench.procs import BenchError, python_server, started_engine  # noqa: E402
from streamscope.config import Config, load_config  # noqa: E402
from streamscope.engines import EngineError  # noqa: E402
from streamscope.errors import one_line  # noqa: E402
from streamscope.record import page_scripts  # noqa: E402

CALLBACK = "MutationCallback"
INTERVAL_MS = 0.5
SHOWN = 25  # rows printed


def profiler_env(profile: Path) -> dict[str, str]:
    """What starts Gecko's profiler with the browser and writes its profile at shutdown."""
    return {
        "MOZ_PROFILER_STARTUP": "1",
        "MOZ_PROFILER_STARTUP_INTERVAL": str(INTERVAL_MS),
        "MOZ_PROFILER_STARTUP_ENTRIES": str(64 * 1024 * 1024),
        "MOZ_PROFILER_STARTUP_FEATURES": "js,stackwalk,cpu",
        "MOZ_PROFILER_STARTUP_FILTERS": "GeckoMain",
        "MOZ_PROFILER_SHUTDOWN": str(profile),
    }


def threads(profile: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The pages' threads of a Gecko profile: its content processes' ("tab"), not the browser's
    own, whose interface runs observers of its own."""
    for thread in profile.get("threads", []):
        if thread.get("processType") == "tab":
            yield thread
    for process in profile.get("processes", []):
        yield from threads(process)


def callback_samples(profile: dict[str, Any]) -> Counter[str]:
    """What each sample inside CALLBACK was doing: its innermost frame with a name."""
    doing: Counter[str] = Counter()
    for thread in threads(profile):
        strings = thread["stringTable"]
        stack_schema, frame_schema = thread["stackTable"]["schema"], thread["frameTable"]["schema"]
        stacks, frames = thread["stackTable"]["data"], thread["frameTable"]["data"]
        stack_at = thread["samples"]["schema"]["stack"]
        named: dict[int, tuple[str, bool]] = {}  # stack -> its innermost name, inside CALLBACK?
        for sample in thread["samples"]["data"]:
            stack = sample[stack_at]
            if stack is None:
                continue
            if stack not in named:
                named[stack] = _innermost(stack, stacks, frames, strings,
                                          stack_schema, frame_schema)
            name, inside = named[stack]
            if inside:
                doing[name] += 1
    return doing


def _innermost(stack: int | None, stacks: list[list[Any]], frames: list[list[Any]],
               strings: list[str], stack_schema: dict[str, int],
               frame_schema: dict[str, int]) -> tuple[str, bool]:
    name = ""
    inside = False
    while stack is not None:
        row = stacks[stack]
        frame = frames[row[stack_schema["frame"]]]
        location = strings[frame[frame_schema["location"]]]
        if location == CALLBACK:
            inside = True
            name = name or "(native code without symbols, under the callback)"
        if not name and not location.startswith("0x"):  # native code without symbols
            name = _frame_name(location, frame, strings, frame_schema)
        stack = row[stack_schema["prefix"]]
    return name, inside


def _frame_name(location: str, frame: list[Any], strings: list[str],
                frame_schema: dict[str, int]) -> str:
    """A label as it is; a JS frame ("name (url:line:column)[source]") as its name and tier."""
    if " (" not in location:
        return location
    at = frame_schema["implementation"]
    tier = frame[at] if at < len(frame) else None  # a row leaves off its trailing nulls
    return f"{location.split(' (')[0]}() [{strings[tier] if tier is not None else 'interpreter'}]"


@click.command()
@click.argument("file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rounds", default=6, show_default=True, type=click.IntRange(1, 50),
              help="Recordings of the big page in the one profile.")
def main(file: Path | None, rounds: int) -> None:
    """Profile the observer (or FILE) on the big page in Firefox; print where its time goes."""
    config = load_config()
    source = file.read_text() if file is not None else page_scripts.OBSERVER
    with tempfile.TemporaryDirectory(prefix="streamscope-profile-") as folder:
        path = Path(folder) / "profile.json"
        try:
            observer_ms = _record(config, source, path, rounds)
        except (BenchError, EngineError) as error:
            raise click.ClickException(one_line(error)) from error
        if not path.exists():
            raise click.ClickException("Firefox wrote no profile as it shut down")
        doing = callback_samples(json.loads(path.read_text()))
    total = sum(doing.values())
    if not total:
        raise click.ClickException(f"no sample of the profile is inside {CALLBACK}")
    click.echo(f"{rounds} recordings, observer {', '.join(f'{ms:.0f}' for ms in observer_ms)} ms "
               f"(profiled); {total:,} samples inside {CALLBACK}, every {INTERVAL_MS} ms:")
    for name, count in doing.most_common(SHOWN):
        click.echo(f"  {count / total:6.1%}  {name}")


def _record(config: Config, source: str, profile: Path, rounds: int) -> list[float]:
    """The big page recorded `rounds` times with `source` in a Firefox that writes its profile to
    `profile` as it stops (on leaving); the observer's ms of each."""
    observer_ms = []
    with ExitStack() as stack:
        server_pid, base_url = stack.enter_context(python_server("server"))
        # The browser takes the bench's environment as it starts; nothing started after it does.
        with patch.dict(os.environ, profiler_env(profile)):
            engine, opened = stack.enter_context(
                started_engine(config.engine("firefox"), spare={server_pid}))
        big = big_page_pipeline(engine, config)
        opened.callback(big.close)
        with observer(source):
            for _ in range(rounds):
                recording = big.record(base_url + PATH, wire=False)
                if recording.error or recording.observer_ms is None:
                    reason = recording.error or "no observer figure"
                    raise BenchError(f"the big page was not recorded: {reason}")
                observer_ms.append(recording.observer_ms)
    return observer_ms


if __name__ == "__main__":
    main()
