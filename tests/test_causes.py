"""A cause, its evidence and its fix for every way a page is held, on hand-made timelines."""

from dataclasses import replace

from streamscope.engines import gates
from streamscope.engines.info import GateKind
from streamscope.judge.causes import Cause, Need, Remedy
from streamscope.judge.verdict import judge
from streamscope.recording import DomSample, Threshold, WireChunk, WireTimeline
from tests.timelines import ENGINE, recording, streamed, wire

WEBKIT = replace(ENGINE, name="webkit", engine="WebKit", gates=gates.WEBKIT_LINUX,
                 safari_core=True)
BLINK = replace(ENGINE, gates=gates.BLINK)
MEASURED = (Threshold("text/html", False, 527, 204, 23),
            Threshold("text/plain", False, 1038, 0, 12))
HELD_TO_THE_END = [(5010, 100, 10)]  # nothing in the page until the response had ended
EVERY_500_MS = [i * 500.0 for i in range(10)]


def held(engine=WEBKIT, thresholds=MEASURED, **kwargs):
    rec = recording(HELD_TO_THE_END, committed=5010, **kwargs)
    return replace(rec, engine=engine, thresholds=thresholds)


def test_a_progressive_page_streamed_and_has_nothing_to_fix():
    verdict = judge(recording(streamed(), wire_times=EVERY_500_MS))
    assert verdict.cause == "streamed" and verdict.fix == ""
    assert verdict.diagnosis.safari == "n/a"  # a Blink run


def test_a_shell_then_one_late_piece_is_a_single_step_with_its_chunks():
    rec = recording([(10, 0, 0), (69, 100, 1), (5002, 1000, 2)], wire_times=[5, 4995])
    verdict = judge(rec)
    assert verdict.incremental and verdict.cause == "single_step"
    assert verdict.diagnosis.evidence["chunks"] == [[5.0, 19], [4995.0, 19]]
    assert "one piece at the end" in verdict.diagnosis.why


def test_a_body_that_reached_a_plain_client_in_one_piece_was_sent_at_once():
    verdict = judge(held(wire_times=[4990]))
    assert verdict.cause == "sent_at_once"
    assert "proxy_buffering off" in verdict.fix and "X-Accel-Buffering: no" in verdict.fix
    assert "Cache-Control: no-transform" in verdict.fix
    assert verdict.diagnosis.safari == "yes"  # before any browser
    assert verdict.diagnosis.evidence["wire_chunks"] == 1


def test_a_compressed_body_that_streams_uncompressed_was_held_by_the_compressor():
    rec = held(wire_times=[4990])
    rec.wire = wire([4990, 4991], encoding="gzip")
    rec.wire_identity = wire(EVERY_500_MS)
    verdict = judge(rec)
    assert verdict.cause == "compressed"
    assert "Z_SYNC_FLUSH" in verdict.fix
    assert verdict.diagnosis.remedies == {Remedy.UNCOMPRESSED: 0}
    assert verdict.diagnosis.evidence["uncompressed_chunks"] == 10


def test_compressed_and_held_uncompressed_too_is_the_server():
    rec = held()
    rec.wire = wire([4990, 4991], encoding="gzip")
    rec.wire_identity = wire([4990])
    assert judge(rec).cause == "sent_at_once"


def test_too_few_bytes_for_the_engines_measured_sniffing_gate():
    verdict = judge(held(wire_times=EVERY_500_MS))  # 10 chunks of 19 bytes over 4.5 s
    diagnosis = verdict.dom_diagnosis
    assert diagnosis.cause is Cause.BELOW_BYTE_THRESHOLD
    assert diagnosis.evidence["bytes_before_end"] == 171
    assert diagnosis.evidence["threshold_bytes"] == 527
    assert "only 171 bytes arrived before the end, fewer than the 527" in diagnosis.why
    assert "send at least 527 bytes early" in diagnosis.fix
    assert diagnosis.safari == "unknown"  # libsoup is not Safari's network layer
    assert diagnosis.remedies == {Remedy.LEADING_BYTES: 527 + 64}


