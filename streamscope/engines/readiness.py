"""Can each engine run here? Its declared parts and the shared ones, checked without launching.

`streamscope doctor`, `streamscope install-deps` and the pytest plugin's session start all
ask this one function, so each names the same missing part the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from streamscope.engines import ENGINES, EngineConfig, playwright_driver
from streamscope.engines.needs import Check, check_display, check_ffmpeg, check_file
from streamscope.engines.playwright_engine import bundled


@dataclass(frozen=True)
class Readiness:
    """One engine's checks, in the order they are shown."""

    engine: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def problems(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)

    def summary(self, *, besides_browser: bool = False) -> str:
        """What it runs with (`besides_browser`: all but the browser, which a started engine
        names itself), or what it lacks, in one line."""
        shown = self.checks if self.ok else self.problems
        if self.ok and besides_browser:
            shown = tuple(check for check in shown if check.need != "browser")
        return "; ".join(str(check) for check in shown)


def check_engines(configs: Sequence[EngineConfig], *, paint: bool) -> list[Readiness]:
    """Each engine's readiness: `paint` puts every engine that runs here on a display, records
    its paint there (DAMAGE, MIT-SHM) and films it with ffmpeg."""
    local = [config for config in configs if not config.settings.remote_endpoint]
    builds = _playwright_builds({ENGINES[config.name].playwright_build for config in local})
    screen = [config for config in local if paint or not ENGINES[config.name].headless]
    shared: list[Check] = []
    if screen:
        display, extensions = check_display(screen[0])
        shared = [display, extensions, check_ffmpeg()] if paint else [display]
    results = []
    for config in configs:
        spec = ENGINES[config.name]
        endpoint = config.settings.remote_endpoint
        if endpoint:
            # What runs there is the endpoint's to check; it is reached when the engine starts.
            results.append(Readiness(config.name, (Check("endpoint", endpoint),)))
            continue
        build = builds.get(spec.playwright_build)
        if build:
            own: list[Check] = [Check("browser", f"Playwright's build ({build})")]
        else:
            defaults = {f.name: f.default for f in fields(spec.settings)}
            own = [check_file(part, getattr(config.settings, part.setting),
                              str(defaults[part.setting])) for part in spec.parts]
        results.append(Readiness(config.name, (*own, *(shared if config in screen else ()))))
    return results


def _playwright_builds(names: set[str]) -> dict[str, str]:
    """Where `playwright install` has put its own build of these browsers: name -> path."""
    if not names:
        return {}
    playwright = playwright_driver.acquire()
    try:
        types = {name: getattr(playwright, name) for name in names}
        return {name: str(Path(kind.executable_path)) for name, kind in types.items()
                if bundled(kind)}
    finally:
        playwright_driver.release()
