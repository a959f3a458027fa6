"""What the server actually sent, and when: the URL fetched by a raw HTTP client.

Its own request on its own clock, so it shows the server's pacing (and any proxy's), free of
any browser's buffering. Verdicts use it to explain a blank page, never to decide one, so a
failed fetch costs the explanation and nothing else.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from urllib.parse import urlsplit

from streamscope.recording import WireChunk, WireTimeline

READ_SIZE = 64 * 1024


class WireCapture:
    """One fetch of a URL in a thread of its own, beside a browser loading the same URL.

    cancel() ends it at once (it closes the socket), so an interrupted run never waits for a
    stream that has not ended.
    """

    def __init__(self, url: str, timeout_s: float, *, compressed: bool = True,
                 keep_body: bool = False) -> None:
        """`compressed`: offer gzip, as browsers do; `keep_body`: keep the bytes, for a replay."""
        parts = urlsplit(url)
        self._headers = {"Accept-Encoding": "gzip" if compressed else "identity"}
        self._keep_body = keep_body
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout_s = timeout_s
        self._connection: http.client.HTTPConnection | None = None
        # http.client lets go of the socket once a response says Connection: close; the
        # response still reads from it, so keep it to time out and to cancel reads.
        self._socket: socket.socket | None = None
        self._result: WireTimeline | None = None
        self._thread = threading.Thread(target=self._run, name="streamscope-wire", daemon=True)
        try:
            connection_type = (http.client.HTTPSConnection if parts.scheme == "https"
                               else http.client.HTTPConnection)
            self._connection = connection_type(parts.netloc, timeout=timeout_s)
        except (http.client.HTTPException, ValueError):
            pass  # an address http.client cannot use: there is simply no wire timeline

    def start(self) -> WireCapture:
        self._thread.start()
        return self

    def result(self) -> WireTimeline | None:
        """The timeline once the fetch has ended; None if it failed before any response."""
        self._thread.join()
        return self._result

    def cancel(self) -> None:
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
        if self._connection is None:
            return
        try:
            self._connection.connect()
            self._socket = self._connection.sock
            self._result = _fetch(self._connection, self._socket, self._path, self._timeout_s,
                                  self._headers, self._keep_body)
        except (OSError, http.client.HTTPException, ValueError):
            self._result = None
        finally:
            self._connection.close()


def capture_wire(url: str, timeout_s: float, *, compressed: bool = True) -> WireTimeline | None:
    """Fetches `url` once, keeping each read's time and size, until its end or the time limit."""
    return WireCapture(url, timeout_s, compressed=compressed).run()


def _fetch(connection: http.client.HTTPConnection, sock: socket.socket, path: str,
           timeout_s: float, headers: dict[str, str], keep_body: bool) -> WireTimeline:
    """Keeps the body as sent, compressed or not: sizes are bytes on the wire."""
    start = time.perf_counter()
    deadline = start + timeout_s
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response_headers = {k.lower(): v for k, v in response.getheaders()}
    chunks: list[WireChunk] = []
    body: list[bytes] = []
    ended = False
    try:
        while (left := deadline - time.perf_counter()) > 0:
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
                        ended=ended, body=b"".join(body))
