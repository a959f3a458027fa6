"""A failed recording's reason in plain words, from what the raw client saw."""

from __future__ import annotations

import pytest

from streamscope.record.failures import UNTRUSTED, explain
from streamscope.recording import Recording, WireChunk, WireTimeline
from tests.timelines import ENGINE

LOOP = "the URL redirects in a loop: /loop → /loop"


def failed(error: str | None = None, *, timed_out: bool = False,
           wire: WireTimeline | None = None) -> Recording:
    recording = Recording(url="http://127.0.0.1/x", engine=ENGINE, error=error,
                          timed_out=timed_out)
    recording.wire = wire
    return recording


def wire(ended: bool) -> WireTimeline:
    return WireTimeline(status=200, headers={"content-type": "text/event-stream"},
                        chunks=[WireChunk(10.0, 20)], ended=ended)


def test_the_raw_clients_reason_comes_first_and_the_engines_words_follow():
    recording = failed("Page.goto: Protocol error (browsingContext.navigate): unknown error")
    explain(recording, LOOP, timeout_s=60)
    assert recording.error == (f"{LOOP} (chromium said: Page.goto: Protocol error "
                               f"(browsingContext.navigate): unknown error)")


@pytest.mark.parametrize("error, plain", [
    ("Page.goto: net::ERR_TOO_MANY_REDIRECTS at http://x/loop", "the URL redirects in a loop"),
    ("Page.goto: Download is starting", "the response is a download, not a page"),
    ("Page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://x/", UNTRUSTED),
])
def test_without_a_raw_client_the_engines_codes_are_put_in_words(error, plain):
    recording = failed(error)
    explain(recording, None, timeout_s=60)
    assert recording.error == f"{plain} (chromium said: {error})"


def test_an_error_the_words_do_not_know_stays_as_it_is():
    recording = failed("net::ERR_CONNECTION_REFUSED")
    explain(recording, None, timeout_s=60)
    assert recording.error == "net::ERR_CONNECTION_REFUSED"


def test_no_document_by_the_time_limit_while_the_response_still_arrives_never_ended():
    recording = failed(timed_out=True, wire=wire(ended=False))
    explain(recording, None, timeout_s=5)
    assert recording.never_ended and recording.error is None


def test_no_document_by_the_time_limit_of_a_response_that_ended_is_an_error():
    recording = failed(timed_out=True, wire=wire(ended=True))
    explain(recording, None, timeout_s=5)
    assert recording.error == "chromium showed no page of it within the 5 s time limit"
    assert not recording.never_ended


def test_no_document_for_a_reason_the_raw_client_knows_is_that_reason():
    recording = failed(timed_out=True, wire=wire(ended=True))
    explain(recording, "the response is a download, not a page", timeout_s=5)
    assert recording.error == "the response is a download, not a page"


def test_a_recording_that_read_a_document_is_left_alone():
    recording = failed(timed_out=True, wire=wire(ended=False))
    recording.time_origin_epoch_ms = 1.7e12
    explain(recording, None, timeout_s=5)
    assert recording.error is None and not recording.never_ended