def test_past_the_byte_gate_the_first_paint_gate_is_named_with_its_numbers():
    verdict = judge(held(wire_times=EVERY_500_MS, paint=[(5050, 1.0)]))
    diagnosis = verdict.paint_diagnosis
    assert diagnosis.cause is Cause.BELOW_BYTE_THRESHOLD
    assert "the whole page has 100 visible characters, fewer than the 204" in diagnosis.why
    assert "send at least 204 visible characters early" in diagnosis.fix
    assert diagnosis.safari == "yes"  # WebCore's rule is Safari's too
    assert diagnosis.remedies == {Remedy.LEADING_BYTES: 591, Remedy.LEADING_TEXT: 236}
    assert verdict.cause == "below_byte_threshold"  # the headline is the paint's


def test_an_unmeasured_threshold_says_why_and_names_what_is_missing():
    rec = held(thresholds=(), wire_times=EVERY_500_MS)
    rec.thresholds_unmeasured = "not measured: --no-measure"
    verdict = judge(rec)
    assert verdict.cause == "below_byte_threshold"
    assert verdict.dom_diagnosis.evidence["threshold_bytes"] is None
    assert verdict.fix == "send more bytes early (an HTML comment of padding will do)"
    assert verdict.dom_diagnosis.why.endswith(
        "(how many this engine needs: not measured: --no-measure)")
    assert verdict.dom_diagnosis.remedies == {}  # nothing a replay could prove
    assert verdict.dom_diagnosis.missing == (Need("text/html", False, GateKind.SNIFF),)


def test_no_reason_or_fix_tells_the_user_to_run_another_command_first():
    for rec in (held(thresholds=(), wire_times=EVERY_500_MS),
                held(thresholds=(), wire_times=EVERY_500_MS, paint=[(5050, 1.0)]),
                replace(recording(streamed(), paint=[(5040, 1.0)], wire_times=EVERY_500_MS),
                        engine=WEBKIT)):
        verdict = judge(rec)
        for diagnosis in (verdict.dom_diagnosis, verdict.paint_diagnosis):
            if diagnosis is not None and diagnosis.cause is not Cause.STREAMED:
                assert "run `" not in diagnosis.why + diagnosis.fix
                assert "streamscope threshold" not in diagnosis.why + diagnosis.fix
                assert diagnosis.missing


def test_a_measured_threshold_leaves_nothing_missing():
    verdict = judge(held(wire_times=EVERY_500_MS, paint=[(5050, 1.0)]))
    assert verdict.dom_diagnosis.missing == () and verdict.paint_diagnosis.missing == ()


def test_a_threshold_past_the_most_probed_is_not_missing_and_says_so():
    beyond = (Threshold("text/html", False, None, None, 9),)
    verdict = judge(held(thresholds=beyond, wire_times=EVERY_500_MS))
    assert verdict.dom_diagnosis.missing == ()
    assert "(more than the most the measurement probed)" in verdict.dom_diagnosis.why


def test_text_plain_in_chromium_is_fixed_by_nosniff():
    rec = held(engine=BLINK, wire_times=EVERY_500_MS)
    rec.wire = replace(rec.wire, headers={"content-type": "text/plain; charset=utf-8"})
    verdict = judge(rec)
    assert verdict.cause == "below_byte_threshold"
    assert "fewer than the 1,038" in verdict.dom_diagnosis.why
    assert verdict.fix.startswith("send X-Content-Type-Options: nosniff")
    assert "(blank space will do)" in verdict.fix  # a comment in plain text would show
    assert verdict.dom_diagnosis.remedies == {Remedy.NOSNIFF: 0}
    assert verdict.dom_diagnosis.safari == "n/a"


