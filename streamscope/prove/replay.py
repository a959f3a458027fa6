"""A recorded response served again from loopback, with its recorded timing, changed or not.

The wire capture kept the bytes and when each read arrived; a Replay sends the same status,
headers and bytes, each read at its recorded time from the request's start, so the engine
meets the same stream without touching the user's server again. A remedy (causes.Remedy)
changes it the way a fix would: invisible bytes and visible text in the first piece, each in
the place fix_place finds for it, X-Content-Type-Options: nosniff, or the uncompressed body
at its own timing.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from streamscope.judge.causes import Remedy
from streamscope.judge.first_chunk import first_burst
from streamscope.prove.fixed_chunk import HEADER_PLACES, Applied, fixed_first_chunk
from streamscope.recording import WireTimeline

# Not the response's own: the replay frames the body itself.
HOP_BY_HOP = {"transfer-encoding", "content-length", "connection", "keep-alive", "date",
              "server"}
# zlib's wbits for each Content-Encoding it reads and writes: gzip's header, or zlib's.
_ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS,
               "deflate": zlib.MAX_WBITS}
_ANY_ZLIB_HEADER = 32 + zlib.MAX_WBITS


@dataclass(frozen=True)
class ReplayedResponse:
    status: int
    headers: dict[str, str]
    pieces: list[tuple[float, bytes]]  # (ms from the request's start, bytes)
    applied: dict[Remedy, Applied] = field(default_factory=dict)  # what changed, and where


def replayed(wire: WireTimeline, remedies: Mapping[Remedy, int],
             identity: WireTimeline | None = None) -> ReplayedResponse:
    """The response to serve: `wire` as recorded, changed by `remedies`."""
    if Remedy.UNCOMPRESSED in remedies and identity is not None:
        wire = identity
    headers = {k: v for k, v in wire.headers.items() if k not in HOP_BY_HOP}
    if Remedy.UNCOMPRESSED in remedies:
        headers.pop("content-encoding", None)
    if Remedy.NOSNIFF in remedies:
        headers["x-content-type-options"] = "nosniff"
    applied = {r: Applied(n, HEADER_PLACES[r]) for r, n in remedies.items() if r in HEADER_PLACES}
    pieces = wire.pieces()
    in_body = {r: n for r, n in remedies.items() if r not in HEADER_PLACES}
    if in_body:
        pieces, placed = _with_remedies(pieces, headers, in_body)
        applied |= placed
    return ReplayedResponse(wire.status, headers, pieces, applied)


def _with_remedies(pieces: list[tuple[float, bytes]], headers: Mapping[str, str],
                   remedies: Mapping[Remedy, int]
                   ) -> tuple[list[tuple[float, bytes]], dict[Remedy, Applied]]:
    """The pieces with the remedies in the first burst that has content (first_chunk.first_burst,
    sent as one piece), decoded first if the body is compressed and compressed again after,
    each piece still leaving on its own."""
    encoding = headers.get("content-encoding", "").lower()
    wbits = _ZLIB_WBITS.get(encoding) if encoding else 0
    if wbits is None:
        return pieces, {r: Applied(n, f"not applied: no decoder here for a {encoding} body")
                        for r, n in remedies.items()}
    if wbits:
        try:
            pieces = _decoded(pieces)
        except zlib.error as error:
            return pieces, {r: Applied(n, f"not applied: the {encoding} body does not decode "
                                          f"({error})") for r, n in remedies.items()}
    burst = first_burst(pieces)
    applied: dict[Remedy, Applied] = {}
    if burst is not None:
        # What the server flushed at once leaves at once: the fix sees the chunk whole.
        first, last = burst
        data, applied = fixed_first_chunk(b"".join(d for _, d in pieces[first:last + 1]),
                                          headers, remedies)
        pieces[first:last + 1] = [(pieces[first][0], data)]
    return (_encoded(pieces, wbits) if wbits else pieces), applied


def _decoded(pieces: list[tuple[float, bytes]]) -> list[tuple[float, bytes]]:
    decoder = zlib.decompressobj(wbits=_ANY_ZLIB_HEADER)
    return [(at_ms, decoder.decompress(data)) for at_ms, data in pieces]


def _encoded(pieces: list[tuple[float, bytes]], wbits: int) -> list[tuple[float, bytes]]:
    """A sync flush after each piece: its bytes leave with it, as the recorded ones did."""
    encoder = zlib.compressobj(wbits=wbits)
    encoded = [(at_ms, encoder.compress(data) + encoder.flush(zlib.Z_SYNC_FLUSH))
               for at_ms, data in pieces]
    at_ms, last = encoded[-1]
    encoded[-1] = (at_ms, last + encoder.flush())
    return encoded


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
