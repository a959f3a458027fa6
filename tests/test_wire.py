import time

from e2e.hostile_servers import https_server, redirect_server
from streamscope.demo_server.thread import demo_server
from streamscope.record.wire import WireCapture, capture_wire

FAST = {"STREAM_DELAY_S": 0.1}


def test_the_wire_shows_each_chunk_when_the_server_sent_it():
    with demo_server(FAST) as base:
        wire = capture_wire(base + "/hello-world", timeout_s=10)
    assert wire.status == 200 and wire.ended
    assert len(wire.chunks) == 10
    assert wire.total_bytes == len("".join(f"<li>Comment {n}</li>\n" for n in range(1, 11)))
    # The k-th no sooner than k pauses after the request (t_ms counts from it). A gap between
    # two would not do: a busy machine reads one late and the next on time.
    assert all(chunk.t_ms >= k * FAST["STREAM_DELAY_S"] * 1000
               for k, chunk in enumerate(wire.chunks))
    assert wire.bytes_before(wire.chunks[0].t_ms) == wire.chunks[0].size


def test_a_stream_longer_than_the_limit_is_cut_and_says_so():
    with demo_server(FAST) as base:
        wire = capture_wire(base + "/probe?count=1000&delay=0.1", timeout_s=0.5)
    assert not wire.ended
    assert 1 <= len(wire.chunks) < 1000
    assert wire.status == 200 and wire.headers["content-type"].startswith("text/html")


def test_a_gzip_stream_is_measured_as_sent():
    with demo_server(FAST) as base:
        wire = capture_wire(base + "/probe?count=3&delay=0&gzip=flush", timeout_s=10)
    assert wire.headers["content-encoding"] == "gzip"
    assert wire.ended


def test_a_cancelled_capture_ends_at_once():
    with demo_server(FAST) as base:
        capture = WireCapture(base + "/probe?count=1000&delay=0.1", timeout_s=60).start()
        time.sleep(0.3)
        capture.cancel()
        wire = capture.result()  # how soon: bench/timings.py
    assert wire is not None and not wire.ended


def test_an_address_http_client_cannot_use_is_no_wire_not_an_error():
    assert capture_wire("http://127.0.0.1:notaport/", timeout_s=1) is None


def test_redirects_are_followed_to_the_page_they_end_at():
    with redirect_server(pause_s=0.01) as urls:
        wire = capture_wire(urls.redirect, timeout_s=10)
    assert wire is not None and wire.status == 200 and wire.ended
    assert wire.url == urls.page


def test_a_redirect_loop_is_no_page_and_says_so():
    with redirect_server(pause_s=0.01) as urls:
        capture = WireCapture(urls.loop, timeout_s=10)
        assert capture.run() is None
    assert capture.failure == capture.no_page == "the URL redirects in a loop: /loop → /loop"


def test_a_download_is_no_page_and_says_so():
    with redirect_server(pause_s=0.01) as urls:
        capture = WireCapture(urls.download, timeout_s=10)
        wire = capture.run()
    assert wire is not None and wire.ended
    assert capture.no_page == ('the response is a download, not a page (Content-Disposition: '
                               'attachment; filename="streamscope.bin")')


def test_an_error_page_is_a_page():
    with redirect_server(pause_s=0.01) as urls:
        capture = WireCapture(urls.not_found, timeout_s=10)
        wire = capture.run()
    assert wire is not None and wire.status == 404 and capture.no_page is None


def test_an_untrusted_certificate_is_refused_unless_the_engines_accept_it_too():
    with https_server(pause_s=0.01) as url:
        refused = WireCapture(url, timeout_s=10)
        assert refused.run() is None
        accepted = capture_wire_unverified(url)
    assert refused.no_page is not None
    assert refused.no_page.startswith("the certificate of 127.0.0.1:")
    assert "is not trusted" in refused.no_page and "--ignore-https-errors" in refused.no_page
    assert accepted is not None and accepted.status == 200 and accepted.ended


def capture_wire_unverified(url: str):
    return WireCapture(url, timeout_s=10, verify=False).run()


def test_a_wait_for_the_result_cancels_a_stream_still_running():
    with redirect_server(pause_s=0.01) as urls:
        capture = WireCapture(urls.never_ends, timeout_s=60).start()
        started = time.monotonic()
        wire = capture.result(wait_s=0.5)
    assert time.monotonic() - started >= 0.5  # how soon after: bench/timings.py
    assert wire is not None and not wire.ended and wire.chunks
