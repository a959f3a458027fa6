"""A Playwright engine's pages, with a stand-in for Playwright: no browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from streamscope.config import Config
from streamscope.engines import playwright_driver
from streamscope.engines.chromium import ChromiumEngine
from streamscope.engines.display import Display


class FakeContext:
    def __init__(self, browser: FakeBrowser) -> None:
        self.browser = browser
        self.closed = False

    def new_page(self) -> FakeContext:
        return self  # page and context in one: the engine only evaluates and closes

    def evaluate(self, script: str) -> str:
        return "FakeAgent/1.0"

    def close(self) -> None:
        self.closed = True


class FakeBrowser:
    version = "1.0"

    def __init__(self) -> None:
        self.contexts: list[FakeContext] = []

    def new_context(self, **options: Any) -> FakeContext:
        self.contexts.append(FakeContext(self))
        return self.contexts[-1]

    def close(self) -> None:
        pass


class FakeBrowserType:
    executable_path = "/nonexistent/playwright-build"  # no Playwright build: the system's

    def __init__(self) -> None:
        self.browser = FakeBrowser()
        self.launched: list[dict[str, Any]] = []

    def launch(self, **options: Any) -> FakeBrowser:
        self.launched.append(options)
        return self.browser


class FakePlaywright:
    def __init__(self) -> None:
        self.chromium = FakeBrowserType()


def test_the_page_the_launch_opened_is_the_first_recordings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    playwright = FakePlaywright()
    monkeypatch.setattr(playwright_driver, "acquire", lambda: playwright)
    monkeypatch.setattr(playwright_driver, "release", lambda: None)
    engine = ChromiumEngine(Config().engine("chromium"))
    info = engine.start()
    contexts = playwright.chromium.browser.contexts
    assert info.user_agent == "FakeAgent/1.0" and len(contexts) == 1
    first = engine.new_page()
    assert len(contexts) == 1 and not contexts[0].closed  # the launch's, still fresh
    first.close()
    engine.new_page()
    assert len(contexts) == 2  # then a new context for each recording
    engine.stop()


def test_a_browser_with_a_window_gets_the_drivers_temporary_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    # Firefox makes a firefox-esr lock folder in its TMPDIR while it starts: killed then (a
    # Ctrl-C), it leaves it, and only the driver's own folder is removed whatever happens.
    playwright = FakePlaywright()
    monkeypatch.setattr(playwright_driver, "acquire", lambda: playwright)
    monkeypatch.setattr(playwright_driver, "release", lambda: None)
    monkeypatch.setattr(playwright_driver._local, "temporary", tmp_path)
    monkeypatch.setenv("TMPDIR", "/the/runs/own")
    engine = ChromiumEngine(Config().engine("chromium"), window=True)
    monkeypatch.setattr(engine, "_open_display", lambda: Display(":99", (800, 600)))
    engine.start()
    try:
        [options] = playwright.chromium.launched
        assert options["env"]["DISPLAY"] == ":99"
        assert options["env"]["TMPDIR"] == str(tmp_path)
    finally:
        engine.display = None  # not ours to close
        engine.stop()
