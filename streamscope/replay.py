"""A recorded response served again from loopback, with its recorded timing, changed or not.

The wire capture kept the bytes and when each read arrived; a Replay sends the same status,
headers and bytes, each read at its recorded time from the request's start, so the engine
meets the same stream without touching the user's server again. A remedy (causes.Remedy)
changes it the way a fix would: invisible bytes first, visible text in the first piece,
X-Content-Type-Options: nosniff, or the uncompressed body at its own timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from streamscope.causes import Remedy
from streamscope.demo_server.probe import prefix_bytes
from streamscope.demo_server.probe_params import ContentType
from streamscope.recording import WireTimeline

# Not the response's own: the replay frames the body itself.
HOP_BY_HOP = {"transfer-encoding", "content-length", "connection", "keep-alive", "date",
              "server"}
FILLER = "Streamed text, visible as soon as it arrives. "


@dataclass(frozen=True)
class ReplayedResponse:
    status: int
    headers: dict[str, str]
    pieces: list[tuple[float, bytes]]  # (ms from the request's start, bytes)


def replayed(wire: WireTimeline, remedies: Mapping[Remedy, int],
             identity: WireTimeline | None = None) -> ReplayedResponse:
    """The response to serve: `wire` as recorded, changed by `remedies`."""
    if Remedy.UNCOMPRESSED in remedies and identity is not None:
        wire = identity
    headers = {k: v for k, v in wire.headers.items() if k not in HOP_BY_HOP}
    if Remedy.UNCOMPRESSED in remedies:
        headers.pop("content-encoding", None)
    pieces = _pieces(wire)
    plain = "text/plain" in headers.get("content-type", "")
    kind = ContentType.PLAIN if plain else ContentType.HTML
    if Remedy.NOSNIFF in remedies:
        headers["x-content-type-options"] = "nosniff"
    if pieces and Remedy.LEADING_TEXT in remedies:
        text = _visible_text(remedies[Remedy.LEADING_TEXT])
        piece = f"{text}\n" if plain else f"<p>{text}</p>\n"
        pieces[0] = (pieces[0][0], pieces[0][1] + piece.encode())
    if pieces and Remedy.LEADING_BYTES in remedies:
        pieces[0] = (pieces[0][0], prefix_bytes(remedies[Remedy.LEADING_BYTES], kind)
                     + pieces[0][1])
    return ReplayedResponse(wire.status, headers, pieces)


def _pieces(wire: WireTimeline) -> list[tuple[float, bytes]]:
    pieces, offset = [], 0
    for chunk in wire.chunks:
        pieces.append((chunk.t_ms, wire.body[offset:offset + chunk.size]))
        offset += chunk.size
    return pieces


def _visible_text(chars: int) -> str:
    """At least `chars` non-white-space characters of prose."""
    words = FILLER * (chars // len(FILLER.replace(" ", "")) + 1)
    text, count = [], 0
    for word in words.split(" "):
        if count >= chars:
            break
        text.append(word)
        count += len(word)
    return " ".join(text)


@contextmanager
def replay_server(response: ReplayedResponse) -> Iterator[str]:
    """Serves `response` at every path of a loopback server; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Each piece leaves at its time: Nagle's algorithm would hold a small one back for
        # the client's delayed ACK.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            start = time.perf_counter()
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for at_ms, data in response.pieces:
                    wait = at_ms / 1000 - (time.perf_counter() - start)
                    if wait > 0:
                        time.sleep(wait)
                    if data:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the engine went away; nothing to tell it

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the run's output is the verdict, not an access log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="streamscope-replay",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/replay"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
