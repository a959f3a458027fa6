"""A chunked HTTP response read as it came off the wire, each chunk with its arrival time.

Parsed by hand: http.client's own reads may join chunks that arrived apart, and the gaps
between them are what the live-server tests measure.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    at: float  # time.monotonic() when it was read
    data: bytes


def read_chunk(response: http.client.HTTPResponse) -> Chunk | None:
    """The next chunk, None at the end of the body."""
    size = int(response.fp.readline().split(b";")[0], 16)
    if not size:
        assert response.fp.readline() == b"\r\n"
        return None
    data = response.fp.read(size)
    assert response.fp.read(2) == b"\r\n"
    return Chunk(time.monotonic(), data)


def all_chunks(response: http.client.HTTPResponse) -> list[Chunk]:
    """Every chunk of the body; the response is closed after."""
    assert response.getheader("Transfer-Encoding") == "chunked"
    with response:
        return list(iter(lambda: read_chunk(response), None))


def gaps(chunks: list[Chunk]) -> list[float]:
    return [later.at - earlier.at for earlier, later in zip(chunks, chunks[1:], strict=False)]
