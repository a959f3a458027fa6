import time

from streamscope.demo import demo_server
from streamscope.wire import WireCapture, capture_wire

FAST = {"STREAM_DELAY_S": 0.1}


def test_the_wire_shows_each_chunk_when_the_server_sent_it():
    with demo_server(FAST) as base:
        wire = capture_wire(base + "/hello-world", timeout_s=10)
    assert wire.status == 200 and wire.ended
    assert len(wire.chunks) == 10
    assert wire.total_bytes == len("".join(f"<li>Comment {n}</li>\n" for n in range(1, 11)))
    gaps = [b.t_ms - a.t_ms for a, b in zip(wire.chunks, wire.chunks[1:], strict=False)]
    assert min(gaps) > 50
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
        started = time.monotonic()
        capture.cancel()
        wire = capture.result()
    assert time.monotonic() - started < 2
    assert wire is not None and not wire.ended


def test_an_address_http_client_cannot_use_is_no_wire_not_an_error():
    assert capture_wire("http://127.0.0.1:notaport/", timeout_s=1) is None
