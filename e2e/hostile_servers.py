"""Small servers that are hard on a harness: HTTPS with an untrusted certificate, redirects,
downloads, error pages, pages that leave, block or never end, a 10 MB page.

Each is the standard library's threaded HTTP server on a free loopback port, for the e2e
tests that drive real browsers through the harness. Leaving a context manager stops its
server and every stream still running: a stream ends as soon as its client hangs up, and
when the server stops, so no thread is left sleeping.
"""

from __future__ import annotations

import itertools
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import trustme

PAUSE_S = 0.3
PARAGRAPHS = 6
# Enough visible text per paragraph that no engine waits for more before painting.
TEXT = "A paragraph of streamed text, visible as soon as it arrives. " * 5
HEAD = "<!doctype html>\n<meta charset=utf-8>\n<title>{title}</title>\n"
NAVIGATE_AFTER_MS = 300
BLOCK_S = 5
NEVER_ENDS_EVERY_S = 0.2
BIG_PAGE_ITEMS = 50_000
BIG_PAGE_ITEM_BYTES = 200
BIG_PAGE_HEAD = (HEAD.format(title="A 10 MB page") + "<ul>\n").encode()
BIG_PAGE_TAIL = b"</ul>\n"
BIG_PAGE_BYTES = len(BIG_PAGE_HEAD) + BIG_PAGE_ITEMS * BIG_PAGE_ITEM_BYTES + len(BIG_PAGE_TAIL)
# Items per chunk of the big page: about 50 KB, so the socket, not Python, sets the pace.
_BIG_PAGE_ITEMS_PER_CHUNK = 250
DOWNLOAD = bytes(range(256)) * 64


class _Gone(ConnectionAbortedError):
    """The client hung up, or the server is stopping: the stream ends, nobody to tell."""


def paragraph(number: int) -> str:
    return f"<p>{number}. {TEXT}</p>\n"


