"""The verdict's one rule on hand-made timelines: content shown earlier than the response's
end, by more than the method's error bound, is progressive rendering."""

from dataclasses import replace

import pytest

from streamscope.engines import gates
from streamscope.judge.verdict import growth_steps, judge, shown_while_arriving
from streamscope.recording import ONE_FRAME_MS
from tests.timelines import recording, streamed

# A header early, then everything else in one piece at the end: Next.js loading.tsx, one
# Suspense boundary, a results page that flushes its header first.
SHELL_THEN_ONE_PIECE = [(10, 0, 0), (69, 100, 1), (5002, 1000, 2)]


def test_a_list_that_grows_while_streaming_is_progressive():
    verdict = judge(recording(streamed()))
    assert verdict.incremental and verdict.dom_incremental
    assert verdict.verdict_from == "dom"
    assert verdict.first_content_ms == 20
    assert verdict.growth_steps == 10
    assert "the page showed 10 visible characters from 20 ms, 4,980 ms before the response " \
           "ended at 5,000 ms; it grew 9 more times while the rest arrived" in verdict.reason


def test_a_shell_then_one_late_piece_is_progressive():
    verdict = judge(recording(SHELL_THEN_ONE_PIECE, end=5000))
    assert verdict.incremental
    assert verdict.growth_steps == 1
    assert verdict.reason == (
        "the page showed 100 visible characters from 69 ms, 4,931 ms before the response ended "
        "at 5,000 ms; the rest came in one piece at 5,002 ms (1,000 visible characters in all)")


def test_everything_shown_early_with_nothing_after_says_nothing_was_left_to_stream():
    verdict = judge(recording([(10, 0, 0), (30, 500, 5)], end=2000))
    assert verdict.incremental
    assert "nothing was left to stream" in verdict.reason


def test_content_only_at_the_end_is_not_progressive():
    verdict = judge(recording([(10, 0, 0), (5010, 100, 10)], committed=10))
    assert not verdict.incremental
    assert "the page showed nothing until 5,010 ms, when the response had ended (5,000 ms)" \
        in verdict.reason


def test_a_document_committed_at_the_end_says_so():
    verdict = judge(recording([(5010, 0, 0), (5012, 100, 10)], committed=5010))
    assert not verdict.incremental
    assert "committed the document only at 5,010 ms" in verdict.reason


def test_an_early_script_or_empty_element_is_not_content():
    # The observer counts neither: an early <script> or <div></div> leaves the counts at 0.
    verdict = judge(recording([(10, 0, 0), (40, 0, 0), (5003, 800, 9)]))
    assert not verdict.incremental
    assert verdict.first_content_ms == 5003


def test_hidden_content_revealed_at_the_end_is_not_progressive():
    # React streams a boundary into <div hidden>: nothing counts until the script reveals it.
    verdict = judge(recording([(10, 0, 0), (5004, 1058, 12)]))
    assert not verdict.incremental


def test_a_dom_that_grows_behind_a_blank_screen_is_not_progressive():
    verdict = judge(recording(streamed(), paint=[(4000, 0.0), (5040, 1.0)]))
    assert verdict.dom_incremental
    assert verdict.painted_incrementally is False
    assert not verdict.incremental
    assert verdict.verdict_from == "paint"
    assert "nothing was painted until 5,040 ms" in verdict.reason
    assert verdict.reason == verdict.paint_reason


def test_a_shell_painted_early_then_the_rest_is_progressive_on_screen():
    paint = [(101, 0.1), (5010, 1.0)]
    verdict = judge(recording(SHELL_THEN_ONE_PIECE, paint=paint))
    assert verdict.incremental and verdict.painted_incrementally
    assert verdict.first_paint_ms == 101
    assert verdict.paint_reason == (
        "the page was on screen from 101 ms (10% of the final picture), 4,899 ms before the "
        "response ended at 5,000 ms; the rest came in one piece at 5,010 ms")


def test_paint_that_follows_the_dom_is_progressive():
    paint = [(60, 0.1), (560, 0.2), (1060, 0.3), (5010, 1.0)]
    verdict = judge(recording(streamed(), paint=paint))
    assert verdict.painted_incrementally
    assert "the screen changed 2 more times while the rest arrived, the last of it at " \
           "5,010 ms" in verdict.paint_reason


def test_a_final_picture_shown_early_had_nothing_left_to_stream():
    verdict = judge(recording(streamed(), paint=[(60, 1.0)]))
    assert verdict.painted_incrementally
    assert "nothing was left to stream" in verdict.paint_reason


