"""A loading state is content: the demo server's /loading/<shape> pages in every engine.

Each page shows a loading state at once and replaces it with the data after DELAY_S. Where an
engine puts the loading state on screen, a person saw part of the page while the rest was
arriving: progressive, cause `loading_state`. WebKit paints nothing until a page is visually
non-empty (about 200 visible characters, or 32x32 px of images: webkit.org/b/252413), so it
shows only the spinner image early. A background colour alone is no content anywhere.

Beyond the verdict, each run is checked against itself: the first paint, the verdict and the
reason say the same thing, and the captured frames show content from the first paint on and
none before it.
"""

from __future__ import annotations

import numpy as np
import pytest

from streamscope.judge.verdict import Verdict, judge
from streamscope.paint import decode
from streamscope.paint.content import BlankPage
from streamscope.recording import Recording
from streamscope.wording import milliseconds

DELAY_S = 1.5

SHOWN = (True, "loading_state")
HELD = (False, "too_few_visible_chars")
NO_CONTENT = (False, "no_early_content")
# shape -> the (progressive, cause) each engine may give.
SHAPES: dict[str, dict[str, set[tuple[bool, str]]]] = {
    "react": {"chromium": {SHOWN}, "firefox": {SHOWN}, "webkit": {HELD}},
    "skeleton": {"chromium": {SHOWN}, "firefox": {SHOWN}, "webkit": {HELD}},
    # 48x48 px of image is past WebCore's 32x32, but WebCore counts the image once it has
    # decoded and looks at the count at its next layout: WebKitGTK paints it early in most
    # runs, not all (README, "What it finds"). Either way the run must agree with itself.
    "spinner-image": {"chromium": {SHOWN}, "firefox": {SHOWN}, "webkit": {SHOWN, HELD}},
    "css-spinner": {"chromium": {SHOWN}, "firefox": {SHOWN}, "webkit": {HELD}},
    "background": {"chromium": {NO_CONTENT}, "firefox": {NO_CONTENT}, "webkit": {HELD}},
}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_loading_state_is_judged_by_what_the_screen_showed(record, fix_replay, server_url,
                                                             browser_name, shape):
    recording = record(f"{server_url}/loading/{shape}?delay={DELAY_S}")
    verdict = judge(recording)
    assert (verdict.incremental, verdict.cause) in SHAPES[shape][browser_name], verdict.reason
    progressive, cause = verdict.incremental, verdict.cause
    assert verdict.verdict_from == "paint"
    _first_paint_agrees_with_the_reason(verdict)
    _frames_agree_with_the_first_paint(recording, verdict)
    if cause == "loading_state":
        assert "the screen showed a loading state" in verdict.reason
        assert "the page replaced it at" in verdict.reason
    if shape == "react":
        # "Loading…" is in the DOM from the shell on, in every engine.
        assert verdict.dom_incremental
        if not progressive:
            # Measured on first need, this engine build's number is in the reason, and the fix,
            # text before the Suspense boundary, is proved on a replay.
            needed = verdict.diagnosis.evidence["threshold_visible_chars"]
            assert isinstance(needed, int) and needed > 8
            assert (f"the page held 8 visible characters before the end, fewer than the "
                    f"{needed:,} this engine needs") in verdict.diagnosis.why
            assert "visually non-empty" in verdict.diagnosis.why
            assert verdict.diagnosis.safari == "yes"
            replay = fix_replay(recording)
            assert replay is not None and replay.verified, replay and replay.summary


def _first_paint_agrees_with_the_reason(verdict: Verdict) -> None:
    first = verdict.first_paint_ms
    assert first is not None  # every page ends showing its results
    assert verdict.response_end_ms is not None
    if verdict.incremental:
        assert first < verdict.response_end_ms
        assert f"from {milliseconds(first)}" in verdict.reason
    else:
        assert f"until {milliseconds(first)}" in verdict.reason
    if "nothing was painted" in verdict.reason:
        assert f"nothing was painted until {milliseconds(first)}" in verdict.reason


def _frames_agree_with_the_first_paint(recording: Recording, verdict: Verdict) -> None:
    """The video's frames, on the page clock: blank (or a flat colour) before the first paint,
    content on it."""
    paint = recording.paint
    assert paint is not None and paint.video is not None and paint.video_offset_ms is not None
    frames = decode(paint.video)
    page_ms = frames.times_s * 1000.0 + paint.video_offset_ms
    blank = BlankPage(frames.pixels[int(np.flatnonzero(page_ms <= 0.0)[-1])])
    first = verdict.first_paint_ms
    assert first is not None

    def shows_content(index: int) -> bool:
        return bool(blank.content_mask(frames.pixels[index]).any())

    before = [i for i in range(len(frames)) if 0 < page_ms[i] < first - 1.0]
    assert not any(shows_content(i) for i in before), "content on screen before the first paint"
    at = int(np.flatnonzero(page_ms <= first + 1.0)[-1])
    assert shows_content(at), f"no content on screen at the first paint ({first:.1f} ms)"
