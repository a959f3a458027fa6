from streamscope.verdict import growth_steps, is_incremental, judge
from tests.timelines import recording, streamed


def test_a_list_that_grows_while_streaming_is_incremental():
    verdict = judge(recording(streamed()))
    assert verdict.incremental
    assert verdict.first_content_ms == 20
    assert verdict.growth_steps == 10
    assert "before the response ended" in verdict.reason


def test_everything_after_the_end_is_not_incremental():
    verdict = judge(recording([(5010, 0, 0), (5012, 100, 10)], committed=5010))
    assert not verdict.incremental
    assert "committed the document only at 5010 ms" in verdict.reason


def test_a_committed_but_empty_body_until_the_end_is_not_incremental():
    verdict = judge(recording([(10, 0, 0), (5010, 100, 10)], committed=10))
    assert not verdict.incremental
    assert "stayed empty until 5010 ms" in verdict.reason


def test_content_in_one_step_before_the_end_is_not_incremental():
    verdict = judge(recording([(10, 0, 0), (100, 100, 10)]))
    assert not verdict.incremental
    assert "single step" in verdict.reason


def test_content_within_the_error_bound_of_the_end_does_not_count_as_early():
    samples = [(4960, 10, 1), (4990, 20, 2)]
    assert not judge(recording(samples, error_ms=50)).incremental
    assert judge(recording(samples, error_ms=0)).incremental


def test_paint_after_the_end_does_not_count_as_a_rise():
    paint = [(60, 0.3), (5040, 1.0)]  # one early change, then everything at the end
    verdict = judge(recording(streamed(), paint=paint))
    assert verdict.painted_incrementally is False


def test_noise_is_not_the_first_paint():
    paint = [(30, 0.005), (700, 0.005), (4000, 0.0), (5040, 1.0)]
    verdict = judge(recording(streamed(), paint=paint))
    assert "nothing was painted until 5040 ms" in verdict.paint_reason


def test_a_response_that_never_ended_is_judged_on_what_was_seen():
    verdict = judge(recording(streamed(3), end=None, ended=False))
    assert verdict.incremental
    assert "had not ended" in verdict.reason
    assert "still arriving" in verdict.reason


def test_no_content_at_all():
    verdict = judge(recording([(10, 0, 0)]))
    assert not verdict.incremental
    assert verdict.first_content_ms is None
    assert "never held any content" in verdict.reason


def test_an_error_is_never_incremental_and_is_the_reason():
    rec = recording(streamed())
    rec.error = "net::ERR_CONNECTION_REFUSED"
    verdict = judge(rec)
    assert not verdict.incremental
    assert verdict.reason == "no recording: net::ERR_CONNECTION_REFUSED"


def test_growth_steps_count_rises_not_samples():
    assert growth_steps([]) == 0
    assert growth_steps(recording([(1, 0, 0), (2, 5, 1), (3, 5, 1), (4, 3, 1), (5, 9, 1)]).dom) == 2


def test_the_rule_itself():
    assert is_incremental(100, 2)
    assert not is_incremental(100, 1)
    assert not is_incremental(None, 5)


def test_only_growth_while_the_response_arrives_counts():
    samples = [(10, 0, 0), (20, 40, 3), (5050, 900, 40)]  # the head early, the rest at the end
    assert growth_steps(recording(samples).dom) == 2
    assert growth_steps(recording(samples).dom, before_ms=5000) == 1
    verdict = judge(recording(samples, end=5000))
    assert not verdict.incremental
    assert verdict.growth_steps == 1
    assert "single step" in verdict.reason


def test_the_wire_explains_a_small_stream_held_by_the_engine():
    rec = recording([(5010, 100, 10)], committed=5010, wire_times=[i * 500 for i in range(10)])
    reason = judge(rec).reason
    assert "190 bytes in 10 chunks" in reason
    assert "sniff" in reason


def test_the_wire_explains_a_body_sent_in_one_piece():
    rec = recording([(30, 100, 10)], end=20, committed=25, wire_times=[5])
    assert "in one piece" in judge(rec).reason


def test_paint_that_follows_the_dom_is_incremental():
    paint = [(60, 0.1), (560, 0.2), (1060, 0.3), (5010, 1.0)]
    verdict = judge(recording(streamed(), paint=paint))
    assert verdict.painted_incrementally
    assert "first painted at 60 ms" in verdict.paint_reason


def test_a_dom_that_grows_behind_a_blank_screen_is_caught():
    verdict = judge(recording(streamed(), paint=[(4000, 0.0), (5040, 1.0)]))
    assert verdict.incremental
    assert verdict.painted_incrementally is False
    assert "nothing was painted until 5040 ms" in verdict.paint_reason


def test_no_paint_timeline_means_no_paint_verdict():
    verdict = judge(recording(streamed()))
    assert verdict.painted_incrementally is None
    assert verdict.paint_reason is None


def test_webkits_visually_non_empty_rule_is_named_only_for_webkit():
    from dataclasses import replace

    rec = recording(streamed(), paint=[(4000, 0.0), (5040, 1.0)])
    assert "252413" not in judge(rec).paint_reason
    rec.engine = replace(rec.engine, name="webkit", engine="WebKit")
    assert "visually non-empty" in judge(rec).paint_reason


def test_the_held_bytes_are_explained_by_what_the_engine_and_headers_point_at():
    from dataclasses import replace

    rec = recording([(5010, 100, 10)], committed=5010, wire_times=[i * 500 for i in range(10)])
    rec.engine = replace(rec.engine, engine="WebKit")
    assert "libsoup" in judge(rec).reason
    rec.engine = replace(rec.engine, engine="Blink")
    rec.wire = replace(rec.wire, headers={"content-type": "text/plain"})
    assert "X-Content-Type-Options: nosniff" in judge(rec).reason
    rec.wire = replace(rec.wire, headers={"content-type": "text/plain",
                                          "x-content-type-options": "nosniff"})
    assert "nosniff" not in judge(rec).reason