def test_a_dom_grown_behind_a_blank_screen_had_too_few_visible_chars():
    rec = replace(recording(streamed(), paint=[(5040, 1.0)], wire_times=EVERY_500_MS),
                  engine=WEBKIT, thresholds=MEASURED)
    verdict = judge(rec)
    assert verdict.dom_incremental and not verdict.incremental
    assert verdict.cause == "too_few_visible_chars"
    evidence = verdict.paint_diagnosis.evidence
    assert evidence["visible_chars_before_end"] == 100
    assert evidence["threshold_visible_chars"] == 204
    assert verdict.paint_diagnosis.remedies == {Remedy.LEADING_TEXT: 236}
    assert verdict.paint_diagnosis.safari == "yes"


def test_a_blank_screen_in_an_engine_with_no_first_paint_gate_is_unexplained():
    verdict = judge(recording(streamed(), paint=[(5040, 1.0)], wire_times=EVERY_500_MS))
    assert verdict.cause == "unexplained"
    assert "hidden by CSS" in verdict.paint_diagnosis.why


def test_a_response_that_never_ended_and_showed_nothing():
    verdict = judge(recording([(10, 0, 0)], end=None, ended=False))
    assert verdict.cause == "never_ended"


def test_a_failed_recording_has_no_recording():
    rec = recording(streamed())
    rec.error = "net::ERR_CONNECTION_REFUSED"
    assert judge(rec).cause == "no_recording"


def test_enough_bytes_and_still_held_is_unexplained_and_says_what_was_seen():
    rec = held(wire_times=EVERY_500_MS)
    rec.wire = WireTimeline(200, {"content-type": "text/html"},
                            [WireChunk(t, 600) for t in EVERY_500_MS], ended=True)
    verdict = judge(rec)
    assert verdict.cause == "unexplained"
    assert "5,400 of them before the end" in verdict.dom_diagnosis.why


def test_past_an_unmeasured_byte_gate_the_first_paint_gate_is_still_named():
    verdict = judge(held(thresholds=(), wire_times=EVERY_500_MS, paint=[(5050, 1.0)]))
    diagnosis = verdict.paint_diagnosis
    assert "visually non-empty" in diagnosis.why and "Safari shares it" in diagnosis.why
    assert "not measured on this engine build" in diagnosis.why
    assert {need.kind for need in diagnosis.missing} == {GateKind.SNIFF, GateKind.FIRST_PAINT}
    assert diagnosis.safari == "yes"


# A Next.js loading.tsx page: "Loading…" (8 visible characters) in the shell at once, the page
# at 3 s, swapped in by a script; the final picture keeps nothing of the loading state.
LOADING_DOM = [(10, 0, 0), (89, 8, 1), (3041, 1500, 20)]
LOADING_PAINT = [(146, 0.0, 0.004, 0.0), (3046, 1.0, 0.2, 1.0)]
LOADING_WIRE = [5, 3030]


def loading(engine=BLINK, paint=LOADING_PAINT, dom=LOADING_DOM, **kwargs):
    rec = recording(dom, end=3040, paint=paint, wire_times=LOADING_WIRE, **kwargs)
    return replace(rec, engine=engine, thresholds=MEASURED)


def test_a_loading_state_the_page_replaced_is_progressive_and_named():
    verdict = judge(loading())
    assert verdict.incremental and verdict.painted_incrementally
    assert verdict.first_paint_ms == 146
    assert verdict.cause == "loading_state"
    assert verdict.reason == (
        "the screen showed a loading state (8 visible characters) from 146 ms, 2,894 ms before "
        "the response ended at 3,040 ms; the page replaced it at 3,046 ms, when the response had "
        "ended")
    diagnosis = verdict.diagnosis
    assert diagnosis.evidence == {"loading_state_ms": 146.0, "loading_state_visible_chars": 8,
                                  "replaced_ms": 3046.0, "response_end_ms": 3040.0}
    assert "stream it in parts" in diagnosis.fix
    assert verdict.dom_diagnosis.cause == "single_step"  # the DOM cannot tell it was replaced


def test_a_skeleton_with_no_text_is_a_loading_state_though_the_dom_saw_nothing():
    dom = [(10, 0, 0), (3041, 1500, 20)]  # grey blocks are no content element to the observer
    verdict = judge(loading(dom=dom, committed=8))
    assert verdict.incremental and not verdict.dom_incremental
    assert verdict.cause == "loading_state"
    assert "a loading state (no text: shapes or images) from 146 ms" in verdict.reason
    assert verdict.dom_diagnosis.cause == "no_early_content"


