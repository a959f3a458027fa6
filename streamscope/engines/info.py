"""What ran, and what that engine is known to do to a streamed page, as data.

Each engine module declares its gates (the mechanisms that can hold a streamed page back),
and the recording carries them, so the verdict explains a held page from data and never
asks which engine it was. A gate names its mechanism, not its threshold: thresholds are
measured, never declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class GateKind(StrEnum):
    SNIFF = "sniff"  # the first bytes are held to sniff the type before the engine sees any
    FIRST_PAINT = "first_paint"  # nothing is painted until the page has enough content
    PAINT_HOLDING = "paint_holding"  # a navigation's first paint is held for a while
    PARSER_FLUSH = "parser_flush"  # parsed content reaches the DOM on a timer


class Layer(StrEnum):
    ENGINE_CORE = "engine core"  # shared by every product on this engine (WebCore: Safari too)
    PORT_NETWORK = "port network layer"  # this port's own network stack (libsoup: Linux only)
    BROWSER = "browser"  # this browser's own code


@dataclass(frozen=True)
class Gate:
    kind: GateKind
    layer: Layer
    mechanism: str  # what holds the page, in a reader's words
    reference: str  # where it lives in the engine's source, or its bug
    content_types: tuple[str, ...] = ()  # the types it applies to; () for every type
    lifted_by_nosniff: bool = False  # X-Content-Type-Options: nosniff turns it off
    safari: str = "n/a"  # does Safari share it: "yes", "unknown", or "n/a" (not WebKit)
    # A first-paint gate that counts a text node's characters only when it is first laid out
    # (False) never sees text that streams into a node already shown: a plain-text page's.
    counts_appended_text: bool = True

    def applies(self, content_type: str, nosniff: bool) -> bool:
        if self.lifted_by_nosniff and nosniff:
            return False
        media_type = content_type.split(";")[0].strip().lower()
        return not self.content_types or media_type in self.content_types


@dataclass(frozen=True)
class EngineInfo:
    """Which browser actually ran: WebKitGTK is WebKit, not Safari, and the report says so."""

    name: str  # the matrix name: chromium, firefox or webkit
    engine: str  # the rendering engine: Blink, Gecko, WebKit
    product: str  # what was launched, e.g. "Chromium (Debian)", "WebKitGTK MiniBrowser"
    version: str
    launcher: str  # how it was driven, e.g. "playwright", "playwright over WebDriver BiDi"
    user_agent: str = ""
    gates: tuple[Gate, ...] = ()
    safari_core: bool = False  # its engine core is Safari's (WebCore): Safari questions apply
    endpoint: str = ""  # the server it ran on when not on this machine (ws:// or http:// URL)

    def gates_of(self, kind: GateKind) -> tuple[Gate, ...]:
        return tuple(gate for gate in self.gates if gate.kind is kind)
