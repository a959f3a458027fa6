"""The pipeline around one recording, with an engine that opens no page: no browser."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from streamscope.config import Config
from streamscope.engines import Engine, EngineInfo, PageDriver
from streamscope.engines.display import Display
from streamscope.engines.settings import EngineConfig
from streamscope.paint import damage_capture
from streamscope.paint.damage_process import DamageProcess
from streamscope.record.pipeline import Pipeline


class PagelessEngine(Engine):
    """Started, on a display, but every page it is asked for fails to open."""

    def _launch(self) -> EngineInfo:
        return EngineInfo("chromium", "Blink", "Chromium", "1", "test")

    def _shutdown(self) -> None:
        pass

    def new_page(self) -> PageDriver:
        raise RuntimeError("the renderer crashed")


def test_a_page_that_cannot_open_ends_the_listener_started_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[tuple[DamageProcess, int]] = []

    class NotedRecorder(DamageProcess):
        def launch(self) -> None:
            super().launch()
            assert self.pid is not None
            launched.append((self, self.pid))

    monkeypatch.setattr(damage_capture, "DamageProcess", NotedRecorder)
    engine = PagelessEngine(EngineConfig("chromium", Config().engines["chromium"]))
    engine.start()
    engine.display = Display(":0", (64, 64))  # never reached: the listener waits for its job
    recording = Pipeline(engine, Config()).record("http://127.0.0.1:9/", video=tmp_path / "v.webm",
                                                  wire=False)
    assert recording.error == "chromium could not open a fresh page: the renderer crashed"
    ((recorder, pid),) = launched  # started before the page, as a recording does
    assert recorder.pid is None and not psutil.pid_exists(pid)
    assert not recorder.spool.exists()


def test_a_page_that_cannot_open_still_has_the_raw_client_say_what_the_server_does() -> None:
    # The raw client's fetch starts as the engine navigates; an engine that never got there
    # has it started after all, for its account of the URL.
    engine = PagelessEngine(EngineConfig("chromium", Config().engines["chromium"]))
    engine.start()
    recording = Pipeline(engine, Config().with_timeout(2.0)).record("http://127.0.0.1:9/")
    assert recording.error == "chromium could not open a fresh page: the renderer crashed"
    assert recording.wire is None  # nothing listens on port 9: no response, and no hang
