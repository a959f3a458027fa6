"""A Playwright engine's pages, with a stand-in for Playwright, and its failed launch, with a
stand-in for the browser: no browser."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from streamscope.config import Config, load_config
from streamscope.engines import EngineError, playwright_driver
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


def test_a_failed_launch_ends_what_it_started_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real driver launches a stand-in browser that fails once another process of ours has
    # started meanwhile: another lane's Xvfb or browser, the video queue's ffmpeg.
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "none"))  # not its own build
    started, go = tmp_path / "started", tmp_path / "go"
    browser = tmp_path / "chromium"
    browser.write_text(f"#!/bin/sh\ntouch {started}\n"
                       f"while [ ! -e {go} ]; do sleep 0.05; done\nexit 1\n")
    browser.chmod(0o755)
    path = tmp_path / "playwright.config.toml"
    path.write_text(f'[engines.chromium]\nsystem_executable = "{browser}"\n')
    engine = ChromiumEngine(load_config(path).engine("chromium"))
    bystanders: list[subprocess.Popen[bytes]] = []

    def meanwhile() -> None:
        deadline = time.monotonic() + 60  # only so that a launch that never came cannot hang
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        bystanders.append(subprocess.Popen(["sleep", "60"]))
        go.touch()

    thread = threading.Thread(target=meanwhile)
    thread.start()
    try:
        with pytest.raises(EngineError):
            engine.start()
    finally:
        thread.join()
    try:
        assert started.exists() and bystanders[0].poll() is None
    finally:
        bystanders[0].kill()
        bystanders[0].wait()
