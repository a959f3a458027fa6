"""e2e/hostile_servers.py without a browser: status, headers, bodies in pieces, clean stops."""

import http.client
import re
import ssl
import statistics
import time
from collections.abc import Iterator
from dataclasses import fields
from urllib.parse import urlsplit

import pytest
import trustme

from e2e import hostile_servers
from e2e.hostile_servers import (
    BIG_PAGE_BYTES,
    BIG_PAGE_ITEM_BYTES,
    BIG_PAGE_ITEMS,
    BLOCK_S,
    NAVIGATE_AFTER_MS,
    NEVER_ENDS_EVERY_S,
    PARAGRAPHS,
    HostileUrls,
    https_server,
    redirect_server,
)
from tests.live_servers import request_threads, wait_for_no_request_threads
from tests.wire_chunks import Chunk, all_chunks, gaps, read_chunk

# Long enough that scheduling jitter on a busy machine stays well under it, short enough that
# the file runs in seconds.
PAUSE_S = 0.1
# A chunk may arrive late by scheduling jitter, which shortens the gap after it: the median
# gap must be over this, so one late chunk on a loaded machine does not fail a test.
MIN_GAP = PAUSE_S / 2
# Longer than any test waits: a stream still running after its client left would show.
LONG_PAUSE_S = 60.0


@pytest.fixture(scope="module")
def urls() -> Iterator[HostileUrls]:
    with redirect_server(PAUSE_S) as urls:
        yield urls


@pytest.fixture(scope="module")
def slow_urls() -> Iterator[HostileUrls]:
    with redirect_server(LONG_PAUSE_S) as urls:
        yield urls


@pytest.fixture(autouse=True)
def _no_traceback(capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """The servers print nothing: neither an access log nor a handler's traceback."""
    yield
    out, err = capfd.readouterr()
    assert out + err == ""


def connect(url: str, context: ssl.SSLContext | None = None) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    if parts.scheme == "https":
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=10, context=context)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)


def open_response(url: str, context: ssl.SSLContext | None = None) -> http.client.HTTPResponse:
    """The response's status and headers read, its body not; closing it closes the connection."""
    connection = connect(url, context)
    connection.request("GET", urlsplit(url).path)
    response = connection.getresponse()
    # http.client lets the response own the socket once the connection object is closed.
    connection.close()
    return response


def median_gap(chunks: list[Chunk]) -> float:
    return statistics.median(gaps(chunks))


def check_streamed_page(response: http.client.HTTPResponse) -> None:
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    chunks = all_chunks(response)
    paragraphs = [chunk.data for chunk in chunks if chunk.data.startswith(b"<p>")]
    assert len(paragraphs) == PARAGRAPHS
    visible = [re.sub(rb"<[^>]*>", b"", paragraph) for paragraph in paragraphs]
    assert all(len(text) > 200 for text in visible)
    assert median_gap(chunks[1:]) > MIN_GAP


def test_https_streams_its_page_to_a_client_trusting_its_ca() -> None:
    ca = trustme.CA()
    with https_server(ca, PAUSE_S) as url:
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+/", url)
        context = ssl.create_default_context()
        ca.configure_trust(context)
        check_streamed_page(open_response(url, context))
    wait_for_no_request_threads(0)


def test_https_certificate_is_trusted_by_no_default_client() -> None:
    with https_server(pause_s=PAUSE_S) as url:
        with pytest.raises(ssl.SSLCertVerificationError):
            open_response(url, ssl.create_default_context())
        # The refused handshake cost the server nothing: the next client is served.
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        check_streamed_page(open_response(url, unverified))


def test_the_urls_are_one_per_field_on_one_server(urls: HostileUrls) -> None:
    values = [getattr(urls, field.name) for field in fields(urls)]
    assert len(set(values)) == len(values) == 11
    assert len({urlsplit(url).netloc for url in values}) == 1


def test_redirect_is_a_302_to_the_streamed_page(urls: HostileUrls) -> None:
    response = open_response(urls.redirect)
    with response:
        assert response.status == 302
        location = response.getheader("Location")
        assert response.read() == b""
    assert location == urlsplit(urls.page).path
    check_streamed_page(open_response(urls.page))


def test_loop_redirects_to_itself(urls: HostileUrls) -> None:
    with open_response(urls.loop) as response:
        assert response.status == 302
        assert response.getheader("Location") == urlsplit(urls.loop).path == "/loop"


def test_download_is_an_attachment(urls: HostileUrls) -> None:
    with open_response(urls.download) as response:
        assert response.status == 200
        assert response.getheader("Content-Type") == "application/octet-stream"
        assert response.getheader("Content-Disposition", "").startswith("attachment;")
        body = response.read()
    assert len(body) == int(response.getheader("Content-Length", "")) > 0


def test_not_found_is_a_404_with_a_streamed_html_body(urls: HostileUrls) -> None:
    response = open_response(urls.not_found)
    assert response.status == 404
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    chunks = all_chunks(response)
    assert len(chunks) == 3 and b"<h1>Not found</h1>" in chunks[0].data
    assert median_gap(chunks) > MIN_GAP


