"""Hostile requests on a real socket: each gets a one-line refusal, and nothing is logged amiss."""

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from werkzeug.serving import BaseWSGIServer

from streamscope.demo_server.handler import (
    MAX_HEADER_BYTES,
    MAX_HEADER_LINE_BYTES,
    MAX_REQUEST_LINE_BYTES,
)
from streamscope.demo_server.probe import item_bytes
from streamscope.demo_server.probe_params import ContentType
from streamscope.demo_server.writeup import comment_item
from tests.live_servers import (
    CLOSE_OR_RESET,
    WRITEUP_STREAMS,
    ServerProcess,
    check_quiet_log,
    mid_stream,
    request_threads,
    serving,
    wait_for_no_request_threads,
)

# Longer than any test waits: a stream still running after its client left would show.
LONG_DELAY = 60.0
NO_PARAMETERS = "this page takes none"
NOT_TEXT = "query names and values must be UTF-8 text without control characters, got "


@dataclass(frozen=True)
class Reply:
    status: int
    head: str
    body: bytes


def get(target: str | bytes, headers: bytes = b"") -> bytes:
    raw = target.encode() if isinstance(target, str) else target
    return b"GET " + raw + b" HTTP/1.1\r\nHost: test\r\n" + headers + b"\r\n"


def request_line_of(size: int) -> bytes:
    """A GET of /stream whose request line, CRLF included, is exactly size bytes."""
    start, end = b"GET /stream?name=", b" HTTP/1.1\r\n"
    return start + b"a" * (size - len(start) - len(end)) + end


def header_of(size: int) -> bytes:
    """One header line of exactly size bytes, CRLF included."""
    start = b"X-Pad: "
    return start + b"a" * (size - len(start) - 2) + b"\r\n"


def exchange(port: int, request: bytes) -> Reply:
    """Sends request and reads the reply to its end: the server closes every connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        raw = b""
        while data := sock.recv(65536):
            raw += data
    head, _, body = raw.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", head)
    assert match, raw[:200]
    return Reply(int(match[1]), head.decode("latin-1"), body)


@pytest.fixture(scope="module")
def demo_server() -> Iterator[BaseWSGIServer]:
    with serving({"STREAM_DELAY_S": 0}) as server:
        yield server


@pytest.fixture(scope="module")
def slow_server() -> Iterator[BaseWSGIServer]:
    """The write-up's streams pausing LONG_DELAY between pieces."""
    with serving({"STREAM_DELAY_S": LONG_DELAY}) as server:
        yield server


# What http.server and RequestHandler refuse before the app sees the request.
HEAD_REFUSALS = {
    "query-of-100-kib": (get("/probe?count=" + "9" * 100_000), 414, "over 8192 bytes"),
    "stream-name-of-100-kib": (get("/stream?name=" + "a" * 100_000), 414, "over 8192 bytes"),
    "request-line-one-byte-over": (
        request_line_of(MAX_REQUEST_LINE_BYTES + 1) + b"Host: test\r\n\r\n",
        414,
        "request line over 8192 bytes",
    ),
    "header-of-20-kib": (
        get("/", header_of(20_000)),
        431,
        "a header line over 8192 bytes",
    ),
    "header-line-one-byte-over": (
        get("/", header_of(MAX_HEADER_LINE_BYTES + 1)),
        431,
        "a header line over 8192 bytes",
    ),
    "headers-of-1-mib": (get("/", header_of(4000) * 256), 431, "headers over 16384 bytes in all"),
    "101-headers": (
        get("/", b"".join(b"X-%d: 1\r\n" % n for n in range(101))),
        431,
        "Too many headers",
    ),
    "raw-non-utf-8-bytes": (get(b"/stream?name=\xff\xfe"), 400, "request line must be ASCII"),
    "raw-utf-8-bytes": (get("/stream?name=Zoë".encode()), 400, "request line must be ASCII"),
    "tls-hello-on-http": (
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(32) + b"\r\n\r\n",
        400,
        "Bad request syntax",
    ),
    "no-target": (b"GET\r\n\r\n", 400, "Bad request syntax ('GET')"),
    "http-9.9": (b"GET / HTTP/9.9\r\nHost: test\r\n\r\n", 505, "Invalid HTTP version (9.9)"),
}

