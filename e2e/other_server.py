"""A streaming server that is not ours: the standard library's, writing chunks by hand.

Verdicts must hold for any server, so one e2e case records this instead of the Flask demo.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ITEMS = 8
PAUSE_S = 0.3
# Enough visible text per paragraph that no engine waits for more before painting.
ITEM = "<p>" + "A paragraph of streamed text, visible as soon as it arrives. " * 5 + "</p>\n"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for index in range(ITEMS):
                if index:
                    time.sleep(PAUSE_S)
                self._chunk(ITEM.encode())
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away; nothing to tell it

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest shows what failed, not every request."""


@contextmanager
def stdlib_server() -> Iterator[str]:
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