def test_error_is_a_500_with_an_html_body(urls: HostileUrls) -> None:
    with open_response(urls.error) as response:
        assert response.status == 500
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert b"<h1>Internal server error</h1>" in response.read()


def test_navigates_away_goes_to_the_page_while_it_streams(urls: HostileUrls) -> None:
    response = open_response(urls.navigates_away)
    chunks = all_chunks(response)
    script = f'setTimeout(() => {{ location.href = "/page"; }}, {NAVIGATE_AFTER_MS});'
    assert f"<script>{script}</script>".encode() in chunks[0].data
    # The rest keeps coming, and with the write-up's pacing still comes after the script left.
    assert len(chunks) == PARAGRAPHS
    assert median_gap(chunks) > MIN_GAP
    assert (PARAGRAPHS - 1) * hostile_servers.PAUSE_S > NAVIGATE_AFTER_MS / 1000


def test_blocks_main_thread_sends_more_after_its_busy_script(urls: HostileUrls) -> None:
    chunks = all_chunks(open_response(urls.blocks_main_thread))
    first = chunks[0].data.decode()
    busy = f"<script>const end = performance.now() + {BLOCK_S * 1000};"
    assert first.index("<p>1. ") < first.index(busy)
    assert [chunk.data.startswith(b"<p>") for chunk in chunks[1:]] == [True] * (PARAGRAPHS - 1)
    assert median_gap(chunks) > MIN_GAP


def test_big_page_is_10_mb_of_list_items_in_many_chunks(urls: HostileUrls) -> None:
    chunks = all_chunks(open_response(urls.big_page))
    body = b"".join(chunk.data for chunk in chunks)
    assert len(body) == BIG_PAGE_BYTES > 10_000_000
    items = re.findall(rb"<li>\d{5} [^<]*</li>\n", body)
    assert len(items) == BIG_PAGE_ITEMS
    assert {len(item) for item in items} == {BIG_PAGE_ITEM_BYTES}
    assert len(chunks) > 100


@pytest.mark.parametrize(
    ("field", "first"),
    [("never_ends", b"<!doctype html>"), ("sse", b"data: event 1\n\n")],
)
def test_endless_streams_send_every_so_often_until_the_client_leaves(
    urls: HostileUrls, field: str, first: bytes
) -> None:
    response = open_response(getattr(urls, field))
    with response:
        assert response.status == 200
        chunks = [read_chunk(response) for _ in range(4)]
    assert all(chunks)
    assert chunks[0] and chunks[0].data.startswith(first)
    assert median_gap([chunk for chunk in chunks[1:] if chunk]) > NEVER_ENDS_EVERY_S / 2
    wait_for_no_request_threads()


def test_sse_is_an_event_stream(urls: HostileUrls) -> None:
    with open_response(urls.sse) as response:
        assert response.getheader("Content-Type") == "text/event-stream"
        assert response.getheader("Cache-Control") == "no-cache"
    wait_for_no_request_threads()


@pytest.mark.parametrize(
    "field",
    ["page", "not_found", "navigates_away", "blocks_main_thread", "big_page", "never_ends", "sse"],
)
def test_a_client_leaving_after_one_chunk_ends_the_stream_at_once(
    slow_urls: HostileUrls, field: str
) -> None:
    with open_response(getattr(slow_urls, field)) as response:
        assert read_chunk(response)
        # Now in a pause of LONG_PAUSE_S, or writing the big page.
        time.sleep(0.05)
        assert len(request_threads()) == 1
    wait_for_no_request_threads()


def test_leaving_the_context_ends_every_stream_and_its_thread() -> None:
    with redirect_server(LONG_PAUSE_S) as urls:
        streams = [urls.page, urls.never_ends, urls.sse, urls.big_page]
        readers = [open_response(url) for url in streams]
        # A connection that never sends its request.
        idle = connect(urls.page)
        idle.connect()
        for response in readers:
            assert read_chunk(response)
    assert request_threads() == []  # how soon they end: bench/timings.py
    for response in readers:
        with response:
            rest = response.fp.read()
        # Cut, not completed: no last chunk.
        assert not rest.endswith(b"0\r\n\r\n")
    idle.close()


def test_https_leaving_the_context_ends_a_connection_stuck_before_its_handshake() -> None:
    with https_server(pause_s=LONG_PAUSE_S) as url:
        idle = connect(url.replace("https://", "http://"))
        idle.connect()
        time.sleep(0.05)
        assert len(request_threads()) == 1
    assert request_threads() == []
    idle.close()


def test_an_unknown_path_is_a_404(urls: HostileUrls) -> None:
    with open_response(urls.page.replace("/page", "/nope")) as response:
        assert response.status == 404
        response.read()


def test_every_route_is_documented() -> None:
    for route in hostile_servers._Handler.routes.values():
        assert route.__doc__ and len(route.__doc__) > 40
