"""One Playwright driver shared by every Playwright engine in this thread.

Playwright's sync API runs one driver per thread; starting a second one beside it fails,
so engines borrow this one and the last to leave stops it.
"""

from __future__ import annotations

from playwright.sync_api import Playwright, sync_playwright

_driver: Playwright | None = None
_manager = None
_users = 0


def acquire() -> Playwright:
    global _driver, _manager, _users
    if _driver is None:
        _manager = sync_playwright()
        _driver = _manager.start()
    _users += 1
    return _driver


def release() -> None:
    global _driver, _manager, _users
    _users -= 1
    if _users <= 0 and _driver is not None:
        _driver.stop()
        _driver, _manager, _users = None, None, 0