def test_content_the_final_picture_keeps_is_no_loading_state():
    paint = [(146, 0.1, 0.004, 1.0), (3046, 1.0, 0.2, 1.0)]
    verdict = judge(loading(paint=paint))
    assert verdict.incremental and verdict.cause == "single_step"
    assert "the page was on screen from 146 ms (10% of the final picture)" in verdict.reason


def test_a_background_colour_alone_is_not_content():
    dom = [(10, 0, 0), (3041, 1500, 20)]
    paint = [(40, 0.02, 0.0, 1.0), (3046, 1.0, 0.2, 1.0)]  # a flat fill: no content share
    verdict = judge(loading(dom=dom, paint=paint, committed=8))
    assert not verdict.incremental
    assert verdict.first_paint_ms == 3046
    assert verdict.cause == "no_early_content"
    assert "built the document from 8 ms" in verdict.diagnosis.why
    assert "the screen changed from 40 ms without showing content" in verdict.reason
    assert verdict.diagnosis.fix.startswith("send visible content first")


def test_a_flash_shorter_than_a_frame_is_not_shown():
    paint = [(146, 0.0, 0.004, 0.0), (150, 0.0, 0.0, 1.0), (3046, 1.0, 0.2, 1.0)]
    verdict = judge(loading(paint=paint))
    assert not verdict.painted_incrementally
    assert verdict.first_paint_ms == 3046


def test_a_loading_state_below_webcores_gate_names_the_gate_with_its_numbers():
    paint = [(3046, 1.0, 0.2, 1.0)]  # WebKit painted nothing until the end
    verdict = judge(loading(engine=WEBKIT, paint=paint))
    assert verdict.dom_incremental and not verdict.incremental
    assert verdict.cause == "too_few_visible_chars"
    assert ("the page held 8 visible characters before the end, fewer than the 204 this "
            "engine needs") in verdict.diagnosis.why
    assert verdict.diagnosis.safari == "yes"
    assert verdict.reason.startswith("the page held content from 89 ms but nothing was painted "
                                     "until 3,046 ms, when the response had ended (3,040 ms)")


def test_a_skeleton_below_webcores_gate_names_the_gate_not_missing_content():
    dom = [(10, 0, 0), (3041, 1500, 20)]
    verdict = judge(loading(engine=WEBKIT, dom=dom, paint=[(3046, 1.0, 0.2, 1.0)], committed=8))
    assert verdict.dom_diagnosis.cause == "no_early_content"
    assert verdict.cause == "too_few_visible_chars"
    why = verdict.diagnosis.why
    assert why.startswith("the engine built the document from 8 ms, but the 19 bytes that "
                          "arrived before the end held no visible text or image")
    assert "the page held 0 visible characters before the end, fewer than the 204" in why
    assert verdict.diagnosis.remedies == {Remedy.LEADING_TEXT: 236}


CLOSED_EARLY = (b'<!doctype html><html><head><meta charset="utf-8"><title>Orders</title></head>'
                b'<body><h1>Orders</h1><template id="H:1"></template><p>Loading</p>'
                b"</body></html>")


def _with_first_chunk(rec, chunk: bytes):
    """`rec` whose wire kept its body, `chunk` first, then small streamed parts."""
    part = b"<p>1</p>"
    chunks = [WireChunk(0.0, len(chunk))] + [WireChunk(t, len(part)) for t in EVERY_500_MS[1:]]
    body = chunk + part * (len(chunks) - 1)
    return replace(rec, wire=WireTimeline(200, {"content-type": "text/html"}, chunks,
                                          ended=True, body=body))


