"""What the server actually sent, and when: the URL fetched by a raw HTTP client.

Its own request on its own clock, so it shows the server's pacing (and any proxy's), free of
any browser's buffering. Verdicts use it to explain a blank page, never to decide one, so a
failed fetch costs the explanation and nothing else. It follows redirects as a browser does,
and says in plain words why it got no response (a redirect loop, an untrusted certificate),
or when the response is no page at all (a download): a browser's own word for these is often
a bare error code.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from urllib.parse import urljoin, urlsplit

from streamscope.recording import WireChunk, WireTimeline

READ_SIZE = 64 * 1024
# Browsers give up after 20 redirects (Chromium's net::ERR_TOO_MANY_REDIRECTS, Firefox's
# network.http.redirection-limit).
MAX_REDIRECTS = 20
REDIRECTS = {301, 302, 303, 307, 308}


class WireCapture:
    """One fetch of a URL in a thread of its own, beside a browser loading the same URL.

    cancel() ends it at once (it closes the socket), so an interrupted run never waits for a
    stream that has not ended.
    """

    def __init__(self, url: str, timeout_s: float, *, compressed: bool = True,
                 keep_body: bool = False, verify: bool = True) -> None:
        """`compressed`: offer gzip, as browsers do; `keep_body`: keep the bytes, for a replay;
        `verify`: refuse a certificate this machine does not trust (False only where the
        browser was told to accept it too)."""
        self._url = url
        self._headers = {"Accept-Encoding": "gzip" if compressed else "identity"}
        self._keep_body = keep_body
        self._timeout_s = timeout_s
        self._tls = ssl.create_default_context()
        if not verify:
            self._tls.check_hostname = False
            self._tls.verify_mode = ssl.CERT_NONE
        self._connection: http.client.HTTPConnection | None = None
        # http.client lets go of the socket once a response says Connection: close; the
        # response still reads from it, so keep it to time out and to cancel reads.
        self._socket: socket.socket | None = None
        self._cancelled = False
        self._result: WireTimeline | None = None
        # Why there is no timeline, in plain words; or, with one, why no browser shows a page.
        self.failure: str | None = None
        self.no_page: str | None = None
        self._thread = threading.Thread(target=self._run, name="streamscope-wire", daemon=True)

    def start(self) -> WireCapture:
        self._thread.start()
        return self

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def result(self, wait_s: float | None = None) -> WireTimeline | None:
        """The timeline once the fetch has ended; None if it failed before any response.

        With `wait_s`, what was read by then: the fetch is cancelled if still running.
        """
        self._thread.join(wait_s)
        if self._thread.is_alive():
            self.cancel()
            self._thread.join()
        return self._result

    def cancel(self) -> None:
        self._cancelled = True
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def run(self) -> WireTimeline | None:
        """Fetch in this thread instead."""
        self._run()
        return self._result

    def _run(self) -> None:
        start = time.perf_counter()
        url, seen = self._url, [self._url]
        while not self._cancelled:
            try:
                location = self._fetch(url, start)
            except ssl.SSLCertVerificationError as exc:
                self.failure = self.no_page = (
                    f"the certificate of {urlsplit(url).netloc} is not trusted "
                    f"({exc.verify_message}): accept it with --ignore-https-errors "
                    f"(ignore_https_errors under [recording])")
                return
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.failure = f"the raw client got no response: {exc or type(exc).__name__}"
                return
            if location is None:
                return
            url = urljoin(url, location)
            if url in seen:
                self.failure = self.no_page = f"the URL redirects in a loop: {_loop(seen, url)}"
                return
            seen.append(url)
            if len(seen) > MAX_REDIRECTS:
                self.failure = self.no_page = (
                    f"the URL redirects more than {MAX_REDIRECTS} times, past what browsers follow")
                return

    def _fetch(self, url: str, start: float) -> str | None:
        """One request; the Location to follow, or None once the timeline is kept."""
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        left = max(self._timeout_s - (time.perf_counter() - start), 0.01)
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.netloc, timeout=left, context=self._tls)
        else:
            connection = http.client.HTTPConnection(parts.netloc, timeout=left)
        try:
            connection.connect()
            self._socket = connection.sock
            if self._cancelled:
                return None
            connection.request("GET", path, headers=self._headers)
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in REDIRECTS and location:
                return location
            self._result = _read(response, self._socket, start, start + self._timeout_s,
                                 self._keep_body, url)
            self.no_page = self._result.download
            return None
        finally:
            connection.close()


def _loop(seen: list[str], again: str) -> str:
    """'/a → /b → /a': the loop, from where it starts."""
    hops = [*seen[seen.index(again):], again]
    origin = f"{urlsplit(again).scheme}://{urlsplit(again).netloc}"
    return " → ".join(hop.removeprefix(origin) or "/" for hop in hops)


def capture_wire(url: str, timeout_s: float, *, compressed: bool = True) -> WireTimeline | None:
    """Fetches `url` once, keeping each read's time and size, until its end or the time limit."""
    return WireCapture(url, timeout_s, compressed=compressed).run()


def _read(response: http.client.HTTPResponse, sock: socket.socket | None, start: float,
          deadline: float, keep_body: bool, url: str) -> WireTimeline:
    """Keeps the body as sent, compressed or not: sizes are bytes on the wire."""
    response_headers = {k.lower(): v for k, v in response.getheaders()}
    chunks: list[WireChunk] = []
    body: list[bytes] = []
    ended = False
    try:
        while (left := deadline - time.perf_counter()) > 0:
            if sock is not None:
                sock.settimeout(left)
            data = response.read1(READ_SIZE)
            if not data:
                ended = True
                break
            chunks.append(WireChunk(t_ms=(time.perf_counter() - start) * 1000, size=len(data)))
            if keep_body:
                body.append(data)
    except (OSError, http.client.HTTPException):
        pass  # the time limit, a cancel, or a server that hung up: what was read stands
    return WireTimeline(status=response.status, headers=response_headers, chunks=chunks,
                        ended=ended, body=b"".join(body), url=url)
