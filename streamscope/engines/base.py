"""The one small interface every engine implements: start, record a URL, screenshot, stop.

An engine only launches a browser and runs scripts in it; what to observe and how to judge
it belong to the recorder (streamscope/recorder.py) and the verdict.
"""

from __future__ import annotations

import abc
from pathlib import Path
from types import TracebackType

from streamscope import recorder
from streamscope.config import EngineConfig, RecordingConfig
from streamscope.engines.display import Display
from streamscope.engines.page import PageDriver
from streamscope.errors import one_line
from streamscope.recording import EngineInfo, Recording


class EngineError(RuntimeError):
    """An engine could not start or broke: the message says why, in one line."""


class Engine(abc.ABC):
    """A browser: started once, then a fresh page for each recording."""

    def __init__(self, config: EngineConfig, *, window: bool = False) -> None:
        """`window`: show a real window (on a virtual display unless headed), so that what is
        painted can be recorded from the screen."""
        self.config = config
        self.window = window or config.headed
        self.display: Display | None = None
        self._page: PageDriver | None = None
        self._info: EngineInfo | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def info(self) -> EngineInfo:
        if self._info is None:
            raise EngineError(f"{self.name} is not started")
        return self._info

    @abc.abstractmethod
    def _launch(self) -> EngineInfo:
        """Launch the browser, on self.display when there is one."""

    @abc.abstractmethod
    def _shutdown(self) -> None:
        """End the browser and every process it started; safe after a failed or partial launch."""

    @abc.abstractmethod
    def new_page(self) -> PageDriver: ...

    def _needs_display(self) -> bool:
        """Some engines cannot run headless at all."""
        return False

    def start(self) -> EngineInfo:
        try:
            if self.window or self._needs_display():
                self.display = Display.open(self.config)
            self._info = self._launch()
        except BaseException as exc:
            self.stop()
            # Ctrl-C and SystemExit (a SIGTERM) go on as they are; so does our own error.
            if isinstance(exc, EngineError) or not isinstance(exc, Exception):
                raise
            raise EngineError(f"{self.name} could not start: {one_line(exc)}") from exc
        return self._info

    def record(self, url: str, settings: RecordingConfig,
               paint: recorder.PaintCapture | None = None) -> Recording:
        """Record `url` in a fresh page, which stays open for a screenshot until the next one.

        A failure is the recording's error, so that one bad page never ends a whole run.
        """
        try:
            self._close_page()
            self._page = self.new_page()
        except Exception as exc:
            return Recording(url=url, browser=self.name, engine=self.info,
                             error=f"{self.name} could not open a fresh page: {one_line(exc)}")
        return recorder.record(self._page, self.info, url, settings, paint)

    def screenshot(self, path: Path) -> None:
        """What the last recorded page shows now."""
        if self._page is None:
            raise EngineError(f"{self.name} has no page to screenshot: record a URL first")
        self._page.screenshot(path)

    def stop(self) -> None:
        try:
            self._close_page()
        except Exception:  # the browser may already be gone; what matters is what follows
            pass
        try:
            self._shutdown()
        finally:
            self._info = None
            if self.display is not None:
                self.display.close()
                self.display = None

    def _close_page(self) -> None:
        page, self._page = self._page, None
        if page is not None:
            page.close()

    def __enter__(self) -> Engine:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

