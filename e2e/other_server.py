"""A streaming server that is not ours: the standard library's, writing chunks by hand.

Verdicts must hold for any server, so e2e cases record these pages instead of the Flask demo:
`/` streams paragraphs, `/shell` sends a header and then the rest in one late piece (the
commonest streaming shape: Next.js loading.tsx, one Suspense boundary), and `/suspense`
streams its content into a hidden div and reveals it with a script at the end, as React 18
and 19 do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAUSE_S = 0.3
LATE_S = 1.5  # how long /shell and /suspense keep their last piece back
# Enough visible text per paragraph that no engine waits for more before painting.
ITEM = "<p>" + "A paragraph of streamed text, visible as soon as it arrives. " * 5 + "</p>\n"
RESULTS = "<ol>" + "<li>A result that arrived after the pause, with some words.</li>" * 20 + "</ol>"
HEAD = "<!doctype html><meta charset=utf-8><title>streamed</title>\n"

# Each page: its chunks, each sent after its pause in seconds.
PAGES: dict[str, list[tuple[float, str]]] = {
    "/": [(0.0 if i == 0 else PAUSE_S, (HEAD if i == 0 else "") + ITEM) for i in range(8)],
    "/shell": [
        (0.0, HEAD + "<h1>Results</h1><p>Searching the catalogue for everything that "
                     "matches; the list follows below.</p>\n"),
        (LATE_S, RESULTS),
    ],
    # React's shape: a placeholder, the boundary's content in <div hidden>, then $RC moves it
    # into place. The content is in the DOM a second before anyone can see it.
    "/suspense": [
        (0.0, HEAD + '<div id="root"><!--$?--><template id="B:0"></template><!--/$--></div>\n'),
        (0.5, '<div hidden id="S:0">' + RESULTS + "</div>\n"),
        (LATE_S - 0.5, "<script>(() => { const b = document.getElementById('B:0');"
                       " const s = document.getElementById('S:0');"
                       " while (s.firstChild) b.parentNode.insertBefore(s.firstChild, b);"
                       " b.remove(); s.remove(); })();</script>\n"),
    ],
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        chunks = PAGES.get(self.path)
        if chunks is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for index, (pause_s, text) in enumerate(chunks):
                time.sleep(pause_s)
                data = text.encode()
                # The last piece and the body's end in one write: the response ends as its
                # last content arrives, not a delayed ACK later.
                last = b"0\r\n\r\n" if index == len(chunks) - 1 else b""
                self.wfile.write(b"%x\r\n%s\r\n%s" % (len(data), data, last))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away; nothing to tell it

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest shows what failed, not every request."""


@contextmanager
def stdlib_server() -> Iterator[str]:
    """Yields the server's root URL, ending in a slash."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
