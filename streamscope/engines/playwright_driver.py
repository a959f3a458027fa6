"""One Playwright driver shared by every Playwright engine in this thread.

Playwright's sync API runs one driver per thread, and a browser is driven only from the
thread that started its driver; starting a second driver in the same thread fails. So each
thread keeps its own (`streamscope run --jobs` records on several threads, each with its
own), engines borrow their thread's, and the last to leave stops it. Where a driver is
already running in a thread (pytest-playwright's `playwright` fixture), engines borrow that
one instead, and it is left to its owner. A run that starts engines one after another keeps
its driver for all of them (kept()): starting one took 0.5 to 1 s.

A driver we start gets a temporary folder of its own (its TMPDIR, and so its browsers'),
removed once it has stopped: a driver killed mid-launch, as a terminal's Ctrl-C reaching the
whole process group does, leaves its playwright-artifacts-* folder and the browser's profile
behind (microsoft/playwright#5332, #13411), under a name only it knew.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright._impl import _driver, _transport
from playwright.sync_api import Playwright, sync_playwright

TEMPORARY_PREFIX = "streamscope-pw-"  # short: Chromium's socket path under it must fit 107 bytes


class _ThreadDriver(threading.local):
    driver: Playwright | None = None
    owned = False
    users = 0
    keepers = 0  # kept() blocks open in this thread
    temporary: Path | None = None  # our driver's TMPDIR


_local = _ThreadDriver()
_driver_env = _driver.get_driver_env


def _env_of_our_driver() -> dict[str, str]:
    """The environment the driver starts with: Playwright's, and the TMPDIR of the driver this
    thread is starting. playwright-python builds it from os.environ with no way to pass one
    (playwright/_impl/_transport.py), and os.environ is every thread's: changing it around a
    start would hand that TMPDIR to whatever another lane starts meanwhile."""
    env: dict[str, str] = _driver_env()
    if _local.temporary is not None:
        env["TMPDIR"] = str(_local.temporary)
    return env


# _transport imported the name from _driver; mypy --strict calls it not exported there.
_transport.get_driver_env = _env_of_our_driver  # type: ignore[attr-defined]


def browser_env(env: dict[str, str]) -> dict[str, str]:
    """`env`, for a browser this thread's driver launches, with the driver's TMPDIR: a browser
    launched with an env of its own (a window's DISPLAY) would otherwise get the run's. Firefox
    makes a `firefox-esr` lock folder and a remote-settings file in its TMPDIR while it starts,
    and removes them once started: killed mid-start (a terminal's Ctrl-C), it leaves them, so
    they must be where the driver's folder takes them away (streamscope#22)."""
    if _local.temporary is None:  # a driver someone else started: its TMPDIR is theirs
        return env
    return {**env, "TMPDIR": str(_local.temporary)}


def share(running: Playwright) -> None:
    """Use a driver someone else started and will stop, unless ours is in use."""
    if not _local.owned:
        _local.driver = running


def acquire() -> Playwright:
    if _local.driver is None:
        _local.temporary = Path(tempfile.mkdtemp(prefix=TEMPORARY_PREFIX))
        try:
            _local.driver, _local.owned = sync_playwright().start(), True
        except BaseException:
            _remove_temporary()
            raise
    _local.users += 1
    return _local.driver


def driver_pid(driver: Playwright) -> int | None:
    """The PID of the driver's node process, below which it launches browsers; None when it
    runs no process of its own. playwright-python keeps it private (_transport.PipeTransport)."""
    connection = getattr(getattr(driver, "_impl_obj", None), "_connection", None)
    process = getattr(getattr(connection, "_transport", None), "_proc", None)
    return getattr(process, "pid", None)


def release() -> None:
    _local.users = max(_local.users - 1, 0)
    _stop_unused()


@contextmanager
def kept() -> Iterator[None]:
    """This thread's driver, once an engine starts one, runs on until the block ends, for the
    engines after it (and webkit's look for Playwright's build), instead of a driver each."""
    _local.keepers += 1
    try:
        yield
    finally:
        _local.keepers -= 1
        _stop_unused()


def _stop_unused() -> None:
    # A shared driver stays in use while its owner runs: starting our own beside it would fail.
    if (_local.users == 0 and _local.keepers == 0 and _local.owned
            and _local.driver is not None):
        driver, _local.driver, _local.owned = _local.driver, None, False
        try:
            driver.stop()
        except Exception:
            pass  # already gone: a terminal's Ctrl-C reaches the driver too
        finally:
            _remove_temporary()


def _remove_temporary() -> None:
    folder, _local.temporary = _local.temporary, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
