"""`streamscope doctor`: can each configured engine run here, and if not, what fixes it.

The parts are those the engines declare (engines/readiness.py, the same checks the pytest
plugin makes at session start); an engine whose parts are all there is then started once,
without a window, which proves it runs and names its build, whose thresholds are measured
or not (record/threshold_cache.py).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import fields

from streamscope.config import PYPROJECT, PYPROJECT_TABLE, Config
from streamscope.engines import (
    ENGINES,
    EngineConfig,
    EngineError,
    create_engine,
    playwright_driver,
)
from streamscope.engines.readiness import Readiness, check_engines
from streamscope.record.threshold_cache import cache_path, cached_thresholds
from streamscope.run.install_deps import InstallError, install_command, packages_to_install

Write = Callable[[str], None]


def doctor(config: Config, names: Sequence[str], write: Write) -> int:
    """One line per engine, then one per fix; 0 where every engine can run, else 1."""
    configs = [config.engine(name) for name in names]
    width = max(len(name) for name in names)
    ready = True
    with playwright_driver.kept():
        results = check_engines(configs, paint=True)
        for engine, result in zip(configs, results, strict=True):
            ok, line = _started(engine, result) if result.ok else (False, result.summary())
            ready = ready and ok
            write(f"{engine.name:<{width}}  {'ok' if ok else 'cannot run'}: {line}")
    for fix in fixes(config, results):
        write(f"fix: {fix}")
    return 0 if ready else 1


def _started(engine: EngineConfig, result: Readiness) -> tuple[bool, str]:
    """The engine, started once: whether it ran, and its build, its parts and whether its
    thresholds are measured, or why it did not start."""
    browser = create_engine(engine, window=False)
    try:
        info = browser.start()
    except EngineError as exc:
        return False, str(exc)
    finally:
        browser.stop()
    if cached_thresholds(info):
        measured = f"thresholds measured ({cache_path(info)})"
    else:
        # Not a step to take first: a run measures the gate a held page needs, once.
        measured = ("thresholds not measured yet for this build (the first run that needs "
                    "one measures it)")
    return True, (f"{info.product} {info.version} by {info.launcher}; "
                  f"{result.summary(besides_browser=True)}; {measured}")


def fixes(config: Config, results: Sequence[Readiness]) -> list[str]:
    """What fixes each missing part: the command that installs its package, or the setting
    that points at a file nowhere."""
    lines = []
    packages = packages_to_install(results)
    if packages:
        try:
            command = shlex.join(install_command(packages, results))
            lines.append(f"streamscope install-deps (runs: {command})")
        except InstallError as exc:
            lines.append(str(exc))
    for result in results:
        for check in result.problems:
            if check.setting:
                lines.append(_setting_fix(config, result.engine, check.setting, check.package))
    return lines


def _setting_fix(config: Config, engine: str, setting: str, package: str) -> str:
    default = {f.name: f.default for f in fields(ENGINES[engine].settings)}[setting]
    table = f"engines.{engine}"
    source = config.source
    if source is not None and source.name == PYPROJECT:
        table = ".".join((*PYPROJECT_TABLE, table))
    where = source or "playwright.config.toml"
    return (f"set {setting} under [{table}] in {where} to the file's path, or remove it for "
            f"Debian's, which {package} puts at {default} (`streamscope install-deps` "
            f"installs it where it is missing)")