# What the app refuses: query strings, paths and methods.
APP_REFUSALS = {
    "non-utf-8-value": (get("/probe?count=%ff%fe"), 400, NOT_TEXT + "'%ff%fe'"),
    "non-utf-8-name": (get("/probe?%FF%FE=1"), 400, NOT_TEXT + "'%FF%FE'"),
    "non-utf-8-stream-name": (get("/stream?name=%ff"), 400, NOT_TEXT + "'%ff'"),
    "non-utf-8-on-a-page-without-parameters": (get("/sync?%c3=1"), 400, NOT_TEXT + "'%c3'"),
    "nul-in-value": (get("/stream?name=a%00b"), 400, NOT_TEXT + "'a%00b'"),
    "raw-nul-in-value": (get(b"/stream?name=a\x00b"), 400, NOT_TEXT + "'a\\x00b'"),
    "nul-in-name": (get("/hello-world?%00=1"), 400, NOT_TEXT + "'%00'"),
    "line-break-in-value": (
        get("/stream?name=a%0D%0ASet-Cookie:+x"),
        400,
        NOT_TEXT + "'a%0D%0ASet-Cookie:+x'",
    ),
    "stream-name-of-101-characters": (
        get("/stream?name=" + "a" * 101),
        400,
        "name must be text of 1 to 100 characters, got 'aaaa",
    ),
    "stream-name-twice": (get("/stream?name=a&name=b"), 400, "name is given 2 times"),
    "stream-unknown-parameter": (
        get("/stream?name=a&x=1"),
        400,
        "unknown parameter 'x' (known: name)",
    ),
    "index-unknown-parameter": (get("/?x=1"), 400, NO_PARAMETERS),
    "hello-world-unknown-parameter": (get("/hello-world?x=1"), 400, NO_PARAMETERS),
    "template-unknown-parameter": (get("/hello-world-with-template?x="), 400, NO_PARAMETERS),
    "sync-unknown-parameter": (get("/sync?x=1&y=2"), 400, "parameters 'x', 'y' (this page"),
    "probe-unknown-parameter": (get("/probe?size=1"), 400, "unknown parameter 'size' (known:"),
    "delay-nan": (get("/probe?delay=nan"), 400, "got 'nan'"),
    "delay-inf": (get("/probe?delay=inf"), 400, "got 'inf'"),
    "delay-minus-infinity": (get("/probe?delay=-Infinity"), 400, "got '-Infinity'"),
    "delay-1e999": (get("/probe?delay=1e999"), 400, "got '1e999'"),
    "delay-1e1": (get("/probe?delay=1e1"), 400, "got '1e1'"),
    "delay-hex-float": (get("/probe?delay=0x1p-2"), 400, "got '0x1p-2'"),
    "delay-of-400-digits": (get("/probe?delay=" + "9" * 400), 400, "(400 characters)"),
    "count-hex": (get("/probe?count=0x10"), 400, "got '0x10'"),
    "count-arabic-indic-three": (get("/probe?count=%D9%A3"), 400, "got '٣'"),
    "count-padded": (get("/probe?count=+5+"), 400, "got ' 5 '"),
    "count-underscored": (get("/probe?count=1_0"), 400, "got '1_0'"),
    "count-of-5000-digits": (get("/probe?count=" + "9" * 5000), 400, "(5000 characters)"),
    "count-minus-one": (get("/probe?count=-1"), 400, "got '-1'"),
    "traversal": (get("/../etc/passwd"), 404, "404 Not Found: GET '/../etc/passwd'"),
    "encoded-traversal": (get("/%2e%2e/%2e%2e/etc/passwd"), 404, "GET '/../../etc/passwd'"),
    "static-traversal": (get("/static/../../etc/passwd"), 404, "404 Not Found"),
    "double-slash-traversal": (get("//etc/passwd"), 404, "GET '/etc/passwd'"),
    "unknown-path": (get("/nope"), 404, "404 Not Found: GET '/nope'"),
    "trailing-slash": (get("/probe/"), 404, "GET '/probe/'"),
    "nul-in-path": (get("/probe%00"), 404, "GET '/probe\\x00'"),
    "post": (
        b"POST /probe HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc",
        405,
        "405 Method Not Allowed: POST '/probe'",
    ),
}
HOSTILE = {**HEAD_REFUSALS, **APP_REFUSALS}


def check_refusal(reply: Reply, status: int, message: str) -> None:
    assert reply.status == status, reply
    assert "Content-Type: text/plain; charset=utf-8\r\n" in reply.head
    text = reply.body.decode()
    assert message in text
    # One short line: no HTML page, no traceback.
    assert text.endswith("\n") and text.count("\n") == 1 and len(text) < 200, text


