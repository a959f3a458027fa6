"""A cause, measured, for each way a page is held; and fixes proved by replaying the recorded
response. The thresholds the causes quote are measured by this session, in these engines."""

from __future__ import annotations

import pytest

from streamscope.judge.verdict import judge
from streamscope.prove.thresholds.measure import Case, measure
from streamscope.record.pipeline import Pipeline
from streamscope.record.threshold_cache import save_thresholds

SMALL_ITEMS = "/probe?count=8&delay=0.3&item_bytes=40"
INVISIBLE_PREFIX = SMALL_ITEMS + "&prefix=600"
# What each engine's cases need measured: WebKit's gates hold HTML, Chromium's text/plain.
NEEDED = {"webkit": (Case("html", False),), "chromium": (Case("plain", False),), "firefox": ()}

# path -> the headline's cause per engine
CAUSES: dict[str, dict[str, str]] = {
    "/sync": dict.fromkeys(("chromium", "firefox", "webkit"), "sent_at_once"),
    "/probe?count=8&delay=0.3&item_bytes=300&prefix=600&gzip=buffer":
        dict.fromkeys(("chromium", "firefox", "webkit"), "compressed"),
    SMALL_ITEMS: {"chromium": "streamed", "firefox": "streamed",
                  "webkit": "below_byte_threshold"},
    SMALL_ITEMS + "&content_type=plain": {"chromium": "below_byte_threshold",
                                         "firefox": "streamed", "webkit": "below_byte_threshold"},
    INVISIBLE_PREFIX: {"chromium": "streamed", "firefox": "streamed",
                       "webkit": "too_few_visible_chars"},
    "/hello-world": {"chromium": "streamed", "firefox": "streamed",
                     "webkit": "below_byte_threshold"},
}


@pytest.fixture(scope="session")
def measured(browser_engine, streamscope_config, server_url):
    """This engine build's thresholds for the cases below, measured and kept in the session's
    cache, so that every recording after it carries them."""
    pipeline = Pipeline(browser_engine, streamscope_config)
    try:
        thresholds, failed = measure(pipeline, server_url, cases=NEEDED[browser_engine.name])
    finally:
        pipeline.close()
    assert failed == ()
    save_thresholds(browser_engine.info, thresholds)
    return {t.content_type: t for t in thresholds}


@pytest.mark.parametrize("path", CAUSES)
def test_each_held_page_gets_its_measured_cause(record, server_url, browser_name, measured,
                                                path):
    recording = record(server_url + path)
    verdict = judge(recording)
    expected = CAUSES[path][browser_name]
    assert verdict.cause == expected, verdict.reason
    diagnosis = verdict.diagnosis
    assert bool(diagnosis.fix) == (expected != "streamed")
    if browser_name != "webkit":
        assert diagnosis.safari == "n/a"
    if expected == "below_byte_threshold":
        # Measured by `measured`, or by the recording on its first need (WebKit's text/plain).
        case = recording.threshold_for("text/plain" if "plain" in path else "text/html", False)
        assert case is not None and diagnosis.evidence["threshold_bytes"] == case.bytes > 0
        assert diagnosis.evidence["bytes_before_end"] < case.bytes
    if expected == "too_few_visible_chars":
        assert diagnosis.safari == "yes"  # WebCore's first-paint rule is Safari's too
        chars = measured["text/html"].visible_chars
        assert diagnosis.evidence["threshold_visible_chars"] == chars > 0
    if expected in ("sent_at_once", "compressed") and browser_name == "webkit":
        assert diagnosis.safari == "yes"


def test_one_late_piece_from_another_server_is_a_single_step(record, other_server_url,
                                                            browser_name, measured):
    verdict = judge(record(other_server_url + "shell"))
    expected = "below_byte_threshold" if browser_name == "webkit" else "single_step"
    assert verdict.cause == expected, verdict.reason


def test_nothing_shown_before_the_time_limit_never_ended(browser_engine, streamscope_config,
                                                        server_url, browser_name):
    pipeline = Pipeline(browser_engine, streamscope_config.with_timeout(2))
    try:
        recording = pipeline.record(server_url + "/probe?count=3&delay=4&item_bytes=20")
    finally:
        pipeline.close()
    verdict = judge(recording)
    assert verdict.cause == ("never_ended" if browser_name == "webkit" else "streamed")


def test_a_recording_that_failed_has_no_recording(record, closed_url):
    assert judge(record(closed_url)).cause == "no_recording"


# The held page, the engine that holds it, and what its replay applies; the other engines
# render these pages progressively.
@pytest.mark.parametrize(("path", "engine", "applied"), [
    ("/hello-world", "webkit", {"leading_bytes", "leading_text"}),
    (INVISIBLE_PREFIX, "webkit", {"leading_text"}),
    (SMALL_ITEMS + "&content_type=plain", "chromium", {"nosniff"}),
])
def test_the_fix_is_proved_by_a_replay(record, fix_replay, server_url, browser_name, measured,
                                       path, engine, applied):
    if browser_name == "webkit" and "content_type=plain" in path:
        # WebKit holds this text/plain page too, at libsoup's byte gate and then at WebCore's
        # first paint, which counts a plain-text page's one text node only as first laid out:
        # its fix puts the visible characters at the very start, and the bytes after them.
        engine, applied = "webkit", {"leading_bytes", "leading_text"}
    replay = fix_replay(record(server_url + path))
    if browser_name != engine:  # rendered progressively: there is nothing to replay
        assert replay is None
        return
    assert replay is not None
    assert replay.unchanged is not None and not replay.unchanged.incremental
    assert set(replay.applied) == applied
    assert replay.verified, replay.summary
    assert replay.summary.startswith("verified: with ")


# A first chunk that already closes the document (Hono's JSX renderer), and one that leaves a
# <ul> open: the fix must land before what streams, and the fix says where.
@pytest.mark.parametrize(("path", "place"), [
    ("/closed-early", 'before the first streamed placeholder (`<template id="H:1">`)'),
    ("/open-list", "before the `<ul>` that the first chunk leaves open"),
])
def test_a_fix_lands_in_the_body_before_what_the_first_chunk_streams(
        record, fix_replay, server_url, browser_name, measured, path, place):
    recording = record(server_url + path)
    verdict = judge(recording)
    replay = fix_replay(recording)
    if browser_name != "webkit":  # rendered progressively: there is nothing to replay
        assert replay is None, verdict.reason
        return
    assert f"visible characters inside `<body>`, {place}" in verdict.fix
    assert replay is not None
    assert replay.unchanged is not None and not replay.unchanged.incremental
    assert replay.verified, replay.summary
    text, padding = replay.applied["leading_text"], replay.applied["leading_bytes"]
    assert text.where == f"inside `<body>`, {place}"
    assert "⟦<p>Streamed text" in text.after and "⟦" not in text.before
    assert padding.where == "as a comment right after `<body>`"
    assert "<body>⟦<!-- " in padding.after
