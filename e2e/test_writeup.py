"""The write-up's finding, measured: Chromium and Firefox render the streamed list item by
item, WebKit shows nothing until the response has ended, and /sync is never incremental."""

from __future__ import annotations

import pytest

from streamscope.plugin.assertions import assert_incremental, assert_not_incremental

STREAMED = ["/hello-world", "/hello-world-with-template", "/stream?name=World"]


@pytest.mark.parametrize("path", STREAMED)
def test_streamed_pages_render_incrementally_except_in_webkit(record, server_url, path,
                                                               browser_name):
    recording = record(server_url + path)
    assert recording.status == 200
    if browser_name == "webkit":
        assert_not_incremental(recording)
    else:
        assert_incremental(recording)


def test_the_sync_baseline_is_never_incremental(record, server_url):
    recording = record(server_url + "/sync")
    assert recording.status == 200
    assert_not_incremental(recording)
