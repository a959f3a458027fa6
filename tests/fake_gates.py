"""An engine with gates, faked: its pages answer the threshold probe's URLs as an engine that
needs BYTES bytes before it builds any DOM and CHARS visible characters before it paints would.
No browser: a probe takes microseconds."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from streamscope.config import Config
from streamscope.engines import EngineConfig, EngineInfo, gates
from streamscope.record.dom_recorder import SYSTEM_CLOCK, Clock, Streaming
from streamscope.recording import Recording
from tests.timelines import recording as made

BYTES = 500  # the fake engine's byte gate
CHARS = 200  # its first-paint gate, in visible characters
MARKUP = 9  # "<li></li>": the bytes of an item that are not visible characters
INFO = EngineInfo("webkit", "WebKit", "WebKitGTK MiniBrowser", "2.50.6", "fake",
                  gates=gates.WEBKIT_LINUX, safari_core=True)


@dataclass
class GatedEngine:
    """Enough of an Engine for the threshold code: a name, info, config, start and stop."""

    config: EngineConfig = field(default_factory=lambda: Config().engine("webkit"))
    window: bool = True
    info: EngineInfo = INFO
    endpoint: str = ""
    started: int = 0
    stopped: int = 0

    @property
    def name(self) -> str:
        return self.info.name

    def start(self) -> EngineInfo:
        self.started += 1
        return self.info

    def stop(self) -> None:
        self.stopped += 1


@dataclass
class GatedPipeline:
    """Enough of a Pipeline: record() answers a /probe URL as the gated engine would.
    `fails(url, attempt)` may make a recording fail, as a busy machine once did."""

    engine: GatedEngine = field(default_factory=GatedEngine)
    config: Config = field(default_factory=Config)
    clock: Clock = SYSTEM_CLOCK
    fails: Callable[[str, int], bool] = lambda url, attempt: False
    turn: Streaming = nullcontext
    urls: list[str] = field(default_factory=list)
    closed: bool = False

    def record(self, url: str, *, video: Path | None = None, wire: bool = True) -> Recording:
        self.urls.append(url)
        if self.fails(url, self.urls.count(url)):
            return Recording(url=url, engine=self.engine.info,
                             error=f"the page navigated itself to {url}, before it had "
                                   f"finished loading: record that URL instead")
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        item, prefix = int(query["item_bytes"]), int(query["prefix"])
        end = float(query["delay"]) * 1000 + 100
        chars = item - MARKUP
        dom_early = prefix + item >= BYTES
        early = [(50.0, chars, 1)] if dom_early else []
        samples = [(10.0, 0, 0), *early, (end + 5, chars * 2, 2)]
        paint = None
        if video is not None:
            painted = dom_early and chars >= CHARS
            paint = [(0.0, 0.0), *([(60.0, 0.5)] if painted else []), (end + 20, 1.0)]
        return replace(made(samples, end=end, paint=paint), url=url, engine=self.engine.info)

    def discard_video(self, video: Path) -> None:
        pass

    def close(self) -> None:
        self.closed = True
