"""/probe: a stream whose size, pace, type and encoding the query string sets, for experiments."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator

from flask import Blueprint, Response, request

from .pacing import Pause, pause_for
from .probe_params import ContentType, Gzip, ProbeParams, parse

bp = Blueprint("probe", __name__)

_COMMENT_OPEN, _COMMENT_CLOSE = b"<!--", b"-->"
_MARKUP = {ContentType.HTML: (b"<li>", b"</li>\n"), ContentType.PLAIN: (b"", b"\n")}
_MIMETYPE = {ContentType.HTML: "text/html", ContentType.PLAIN: "text/plain"}
# Words rather than one long run of a letter, so a megabyte item wraps like prose.
_FILLER = b"streamed "
# wbits for a gzip header and trailer around the deflate stream.
_GZIP_WBITS = 16 + zlib.MAX_WBITS


@bp.get("/probe")
def probe() -> Response:
    params = parse(request.args)
    headers: dict[str, str] = {}
    if params.nosniff:
        headers["X-Content-Type-Options"] = "nosniff"
    pieces = body(params, pause_for(request.environ))
    if params.gzip is not Gzip.OFF:
        # As compressing middleware does: only for a client that accepts gzip.
        headers["Vary"] = "Accept-Encoding"
        if request.accept_encodings["gzip"]:
            headers["Content-Encoding"] = "gzip"
            pieces = gzipped(pieces, sync_flush=params.gzip is Gzip.FLUSH)
    return Response(pieces, mimetype=_MIMETYPE[params.content_type], headers=headers)


def body(params: ProbeParams, pause: Pause = time.sleep) -> Iterator[bytes]:
    """The prefix, then the items with pause(delay) between them: params.total_bytes in all.

    Each item is built once and the same object is yielded every time, so a 1 GiB response
    holds one item in memory, never the body.
    """
    if params.prefix:
        yield prefix_bytes(params.prefix, params.content_type)
    item = item_bytes(params.item_bytes, params.content_type)
    for index in range(params.count):
        if index and params.delay:
            pause(params.delay)
        yield item


def gzipped(pieces: Iterator[bytes], *, sync_flush: bool) -> Iterator[bytes]:
    """The pieces as one gzip stream.

    With sync_flush, every piece's compressed bytes leave with it, so the stream still
    streams; without, zlib holds data until its buffers fill, as compressing middleware does.
    """
    compressor = zlib.compressobj(wbits=_GZIP_WBITS)
    for piece in pieces:
        out = compressor.compress(piece)
        if sync_flush:
            out += compressor.flush(zlib.Z_SYNC_FLUSH)
        if out:
            yield out
    yield compressor.flush()


def prefix_bytes(size: int, content_type: ContentType) -> bytes:
    """size bytes a reader does not see: an HTML comment, or blank space for plain text."""
    if content_type is ContentType.PLAIN:
        return b" " * (size - 1) + b"\n"
    inside = size - len(_COMMENT_OPEN) - len(_COMMENT_CLOSE)
    if inside < 0:
        return b" " * size
    return _COMMENT_OPEN + b" " * inside + _COMMENT_CLOSE


def item_bytes(size: int, content_type: ContentType) -> bytes:
    """One item of exactly size bytes, its markup and newline included, padded with text."""
    opening, closing = _MARKUP[content_type]
    text_size = size - len(opening) - len(closing)
    text = (_FILLER * (text_size // len(_FILLER) + 1))[:text_size]
    return opening + text + closing