def big_page_item(number: int) -> bytes:
    """Item number of the big page: exactly BIG_PAGE_ITEM_BYTES bytes."""
    start, end = f"<li>{number:05d} ".encode(), b"</li>\n"
    filler = TEXT.encode()[: BIG_PAGE_ITEM_BYTES - len(start) - len(end)]
    return start + filler + end


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # A chunk right after another (the page's head, then its first paragraph) would otherwise
    # wait for the client's delayed ACK of the first, up to 200 ms, and arrive late.
    disable_nagle_algorithm = True
    server: _Server
    routes: dict[str, Callable[[_Handler], None]] = {}

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            # The client hung up (a reset, a broken pipe, a TLS error) or the server is
            # stopping: nothing to tell anyone.
            pass

    def do_GET(self) -> None:
        route = self.routes.get(urlsplit(self.path).path)
        if route is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        route(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows what failed, not every request."""

    # What each path serves, and what it models.

    def page(self) -> None:
        """A page streamed in paragraphs pause_s apart: the well-behaved case."""
        self._start(HTTPStatus.OK, "text/html; charset=utf-8")
        self._chunk(HEAD.format(title="A streamed page"))
        self._chunk(paragraph(1))
        self._paragraphs(range(2, PARAGRAPHS + 1))
        self._end()

    def redirect(self) -> None:
        """A 302 to the streamed page, as after a login or a moved URL."""
        self._redirect("/page")

    def loop(self) -> None:
        """A redirect to itself, forever: a browser gives up with a redirect-loop error."""
        self._redirect("/loop")

    def download(self) -> None:
        """A file to save, not a page: the navigation ends in a download, with no document."""
        self._send_whole(HTTPStatus.OK, "application/octet-stream", DOWNLOAD,
                         (("Content-Disposition", 'attachment; filename="streamscope.bin"'),))

    def not_found(self) -> None:
        """A 404 whose HTML body streams: an error page is still a page that renders."""
        self._start(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8")
        self._chunk(HEAD.format(title="Not found") + "<h1>Not found</h1>\n")
        self._paragraphs(range(1, 3))
        self._end()

    def error(self) -> None:
        """A 500 with an HTML body sent at once: a crashed application behind a proxy."""
        body = (HEAD.format(title="Server error") + "<h1>Internal server error</h1>\n").encode()
        self._send_whole(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", body)

    def navigates_away(self) -> None:
        """A page whose script goes to /page after NAVIGATE_AFTER_MS, while it still streams:
        the document being recorded is replaced mid-stream."""
        script = f'setTimeout(() => {{ location.href = "/page"; }}, {NAVIGATE_AFTER_MS});'
        self._page_with_script("Leaving", script)

    def never_ends(self) -> None:
        """A page sending an item every NEVER_ENDS_EVERY_S until the client leaves: a long
        poll, a live feed, a server that never finishes."""
        self._start(HTTPStatus.OK, "text/html; charset=utf-8")
        self._chunk(HEAD.format(title="Never ends") + "<ul>\n")
        for number in itertools.count(1):
            self._chunk(f"<li>Item {number}</li>\n")
            self._pause(NEVER_ENDS_EVERY_S)

    def sse(self) -> None:
        """Server-sent events every NEVER_ENDS_EVERY_S, forever: not a document at all."""
        self._start(HTTPStatus.OK, "text/event-stream", (("Cache-Control", "no-cache"),))
        for number in itertools.count(1):
            self._chunk(f"data: event {number}\n\n")
            self._pause(NEVER_ENDS_EVERY_S)

    def blocks_main_thread(self) -> None:
        """A first paragraph, then an inline script that busy-loops BLOCK_S, then more
        paragraphs arriving meanwhile: the parser and the painter wait for the script."""
        busy = f"const end = performance.now() + {BLOCK_S * 1000}; while (performance.now() < end);"
        self._page_with_script("Blocks", busy)

    def big_page(self) -> None:
        """BIG_PAGE_ITEMS list items of BIG_PAGE_ITEM_BYTES, 10 MB in all, sent as fast as the
        socket takes them: a huge report or log page."""
        self._start(HTTPStatus.OK, "text/html; charset=utf-8")
        self._chunk(BIG_PAGE_HEAD)
        for first in range(1, BIG_PAGE_ITEMS + 1, _BIG_PAGE_ITEMS_PER_CHUNK):
            last = min(first + _BIG_PAGE_ITEMS_PER_CHUNK, BIG_PAGE_ITEMS + 1)
            self._chunk(b"".join(big_page_item(number) for number in range(first, last)))
        self._chunk(BIG_PAGE_TAIL)
        self._end()

    # Writing a stream.

    def _start(
        self, status: HTTPStatus, content_type: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        for name, value in (("Content-Type", content_type), *extra):
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()

    def _chunk(self, data: str | bytes) -> None:
        raw = data.encode() if isinstance(data, str) else data
        self.wfile.write(b"%x\r\n%s\r\n" % (len(raw), raw))
        self.wfile.flush()

    def _end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _paragraphs(self, numbers: range) -> None:
        """Paragraphs `numbers`, each after a pause of pause_s."""
        for number in numbers:
            self._pause(self.server.pause_s)
            self._chunk(paragraph(number))

    def _page_with_script(self, title: str, script: str) -> None:
        """A streamed page whose first paragraph comes with an inline `script`."""
        self._start(HTTPStatus.OK, "text/html; charset=utf-8")
        self._chunk(HEAD.format(title=title) + paragraph(1) + f"<script>{script}</script>\n")
        self._paragraphs(range(2, PARAGRAPHS + 1))
        self._end()

    def _send_whole(self, status: HTTPStatus, content_type: str, body: bytes,
                    extra: tuple[tuple[str, str], ...] = ()) -> None:
        """A response sent at once, its length given."""
        self.send_response(status)
        for name, value in (("Content-Type", content_type), *extra):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def _pause(self, seconds: float) -> None:
        """Sleeps, or raises _Gone as soon as the client hangs up or the server stops.

        Both make the socket readable with nothing to read: the client's FIN, or the
        server's own shutdown of the socket (see _Server.stop).
        """
        deadline = time.monotonic() + seconds
        with selectors.DefaultSelector() as selector:
            selector.register(self.connection, selectors.EVENT_READ)
            # Anything the client sends after its request is read and dropped by _hung_up,
            # so the loop waits again until the deadline.
            while (left := deadline - time.monotonic()) > 0:
                if selector.select(left) and _hung_up(self.connection):
                    raise _Gone("the client hung up or the server is stopping")


def _hung_up(sock: socket.socket) -> bool:
    """Whether a readable socket is at its end (or reset); reads and drops any data."""
    timeout = sock.gettimeout()
    sock.settimeout(0)
    try:
        return sock.recv(4096) == b""
    except (BlockingIOError, ssl.SSLWantReadError):
        return False  # woken by part of a TLS record, or by nothing
    except OSError:
        return True
    finally:
        sock.settimeout(timeout)


_Handler.routes = {
    "/page": _Handler.page,
    "/redirect": _Handler.redirect,
    "/loop": _Handler.loop,
    "/download": _Handler.download,
    "/not-found": _Handler.not_found,
    "/error": _Handler.error,
    "/navigates-away": _Handler.navigates_away,
    "/never-ends": _Handler.never_ends,
    "/sse": _Handler.sse,
    "/blocks-main-thread": _Handler.blocks_main_thread,
    "/big-page": _Handler.big_page,
}


class _PageHandler(_Handler):
    routes = {"/": _Handler.page}


class _Server(ThreadingHTTPServer):
    """Tracks its open connections, so that stop() can end every stream still running."""

    # server_close() joins every handler thread: none outlives the server.
    daemon_threads = False

    def __init__(self, handler: type[_Handler], pause_s: float) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.pause_s = pause_s
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def process_request(self, request: Any, client_address: Any) -> None:
        # In the accept loop, so every connection is known once shutdown() has returned.
        with self._lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        # Before the socket closes, so stop() never touches a closed, perhaps reused, one.
        with self._lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def stop(self) -> None:
        """Stops accepting, ends every open connection's stream, and waits for its thread."""
        self.shutdown()
        with self._lock:
            for sock in self._open:
                # Wakes a pause, fails a write blocked on a full buffer, ends a handshake.
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already ended by its client
        self.server_close()


class _TLSServer(_Server):
    """Hands each connection to its handler inside TLS."""

    def __init__(self, handler: type[_Handler], pause_s: float, context: ssl.SSLContext) -> None:
        super().__init__(handler, pause_s)
        self._context = context

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The handshake runs here, in the connection's own thread, not in the accept loop.
        # On a duplicate of the socket: wrap_socket detaches the socket it is given, and stop()
        # must still reach the connection through the one it tracks.
        try:
            tls = self._context.wrap_socket(request.dup(), server_side=True)
        except OSError:
            # A client that does not trust the certificate aborts the handshake: expected.
            return
        with tls:
            super().finish_request(tls, client_address)


@contextmanager
def _serving(server: _Server) -> Iterator[_Server]:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join()


@contextmanager
def https_server(ca: trustme.CA | None = None, pause_s: float = PAUSE_S) -> Iterator[str]:
    """Yields the https URL of the streamed page, its certificate for 127.0.0.1 and localhost
    signed by ca: by default a new CA, which no browser trusts, so a browser must be told to
    ignore HTTPS errors. A client that should trust it passes its own trustme.CA; tests that
    need no browser shorten pause_s, the pause between paragraphs."""
    ca = ca or trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with _serving(_TLSServer(_PageHandler, pause_s, context)) as server:
        yield f"https://{server.origin}/"


@dataclass(frozen=True)
class HostileUrls:
    """The URLs of redirect_server(); each path's handler says what it models."""

    page: str
    redirect: str
    loop: str
    download: str
    not_found: str
    error: str
    navigates_away: str
    never_ends: str
    sse: str
    blocks_main_thread: str
    big_page: str


@contextmanager
def redirect_server(pause_s: float = PAUSE_S) -> Iterator[HostileUrls]:
    """Yields the URLs of the redirects, the download, the error pages and the hard pages;
    pause_s is the pause between paragraphs of the pages that stream them."""
    with _serving(_Server(_Handler, pause_s)) as server:
        base = f"http://{server.origin}"
        # Each route's method is named as its field.
        yield HostileUrls(
            **{route.__name__: base + path for path, route in _Handler.routes.items()}
        )
