"""What the server actually sent, and when: the URL fetched by a raw HTTP client.

Its own request on its own clock, so it shows the server's pacing (and any proxy's), free of
any browser's buffering. Verdicts use it to explain a blank page, never to decide one.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

from streamscope.recording import WireChunk, WireTimeline

READ_SIZE = 64 * 1024


def capture_wire(url: str, timeout_s: float) -> WireTimeline:
    """Fetches `url` once, keeping each read's time and size; stops at the end or the time limit.

    It offers gzip as browsers do and keeps the body as sent, so the sizes are bytes on the wire.
    """
    parts = urlsplit(url)
    connection_type = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_type(parts.netloc, timeout=timeout_s)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    start = time.perf_counter()
    deadline = start + timeout_s
    chunks: list[WireChunk] = []
    ended = False
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        while (left := deadline - time.perf_counter()) > 0:
            if connection.sock is not None:
                connection.sock.settimeout(left)
            data = response.read1(READ_SIZE)
            if not data:
                ended = True
                break
            chunks.append(WireChunk(t_ms=(time.perf_counter() - start) * 1000, size=len(data)))
        status = response.status
    except TimeoutError:
        return WireTimeline(status=0, headers={}, chunks=chunks, ended=False)
    finally:
        connection.close()
    return WireTimeline(status=status, headers=headers, chunks=chunks, ended=ended)
