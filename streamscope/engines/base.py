"""The one small interface every engine implements: start, a fresh page, stop.

An engine only launches a browser and hands out pages to run scripts in; what to observe and
how to judge it belong to the recorder and the verdict, above it. What the engine is known to
do to a streamed page it declares as data (`gates`, see gates.py), carried in its EngineInfo.
"""

from __future__ import annotations

import abc
from typing import Any

from streamscope.engines.display import Display
from streamscope.engines.info import EngineInfo, Gate
from streamscope.engines.page_driver import PageDriver
from streamscope.engines.settings import EngineConfig
from streamscope.errors import one_line


class EngineError(RuntimeError):
    """An engine could not start or broke: the message says why, in one line."""


class Engine(abc.ABC):
    """A browser: started once, then a fresh page for each recording."""

    gates: tuple[Gate, ...] = ()
    safari_core = False  # whether this engine's core is Safari's (WebCore)

    def __init__(self, config: EngineConfig, *, window: bool = False) -> None:
        """`window`: show a real window (on a virtual display unless headed), so that what is
        painted can be recorded from the screen."""
        self.config = config
        self.settings: Any = config.settings
        self.window = window or config.headed
        self.display: Display | None = None
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
    def new_page(self) -> PageDriver:
        """A fresh page (its own context where the engine has them); the caller closes it."""

    def _needs_display(self) -> bool:
        """Some engines cannot run headless at all."""
        return False

    @property
    def endpoint(self) -> str:
        """Where the browser runs when not on this machine (a server's URL), else ""."""
        return ""

    def _open_display(self) -> Display | None:
        if self.endpoint:
            # The browser shows on the remote side's screen, if it has one: filmed only where
            # that screen is an X display this machine reaches.
            remote = self.settings.remote_screen
            return Display.existing(remote, self.config) if remote and self.window else None
        if self.window or self._needs_display():
            return Display.open(self.config)
        return None

    def why_not_filmed(self) -> str:
        """Why this engine's screen cannot be filmed (it has no display here), in one line."""
        if self.endpoint:
            return (f"{self.name} ran at {self.endpoint}, whose screen is not on this machine: "
                    "the DOM was recorded, the paint was not (name its X display with "
                    "--remote-display to film it)")
        return f"{self.name} has no window to film: start it with a window"

    def start(self) -> EngineInfo:
        try:
            self.display = self._open_display()
            self._info = self._launch()
        except BaseException as exc:
            self.stop()
            # Ctrl-C and SystemExit (a SIGTERM) go on as they are; so does our own error.
            if isinstance(exc, EngineError) or not isinstance(exc, Exception):
                raise
            raise EngineError(f"{self.name} could not start: {one_line(exc)}") from exc
        return self._info

    def stop(self) -> None:
        try:
            self._shutdown()
        finally:
            self._info = None
            if self.display is not None:
                self.display.close()
                self.display = None
