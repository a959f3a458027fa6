"""One Playwright driver shared by every Playwright engine in this thread.

Playwright's sync API runs one driver per thread, and a browser is driven only from the
thread that started its driver; starting a second driver in the same thread fails. So each
thread keeps its own (`streamscope run --jobs` records on several threads, each with its
own), engines borrow their thread's, and the last to leave stops it. Where a driver is
already running in a thread (pytest-playwright's `playwright` fixture), engines borrow that
one instead, and it is left to its owner. A run that starts engines one after another keeps
its driver for all of them (kept()): starting one took 0.5 to 1 s.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Playwright, sync_playwright


class _ThreadDriver(threading.local):
    driver: Playwright | None = None
    owned = False
    users = 0
    keepers = 0  # kept() blocks open in this thread


_local = _ThreadDriver()


def share(running: Playwright) -> None:
    """Use a driver someone else started and will stop, unless ours is in use."""
    if not _local.owned:
        _local.driver = running


def acquire() -> Playwright:
    if _local.driver is None:
        _local.driver, _local.owned = sync_playwright().start(), True
    _local.users += 1
    return _local.driver


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
