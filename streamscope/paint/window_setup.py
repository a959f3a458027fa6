"""Readying the page for a paint capture: a blank document, then where it is on screen.

Before navigating, the page shows a finished blank document (WebKit paints only a document
whose load made it "visually non-empty", and a finished load always does) and paints the
marker colour, which shows where the page is on screen. A capture then records that box
while the marker is painted again, then the blank colour: the baseline visual progress
starts from. Every paint capture method does this the same way.
"""

from __future__ import annotations

import time

from streamscope.deadline import poll
from streamscope.engines import Engine, EngineError, PageDriver
from streamscope.paint.marker import MARKER_CSS, PLAYWRIGHT_PAINT, marker_box
from streamscope.paint.screen_grab import grab_frame

BLANK_DOCUMENT = "data:text/html,<!doctype html><title>streamscope</title>"
READY = "return location.protocol === 'data:' && document.readyState === 'complete';"
LOAD_TIMEOUT_S = 10.0
LOCATE_TRIES = 10

Box = tuple[tuple[int, int], tuple[int, int]]  # (x, y), (width, height) on the screen


def place_page(engine: Engine, page: PageDriver) -> tuple[str, Box]:
    """Shows the blank document on `page` and finds it on `engine`'s screen: the X display's
    name, and the page's box there. Raises EngineError where that screen is not on this
    machine."""
    display = engine.display
    if display is None:
        raise EngineError(engine.why_not_filmed())
    show_blank_document(page)
    return display.name, locate_page(page, display.name, display.size)


def paint(page: PageDriver, color: str) -> None:
    """Paints `color` over the whole page, and returns once the page has produced a frame of it
    (the wall time the page reports is not used: see alignment.py)."""
    page.evaluate_async(f"return await ({PLAYWRIGHT_PAINT})({color!r});")


def locate_page(page: PageDriver, display: str, screen: tuple[int, int]) -> Box:
    """Where the page is on screen, found by painting the marker and looking for it.

    Only the page is recorded: browser toolbars change as a page loads (a stop button, a
    progress bar) and would count as paint, and window metrics cannot be trusted (an
    emulated viewport may be larger than the window that shows it).
    """
    paint(page, MARKER_CSS)
    # The compositor may show it a frame or two after the page painted it.
    for _ in range(LOCATE_TRIES):
        box = marker_box(grab_frame(display, screen))
        if box is not None:
            break
        time.sleep(1 / 30)
    else:
        raise EngineError(f"the page's marker colour is nowhere on display {display}")
    x, y, width, height = box
    return (x, y), (width // 2 * 2, height // 2 * 2)  # 4:2:0 video needs even sizes


def show_blank_document(page: PageDriver) -> None:
    page.navigate(BLANK_DOCUMENT, timeout_s=LOAD_TIMEOUT_S)
    if not poll(lambda _: page.evaluate(READY), LOAD_TIMEOUT_S, interval_s=0.02):
        raise EngineError("the blank page before the marker did not load")