def test_the_fix_names_the_place_this_pages_first_chunk_shows():
    verdict = judge(_with_first_chunk(held(wire_times=EVERY_500_MS, paint=[(5050, 1.0)]),
                                      CLOSED_EARLY))
    diagnosis = verdict.paint_diagnosis
    assert "(an HTML comment of padding right after `<body>` will do)" in diagnosis.fix
    assert ("put at least 204 visible characters inside `<body>`, before the first streamed "
            'placeholder (`<template id="H:1">`), or an image') in diagnosis.fix


def test_too_few_visible_chars_names_the_open_element_to_put_them_before():
    rec = replace(recording(streamed(), paint=[(5040, 1.0)], wire_times=EVERY_500_MS),
                  engine=WEBKIT, thresholds=MEASURED)
    verdict = judge(_with_first_chunk(rec, b"<!doctype html><h1>Items</h1><ul>"))
    assert verdict.cause == "too_few_visible_chars"
    assert verdict.fix.startswith("put at least 204 visible characters inside `<body>`, "
                                  "before the `<ul>` that the first chunk leaves open")


def test_enough_visible_characters_and_still_unpainted_never_says_fewer():
    """The observer counted 257 characters early (some after </html>, which WebCore does not
    count): the reason must not say 257 is fewer than 204."""
    dom = [(10, 0, 0), (89, 257, 3), (3041, 1500, 20)]
    verdict = judge(loading(engine=WEBKIT, dom=dom, paint=[(3046, 1.0, 0.2, 1.0)]))
    assert not verdict.incremental
    assert verdict.cause == "unexplained"
    assert "fewer than" not in verdict.diagnosis.why
    assert "257 visible characters before the end, as many as the 204" in verdict.diagnosis.why
    assert verdict.diagnosis.remedies == {}


def test_a_plain_text_page_past_the_byte_gate_gets_its_text_in_the_first_chunk():
    """WebCore counts a text node's characters once, as it is first laid out: a text/plain
    stream grows one node, so 214 characters streamed in after that never open a 205-character
    gate. The text goes at the very start, and no image can stand in for it."""
    thresholds = (Threshold("text/plain", False, 527, 205, 20),)
    rec = held(thresholds=thresholds, wire_times=EVERY_500_MS, paint=[(5050, 1.0)])
    rec = replace(rec, content_type="text/plain",
                  dom=[DomSample(5010, 214, 1)],
                  wire=replace(rec.wire, headers={"content-type": "text/plain"}))
    verdict = judge(rec)
    assert verdict.cause == "below_byte_threshold"
    assert "a plain-text page is one text node" in verdict.diagnosis.why
    assert ("a plain-text page is one text node whose characters count only as first laid out "
            "(not the 214 that stream into it): the 205 before which WebKit paints nothing "
            "until a page is 'visually non-empty'") in verdict.diagnosis.why
    assert verdict.diagnosis.why.endswith("must come first")
    assert verdict.diagnosis.fix.endswith("; and put at least 205 visible characters at the very "
                                          "start")
    assert verdict.diagnosis.remedies == {Remedy.LEADING_BYTES: 591, Remedy.LEADING_TEXT: 237}
    html = replace(rec, content_type="text/html",
                   wire=replace(rec.wire, headers={"content-type": "text/html"}),
                   thresholds=(replace(thresholds[0], content_type="text/html"),))
    assert Remedy.LEADING_TEXT not in judge(html).diagnosis.remedies  # 214 new nodes count


def test_the_last_chunk_reaching_the_dom_just_before_the_end_is_not_early_text():
    """WebKit marked the response ended at 1,648 ms; the script in its last chunk revealed the
    content at 1,641 ms, within the DOM's error bound of that end: 8 characters were early."""
    dom = [(10, 0, 0), (66, 8, 1), (1641, 859, 20)]
    rec = replace(recording(dom, end=1648, paint=[(1644, 1.0, 0.2, 1.0)], paint_error_ms=5.0,
                            wire_times=[5, 1640]), engine=WEBKIT, thresholds=MEASURED)
    verdict = judge(rec)
    assert verdict.cause == "too_few_visible_chars"
    assert verdict.diagnosis.evidence["visible_chars_before_end"] == 8
