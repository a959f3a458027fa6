"""The demo server on a real socket: chunks on the wire, their timing, hang-ups, the CLI."""

import http.client
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import BaseWSGIServer

from streamscope.demo_server.probe import item_bytes
from streamscope.demo_server.probe_params import ContentType
from streamscope.demo_server.serve import base_url
from tests.live_servers import (
    CLOSE_OR_RESET,
    WRITEUP_STREAMS,
    ServerProcess,
    check_quiet_log,
    mid_stream,
    serving,
    wait_for_no_request_threads,
)
from tests.wire_chunks import Chunk, all_chunks

# Short enough that the file runs in seconds.
DELAY = 0.1


@pytest.fixture(scope="module")
def demo_server() -> Iterator[BaseWSGIServer]:
    with serving({"STREAM_DELAY_S": DELAY, "STREAM_COUNT": 5}) as server:
        yield server


def get_chunks(server: BaseWSGIServer, path: str, headers: dict[str, str] | None = None
               ) -> tuple[http.client.HTTPResponse, list[Chunk], float]:
    """The response, its chunks as they came off the wire, each with its arrival time, and
    the time.monotonic() before the request."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        started = time.monotonic()
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        assert response.status == 200
        return response, all_chunks(response), started
    finally:
        connection.close()


def paced(chunks: list[Chunk], started: float) -> bool:
    """Each chunk came no sooner than the server's pauses allow: the k-th, k pauses after the
    request. A gap between two arrivals would not do: a busy machine reads one late and the
    next on time. How late they may come is the bench's (bench/timings.py)."""
    return all(chunk.at - started >= k * DELAY for k, chunk in enumerate(chunks))


def test_hello_world_arrives_one_comment_per_chunk(demo_server: BaseWSGIServer) -> None:
    response, chunks, started = get_chunks(demo_server, "/hello-world")
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert [chunk.data for chunk in chunks] == [
        f"<li>Comment {number}</li>\n".encode() for number in range(1, 6)
    ]
    assert paced(chunks, started)


def test_template_arrives_in_chunks_of_five_comments(demo_server: BaseWSGIServer) -> None:
    _, chunks, started = get_chunks(demo_server, "/hello-world-with-template")
    with_comments = [c for c in chunks if b"<li>" in c.data]
    comments = [re.findall(rb"<li>Comment (\d+)</li>", c.data) for c in with_comments]
    assert comments == [[str(n).encode() for n in range(s, s + 5)] for s in (1, 6, 11, 16)]
    assert chunks[0].data.startswith(b"<!doctype html>")
    assert chunks[-1].data.rstrip().endswith(b"</ul>")
    assert paced(with_comments, started)


def test_stream_arrives_in_three_parts(demo_server: BaseWSGIServer) -> None:
    _, chunks, started = get_chunks(demo_server, "/stream?name=%3Cb%3EWorld")
    assert [chunk.data for chunk in chunks] == [b"Hello ", b"&lt;b&gt;World", b"!"]
    assert paced(chunks, started)


def test_probe_items_arrive_delay_apart(demo_server: BaseWSGIServer) -> None:
    _, chunks, started = get_chunks(demo_server, f"/probe?count=4&delay={DELAY}&prefix=600")
    assert [len(chunk.data) for chunk in chunks] == [600, 64, 64, 64, 64]
    # The prefix goes just before the first item; the delay is between items only.
    assert paced(chunks[1:], started)


def test_gzip_flush_decodes_chunk_by_chunk(demo_server: BaseWSGIServer) -> None:
    _, chunks, started = get_chunks(demo_server, f"/probe?count=3&delay={DELAY}&gzip=flush",
                           {"Accept-Encoding": "gzip"})
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    item = item_bytes(64, ContentType.HTML)
    assert [decoder.decompress(chunk.data) for chunk in chunks] == [item, item, item, b""]
    assert decoder.eof
    assert paced(chunks[:3], started)


def get_sync(server: BaseWSGIServer) -> bytes:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("GET", "/sync")
        with connection.getresponse() as response:
            assert response.status == 200
            assert response.getheader("Transfer-Encoding") is None
            assert response.getheader("Content-Length") == "95"
            return response.read()
    finally:
        connection.close()


