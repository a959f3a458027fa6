"""Where a browser window goes: the host's display when headed, else a virtual one.

WebKitGTK cannot run headless, and what is painted can only be recorded from a real
window, so engines open one of these instead of deciding about X themselves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pyvirtualdisplay.display import Display as VirtualDisplay

from streamscope.engines.processes import sheltered_from_ctrl_c
from streamscope.engines.settings import EngineConfig
from streamscope.priority import real_time


@dataclass
class Display:
    name: str  # the X display, e.g. ":99"
    size: tuple[int, int]
    _virtual: VirtualDisplay | None = None
    # How our Xvfb is scheduled ("" for a display that is not ours). A grab of a paint waits for
    # the X server to answer it: three loads of one page in Chromium at once on 2 cores were
    # stated with a paint error of up to 19 ms with Xvfb at normal priority, and of at most
    # 5.7 ms with it at SCHED_FIFO 1, as serial runs are (2026-12-06).
    priority: str = ""

    @classmethod
    def open(cls, config: EngineConfig) -> Display:
        size = (config.viewport.width, config.viewport.height)
        host = os.environ.get("DISPLAY")
        if config.headed and host:
            return cls(host, size)
        virtual = VirtualDisplay(visible=False, size=size, color_depth=24)
        try:
            with sheltered_from_ctrl_c():
                virtual.start()
        except BaseException as exc:
            # pyvirtualdisplay leaves an Xvfb that failed to come up (or was interrupted
            # while it did) running: 3.0's start() raises XStartError or XStartTimeoutError
            # without ending the process it started (pyvirtualdisplay/abstractdisplay.py,
            # start and _start1). No upstream report found.
            try:
                virtual.stop()
            except Exception:
                pass  # it never started: nothing to end
            if not isinstance(exc, Exception):
                raise
            raise RuntimeError(f"no virtual display (is Xvfb installed?): {exc}") from exc
        return cls(f":{virtual.display}", size, virtual, real_time(virtual.pid))

    @classmethod
    def existing(cls, name: str, config: EngineConfig) -> Display:
        """A display someone else runs (a remote browser's), assumed the viewport's size."""
        return cls(name, (config.viewport.width, config.viewport.height))

    @property
    def pid(self) -> int | None:
        """Our Xvfb's process; None for a display that is not ours."""
        return self._virtual.pid if self._virtual is not None else None

    @property
    def env(self) -> dict[str, str]:
        """The environment a browser needs to open its window here."""
        return {**os.environ, "DISPLAY": self.name}

    def close(self) -> None:
        if self._virtual is not None:
            self._virtual.stop()
            self._virtual = None
