"""A response's first chunk as text a tokenizer can read, and offsets in that text as bytes.

A remedy is inserted into the bytes the server sent, so the text the tokenizer reads must map
back to them exactly. Markup is ASCII in every ASCII-compatible charset (UTF-8, windows-1252,
Shift_JIS, EUC-JP, GBK, Big5: no byte of a multi-byte character is `<`, `>`, `=`, `/` or a
quote), so those chunks are read as Latin-1, one character a byte, and a chunk cut inside a
character still reads; only UTF-16, which a byte-order mark announces, is decoded for real.
The document's charset (BOM, then Content-Type, then a `<meta>` in the first 1024 bytes, as
the HTML standard's prescan) is only needed to show an excerpt to a reader.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from streamscope.recording import ONE_FRAME_MS, WireTimeline

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# The standard's prescan looks this far for a <meta> charset.
PRESCAN_BYTES = 1024
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_ONE_BYTE_A_CHAR = "latin-1"


@dataclass(frozen=True)
class ChunkText:
    """The first chunk's bytes, and the text a tokenizer reads of them."""

    data: bytes
    text: str
    bom: bytes
    reading: str  # how `text` was read from `data`: Latin-1, or a UTF-16 codec
    charset: str  # the document's, for showing it

    @classmethod
    def of(cls, data: bytes, headers: Mapping[str, str]) -> ChunkText:
        bom, reading = next(((b, c) for b, c in _BOMS if data.startswith(b)), (b"", ""))
        charset = reading or _declared_charset(data, headers)
        if not reading.startswith("utf-16"):
            reading = _ONE_BYTE_A_CHAR
        body = data[len(bom):]
        if reading != _ONE_BYTE_A_CHAR:
            body = body[:len(body) - len(body) % 2]  # a chunk may end inside a code unit
        return cls(data, body.decode(reading, "surrogatepass"), bom, reading, charset)

    def byte_offset(self, offset: int) -> int:
        """Where `offset` of `text` is in `data`."""
        return len(self.bom) + len(self.text[:offset].encode(self.reading, "surrogatepass"))

    def encode(self, markup: str) -> bytes:
        """ASCII markup, encoded to sit in this chunk."""
        return markup.encode("ascii" if self.reading == _ONE_BYTE_A_CHAR else self.reading)

    def excerpt(self, start: int, end: int) -> str:
        """data[start:end] as a reader sees it: in the document's charset, on one line."""
        shown = self.data[start:end].decode(self.charset, "replace").strip("\ufffd")
        return shown.replace("\r", "").replace("\n", "\u21b5")


def first_burst(pieces: Sequence[tuple[float, bytes]]) -> tuple[int, int] | None:
    """The first piece with content and the ones that arrived within a frame of it, as
    [first, last] indexes: what the server flushed at once (a template engine yields its
    output in many small writes), so the page's first chunk as a person would call it."""
    first = next((i for i, (_, data) in enumerate(pieces) if data), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(pieces) and pieces[last + 1][0] - pieces[first][0] < ONE_FRAME_MS:
        last += 1
    return first, last


def first_content(wire: WireTimeline) -> bytes:
    """The first burst of `wire` that has content (first_burst), decoded where the body is
    compressed; b"" where the body was not kept, or does not decode."""
    pieces = wire.decoded_pieces() or []
    burst = first_burst(pieces)
    return b"" if burst is None else b"".join(d for _, d in pieces[burst[0]:burst[1] + 1])


def _declared_charset(data: bytes, headers: Mapping[str, str]) -> str:
    header = _HEADER_CHARSET.search(headers.get("content-type", ""))
    meta = _META_CHARSET.search(data[:PRESCAN_BYTES])
    for name, from_meta in ((header.group(1) if header else None, False),
                            (meta.group(1).decode("ascii") if meta else None, True)):
        if name is None:
            continue
        try:
            charset = codecs.lookup(name).name
        except LookupError:
            continue  # a charset Python does not know: the next declaration, or UTF-8
        # A <meta> cannot be read in UTF-16, so the standard takes one naming it as UTF-8.
        return "utf-8" if from_meta and charset.startswith("utf-16") else charset
    return "utf-8"