def test_sync_is_one_piece_with_a_content_length(demo_server: BaseWSGIServer) -> None:
    assert get_sync(demo_server) == b"".join(
        f"<li>Comment {number}</li>\n".encode() for number in range(1, 6)
    )


def test_a_400_starts_no_body(demo_server: BaseWSGIServer) -> None:
    with socket.create_connection((demo_server.host, demo_server.port), timeout=10) as sock:
        sock.sendall(b"GET /probe?count=3&delay=nan HTTP/1.1\r\nHost: test\r\n\r\n")
        raw = b""
        while data := sock.recv(4096):
            raw += data
    head, body = raw.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 400 BAD REQUEST\r\n")
    assert b"Content-Length: 57\r\n" in head
    assert b"Transfer-Encoding" not in head
    assert body == b"delay must be a number from 0 to 60 (seconds), got 'nan'\n"


# How long they take, served at once, is the bench's (bench/timings.py): a busy machine, not
# the server, would make a test miss it.
def test_many_slow_streams_at_once_are_each_served_whole(demo_server: BaseWSGIServer) -> None:
    streams = 8
    with ThreadPoolExecutor(streams) as pool:
        results = list(
            pool.map(lambda _: get_chunks(demo_server, "/probe?count=3&delay=0.2"), range(streams))
        )
    assert all(len(chunks) == 3 and paced(chunks, started) for _, chunks, started in results)


def test_40_clients_at_once_each_get_all_of_hello_world_paced() -> None:
    with serving({"STREAM_DELAY_S": DELAY, "STREAM_COUNT": 10}, quiet=True) as server:
        alone = timed_hello_world(server)
        clients = 40
        start = threading.Barrier(clients)
        with ThreadPoolExecutor(clients) as pool:
            together = list(pool.map(lambda _: timed_hello_world(server, start), range(clients)))
    assert alone >= 9 * DELAY
    assert min(together) >= 9 * DELAY


def timed_hello_world(server: BaseWSGIServer, start: threading.Barrier | None = None) -> float:
    """Seconds from connecting to the last byte of /hello-world, checked whole."""
    if start:
        start.wait()
    started = time.monotonic()
    _, chunks, _ = get_chunks(server, "/hello-world")
    assert b"".join(chunk.data for chunk in chunks).count(b"<li>Comment") == 10
    return chunks[-1].at - started


@CLOSE_OR_RESET
@pytest.mark.parametrize("path", [
    *WRITEUP_STREAMS,
    "/probe?count=20&delay=0.02",
    "/probe?count=20&delay=0.02&gzip=flush",
    "/probe?count=200&delay=0&item_bytes=1048576",
])
def test_a_client_hanging_up_mid_stream_leaves_the_server_serving_quietly(
    demo_server: BaseWSGIServer, access_log: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str], path: str, reset: bool,
) -> None:
    with mid_stream(demo_server.port, path, reset=reset):
        pass
    wait_for_no_request_threads(10, "the server still writes to the closed connection")
    assert get_sync(demo_server).count(b"<li>") == 5
    check_quiet_log(access_log, capfd, path)


def test_python_m_server_prints_its_url_and_serves(python_m_server: ServerProcess) -> None:
    line = python_m_server.first_line
    match = re.fullmatch(r"Serving the streamscope demo on (http://127\.0\.0\.1:(\d+))/ .*\n", line)
    assert match, line
    connection = http.client.HTTPConnection("127.0.0.1", int(match[2]), timeout=10)
    connection.request("GET", "/sync")
    response = connection.getresponse()
    assert response.status == 200
    response.read()
    response.close()
    connection.close()
    returncode, err = python_m_server.stop()
    assert returncode == 0
    assert '"GET /sync HTTP/1.1" 200' in err
    assert "Traceback" not in err


def test_base_url_names_the_bound_port(demo_server: BaseWSGIServer) -> None:
    assert base_url(demo_server) == f"http://127.0.0.1:{demo_server.port}"
    assert demo_server.port != 0
