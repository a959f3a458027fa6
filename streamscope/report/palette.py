"""One colour and one display name per engine, shared by the plots and the page.

A reader follows an engine by its colour from the plots to the filmstrip, so the colours
are assigned here, once per report. They come from the Okabe-Ito palette, which stays
distinguishable under the common colour-vision deficiencies; none is the green or red that
the verdicts use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class EngineStyle:
    label: str
    color: str
    marker: str  # matplotlib marker, so lines that overlap stay apart without colour


_KNOWN = {
    "chromium": EngineStyle("Chromium", "#0072b2", "o"),
    "firefox": EngineStyle("Firefox", "#e69f00", "s"),
    "webkit": EngineStyle("WebKit", "#8e44ad", "^"),
}
# For engines outside the usual matrix, in the order they first appear.
_SPARE = (("#56b4e9", "D"), ("#cc79a7", "v"), ("#555555", "P"), ("#b8860b", "X"))


def engine_styles(names: Iterable[str]) -> dict[str, EngineStyle]:
    """The style of each matrix name, in order; unknown names take the spare styles in turn."""
    styles: dict[str, EngineStyle] = {}
    spare = 0
    for name in names:
        if name in styles:
            continue
        if name in _KNOWN:
            styles[name] = _KNOWN[name]
        else:
            color, marker = _SPARE[spare % len(_SPARE)]
            styles[name] = EngineStyle(name[:1].upper() + name[1:], color, marker)
            spare += 1
    return styles