@pytest.mark.parametrize(("request_bytes", "status", "message"), HOSTILE.values(), ids=HOSTILE)
def test_a_hostile_request_gets_a_one_line_refusal(
    demo_server: BaseWSGIServer,
    access_log: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    request_bytes: bytes,
    status: int,
    message: str,
) -> None:
    check_refusal(exchange(demo_server.port, request_bytes), status, message)
    assert access_log.records, "the refusal is logged"
    assert not any(record.exc_info for record in access_log.records)
    assert "Traceback" not in access_log.text + "".join(capfd.readouterr())


def test_a_405_says_which_methods_are_allowed(demo_server: BaseWSGIServer) -> None:
    reply = exchange(demo_server.port, HOSTILE["post"][0])
    assert re.search(r"\r\nAllow: [A-Z, ]*\bGET\b", reply.head)


SYNC = "".join(comment_item(number) for number in range(1, 11)).encode()
SMALL_ITEM = item_bytes(16, ContentType.HTML)
# One byte under each limit is still read; the Host line and the blank line that ends the head
# count towards the headers' limit.
LAST_HEADER = MAX_HEADER_BYTES - len(b"Host: test\r\n") - len(b"\r\n") - 2 * 5456
AT_THE_EDGES = {
    "header-line-at-the-limit": (get("/sync", header_of(MAX_HEADER_LINE_BYTES)), SYNC),
    "headers-at-the-limit": (get("/sync", header_of(5456) * 2 + header_of(LAST_HEADER)), SYNC),
    "stream-name-of-100-characters": (
        get("/stream?name=" + "a" * 100),
        b"Hello " + b"a" * 100 + b"!",
    ),
    "stream-name-in-utf-8": (get("/stream?name=Zo%C3%AB+%E2%9C%93"), "Hello Zoë ✓!".encode()),
    "minus-zero": (get("/probe?count=-0&delay=-0"), b""),
    "delay-without-a-leading-digit": (get("/probe?count=2&delay=.0&item_bytes=16"), SMALL_ITEM * 2),
    # werkzeug reads a leading // as part of the path, not as a host called "probe".
    "double-slash": (get("//probe?count=1&delay=0&item_bytes=16"), SMALL_ITEM),
}


@pytest.mark.parametrize(("request_bytes", "body"), AT_THE_EDGES.values(), ids=AT_THE_EDGES)
def test_requests_at_the_edges_are_served(
    demo_server: BaseWSGIServer, request_bytes: bytes, body: bytes
) -> None:
    reply = exchange(demo_server.port, request_bytes)
    assert reply.status == 200, reply
    chunked = "Transfer-Encoding: chunked\r\n" in reply.head
    assert (dechunk(reply.body) if chunked else reply.body) == body


def test_a_request_line_at_the_limit_reaches_the_app(demo_server: BaseWSGIServer) -> None:
    reply = exchange(demo_server.port, request_line_of(MAX_REQUEST_LINE_BYTES) + b"\r\n")
    # Its name is too long for /stream, which /stream itself says.
    check_refusal(reply, 400, "name must be text of 1 to 100 characters")


def dechunk(raw: bytes) -> bytes:
    data = b""
    while True:
        size_line, _, raw = raw.partition(b"\r\n")
        size = int(size_line, 16)
        if not size:
            return data
        data, raw = data + raw[:size], raw[size + 2 :]


@CLOSE_OR_RESET
@pytest.mark.parametrize("path", [
    *WRITEUP_STREAMS,
    f"/probe?count=3&delay={LONG_DELAY:g}",
    f"/probe?count=3&delay={LONG_DELAY:g}&gzip=flush",
])
def test_a_client_leaving_a_long_pause_ends_its_stream_at_once(
    slow_server: BaseWSGIServer, access_log: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str], path: str, reset: bool,
) -> None:
    with mid_stream(slow_server.port, path, reset=reset):
        # The stream is now in its first 60 s pause.
        time.sleep(0.05)
        assert len(request_threads()) == 1
    wait_for_no_request_threads(1, "the stream sleeps on after its client left")
    check_quiet_log(access_log, capfd, path)


def test_python_m_server_refuses_every_hostile_request_without_a_traceback(
    python_m_server: ServerProcess,
) -> None:
    port = python_m_server.port
    for request_bytes, status, message in HOSTILE.values():
        check_refusal(exchange(port, request_bytes), status, message)
    # And a client leaving mid-stream.
    with mid_stream(port, "/hello-world"):
        pass
    returncode, err = python_m_server.stop()
    assert returncode == 0
    assert err.count("\n") >= len(HOSTILE)
    assert "Traceback" not in err
    assert "Exception" not in err and "Error on request" not in err
