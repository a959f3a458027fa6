"""One Playwright driver shared by every Playwright engine in this thread.

Playwright's sync API runs one driver per thread; starting a second one beside it fails,
so engines borrow this one and the last to leave stops it. Where a driver is already running
(pytest-playwright's `playwright` fixture), engines borrow that one instead, and it is left
to its owner.
"""

from __future__ import annotations

from playwright.sync_api import Playwright, sync_playwright

_driver: Playwright | None = None
_owned = False
_users = 0


def share(running: Playwright) -> None:
    """Use a driver someone else started and will stop, unless ours is in use."""
    global _driver, _owned
    if not _owned:
        _driver = running


def acquire() -> Playwright:
    global _driver, _owned, _users
    if _driver is None:
        _driver, _owned = sync_playwright().start(), True
    _users += 1
    return _driver


def release() -> None:
    global _driver, _owned, _users
    _users = max(_users - 1, 0)
    # A shared driver stays in use while its owner runs: starting our own beside it would fail.
    if _users == 0 and _owned and _driver is not None:
        driver, _driver, _owned = _driver, None, False
        try:
            driver.stop()
        except Exception:
            pass  # already gone: a terminal's Ctrl-C reaches the driver too
