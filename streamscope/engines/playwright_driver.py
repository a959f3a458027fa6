"""One Playwright driver shared by every Playwright engine in this thread.

Playwright's sync API runs one driver per thread, and a browser is driven only from the
thread that started its driver; starting a second driver in the same thread fails. So each
thread keeps its own (`streamscope run --jobs` records on several threads, each with its
own), engines borrow their thread's, and the last to leave stops it. Where a driver is
already running in a thread (pytest-playwright's `playwright` fixture), engines borrow that
one instead, and it is left to its owner.
"""

from __future__ import annotations

import threading

from playwright.sync_api import Playwright, sync_playwright


class _ThreadDriver(threading.local):
    driver: Playwright | None = None
    owned = False
    users = 0


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
    # A shared driver stays in use while its owner runs: starting our own beside it would fail.
    if _local.users == 0 and _local.owned and _local.driver is not None:
        driver, _local.driver, _local.owned = _local.driver, None, False
        try:
            driver.stop()
        except Exception:
            pass  # already gone: a terminal's Ctrl-C reaches the driver too