def test_a_screen_that_changed_without_content_has_not_painted_yet():
    # Frames that changed the screen but showed no content: a background colour, a scroll bar.
    paint = [(30, 0.005, 0.0), (700, 0.005, 0.0), (4000, 0.0, 0.0), (5040, 1.0)]
    verdict = judge(recording(streamed(), paint=paint))
    assert verdict.first_paint_ms == 5040
    assert not verdict.painted_incrementally
    assert ("the page held content from 20 ms but the screen changed from 30 ms without "
            "showing content (a flat colour or a scroll bar) until 5,040 ms, when the response "
            "had ended") in verdict.paint_reason


def test_a_first_paint_within_the_paint_error_of_the_end_is_not_early():
    paint = [(4980, 0.5), (5010, 1.0)]
    assert judge(recording(streamed(), paint=paint, paint_error_ms=33)).incremental is False
    assert judge(recording(streamed(), paint=paint, paint_error_ms=10)).incremental is True


def test_content_within_the_error_bound_of_the_end_does_not_count_as_early():
    samples = [(4960, 10, 1), (4990, 20, 2)]
    assert not judge(recording(samples, error_ms=50)).incremental
    assert judge(recording(samples, error_ms=0)).incremental


def test_the_dom_bound_is_never_below_one_frame():
    just_before = 5000 - ONE_FRAME_MS / 2  # a page parsed a few ms before its last byte
    assert not judge(recording([(10, 0, 0), (just_before, 500, 5)], error_ms=0)).incremental


def test_a_response_that_never_ended_is_judged_on_what_was_seen():
    verdict = judge(recording(streamed(3), end=None, ended=False))
    assert verdict.incremental
    assert "while the response was still arriving" in verdict.reason
    assert "had not ended" in verdict.reason


def test_no_content_at_all():
    verdict = judge(recording([(10, 0, 0)]))
    assert not verdict.incremental
    assert verdict.first_content_ms is None
    assert "never showed any content" in verdict.reason


def test_an_error_is_never_incremental_and_is_the_reason():
    rec = recording(streamed(), paint=[(60, 0.5), (5000, 1.0)])
    rec.error = "net::ERR_CONNECTION_REFUSED"
    verdict = judge(rec)
    assert not verdict.incremental and not verdict.dom_incremental
    assert verdict.painted_incrementally is None
    assert verdict.reason == "no recording: net::ERR_CONNECTION_REFUSED"


def test_growth_steps_count_rises_not_samples():
    assert growth_steps([]) == 0
    assert growth_steps(recording([(1, 0, 0), (2, 5, 1), (3, 5, 1), (4, 3, 1), (5, 9, 1)]).dom) == 2


@pytest.mark.parametrize(("first", "end", "error", "expected"), [
    (100, 5000, 0, True), (None, 5000, 0, False), (4990, 5000, 17, False),
    (4900, None, 17, True),
])
def test_the_rule_itself(first, end, error, expected):
    assert shown_while_arriving(first, end, error) is expected


def test_the_wire_explains_a_small_stream_held_by_the_engine():
    rec = recording([(5010, 100, 10)], committed=5010, wire_times=[i * 500 for i in range(10)])
    reason = judge(rec).reason
    assert "the server sent 190 bytes in 10 pieces over 4,500 ms, 171 of them before the end" \
        in reason


def test_the_wire_explains_a_body_sent_in_one_piece():
    rec = recording([(30, 100, 10)], end=20, committed=25, wire_times=[5])
    assert "in one piece" in judge(rec).reason


def test_no_paint_timeline_means_no_paint_verdict():
    verdict = judge(recording(streamed()))
    assert verdict.painted_incrementally is None
    assert verdict.paint_reason is None


def test_a_first_paint_rule_is_named_only_where_the_engine_declares_one():
    rec = recording(streamed(), paint=[(4000, 0.0), (5040, 1.0)])
    assert "252413" not in judge(rec).paint_reason
    rec.engine = replace(rec.engine, gates=gates.WEBKIT_LINUX)
    reason = judge(rec).paint_reason
    assert "visually non-empty" in reason and "252413" in reason
    assert "Safari shares it" in reason


def test_the_held_bytes_are_explained_by_the_gates_that_apply_to_the_response():
    rec = recording([(5010, 100, 10)], committed=5010, wire_times=[i * 500 for i in range(10)])
    rec.engine = replace(rec.engine, gates=gates.WEBKIT_LINUX)
    assert "libsoup" in judge(rec).reason
    assert "Safari's network layer is another" in judge(rec).reason
    rec.engine = replace(rec.engine, gates=gates.BLINK)
    assert judge(rec).reason.endswith("yet the engine showed nothing until the end")
    rec.wire = replace(rec.wire, headers={"content-type": "text/plain; charset=utf-8"})
    assert "X-Content-Type-Options: nosniff" in judge(rec).reason
    rec.wire = replace(rec.wire, headers={"content-type": "text/plain",
                                          "x-content-type-options": "nosniff"})
    assert "nosniff" not in judge(rec).reason
