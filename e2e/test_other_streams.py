"""Verdicts hold on streams the write-up did not try: text/plain with and without nosniff,
small first bytes, compression, and a server that is not Flask.

Each case states, per engine, whether the DOM and the screen grow while the response
arrives; the comments say which engine mechanism the measurement shows.
"""

from __future__ import annotations

import pytest

from streamscope.plugin.assertions import assert_rendering
from streamscope.record.pipeline import Pipeline

# (DOM incremental, painted incrementally) per engine.
Expected = dict[str, tuple[bool, bool]]

SMALL_ITEMS = "/probe?count=8&delay=0.3&item_bytes=40"
CASES: dict[str, tuple[str, Expected]] = {
    # Chromium sniffs up to 1024 bytes of text/plain before committing it; WebKitGTK's
    # libsoup holds the first 512 bytes of anything. 8 x 40 bytes fills neither.
    "plain-text": (SMALL_ITEMS + "&content_type=plain", {
        "chromium": (False, False), "firefox": (True, True), "webkit": (False, False)}),
    # nosniff lets Chromium commit at once; libsoup still sniffs.
    "plain-text-nosniff": (SMALL_ITEMS + "&content_type=plain&nosniff=1", {
        "chromium": (True, True), "firefox": (True, True), "webkit": (False, False)}),
    # 600 invisible bytes first fill libsoup's buffer: WebKit's DOM then grows item by item,
    # yet it paints nothing until the page is "visually non-empty" (webkit.org/b/252413).
    "invisible-prefix": (SMALL_ITEMS + "&prefix=600", {
        "chromium": (True, True), "firefox": (True, True), "webkit": (True, False)}),
    # With a few hundred visible characters per item, WebKit paints as it goes too.
    "large-visible-items": ("/probe?count=8&delay=0.3&item_bytes=300&prefix=600", {
        "chromium": (True, True), "firefox": (True, True), "webkit": (True, True)}),
    # A compressor that is never flushed holds everything until the end, in every engine.
    "gzip-unflushed": (SMALL_ITEMS + "&prefix=600&gzip=buffer", {
        "chromium": (False, False), "firefox": (False, False), "webkit": (False, False)}),
}


@pytest.mark.parametrize("case", CASES)
def test_probe_streams(record, server_url, browser_name, case):
    path, expected = CASES[case]
    incremental, painted = expected[browser_name]
    assert_rendering(record(server_url + path), incremental=painted, dom=incremental,
                     painted=painted)


def test_a_stream_from_another_server_renders_incrementally(record, other_server_url):
    recording = record(other_server_url)
    assert recording.status == 200
    assert_rendering(recording, incremental=True, dom=True, painted=True)


def test_a_shell_then_one_late_piece_is_progressive(record, other_server_url, browser_name):
    """A person sees the header for 1.5 s before the results: that is progressive rendering.
    WebKit holds a page this small (about 200 bytes, 80 visible characters) in every gate."""
    recording = record(other_server_url + "shell")
    progressive = browser_name != "webkit"
    verdict = assert_rendering(recording, incremental=progressive, dom=progressive,
                               painted=progressive)
    if progressive:
        assert "the rest came in one piece" in verdict.reason


def test_hidden_content_counts_only_once_revealed(record, other_server_url):
    """React's Suspense shape: the content sits in <div hidden> a second before the script
    that reveals it runs, at the end; nobody saw it earlier, in any engine."""
    recording = record(other_server_url + "suspense")
    verdict = assert_rendering(recording, incremental=False, dom=False, painted=False)
    assert verdict.first_content_ms is not None and verdict.response_end_ms is not None
    assert verdict.first_content_ms >= verdict.response_end_ms - 50
    assert recording.dom[-1].text_chars > 900  # all 20 results, once revealed


def test_an_unreachable_server_is_an_error_not_a_verdict(record, closed_url):
    recording = record(closed_url)
    assert recording.error is not None
    with pytest.raises(AssertionError, match="the recording failed"):
        assert_rendering(recording, dom=False)


def test_an_unreachable_server_still_gets_a_screenshot_of_what_the_engine_shows(
        browser_engine, streamscope_config, closed_url, tmp_path):
    """Taken as the recording ends, while the engine is still turning to its error page:
    Chromium refused 8 screenshots of 25 before it waited for that page's first frame."""
    pipeline = Pipeline(browser_engine, streamscope_config)
    try:
        for n in range(5):
            assert pipeline.record(closed_url, wire=False).error is not None
            pipeline.screenshot(tmp_path / f"{n}.png")
            assert (tmp_path / f"{n}.png").stat().st_size > 0
    finally:
        pipeline.close()
