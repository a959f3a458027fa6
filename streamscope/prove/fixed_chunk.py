"""A remedy put into a page's first chunk, where fix_place finds it goes, and what that changed.

Each insertion is told back as the user would make it in their template: where it went, and
an excerpt of the chunk around that place, before and with the insertion (marked ⟦…⟧).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from streamscope.demo_server.probe import prefix_bytes
from streamscope.demo_server.probe_params import ContentType
from streamscope.judge.causes import Remedy
from streamscope.judge.first_chunk import ChunkText
from streamscope.judge.fix_place import PLAIN_TEXT, Place, places_in
from streamscope.recording import media_type

FILLER = "Streamed text, visible as soon as it arrives. "
CONTEXT_BYTES = 48  # of the chunk shown either side of an insertion; even, for UTF-16
_SHOWN_TEXT = 40  # characters of the inserted text shown in an excerpt
# Where the remedies that are no insertion go.
HEADER_PLACES = {Remedy.NOSNIFF: "in the response's headers",
                 Remedy.UNCOMPRESSED: "in the response's headers: no Content-Encoding"}


@dataclass(frozen=True)
class Applied:
    """One remedy as the replay applied it."""

    amount: int  # bytes or visible characters; 0 for a header
    where: str = ""  # in a reader's words: "as a comment right after `<body>`"
    before: str = ""  # the first chunk around that place, as the server sent it
    after: str = ""  # the same, with the insertion, marked ⟦…⟧

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "where": self.where, "before": self.before,
                "after": self.after}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | int) -> Applied:
        """`data` as to_dict wrote it, or a bare amount (runs files before places were kept)."""
        return cls(data) if isinstance(data, int) else cls(**data)


def fixed_first_chunk(data: bytes, headers: Mapping[str, str],
                      remedies: Mapping[Remedy, int]) -> tuple[bytes, dict[Remedy, Applied]]:
    """`data`, the first chunk of a response with `headers` (body uncompressed), with the
    remedies that change the body put in their places; and how each was applied."""
    chunk = ChunkText.of(data, headers)
    plain = media_type(headers.get("content-type")) == "text/plain"
    places = PLAIN_TEXT if plain else places_in(chunk.text)
    padding, text_place = places.padding, places.text
    inserts: list[tuple[Place, Remedy, bytes, str]] = []
    if Remedy.LEADING_BYTES in remedies:
        size = remedies[Remedy.LEADING_BYTES]
        if not plain:
            padding = Place(padding.offset, f"as a comment {padding.words}")
        elif Remedy.LEADING_TEXT not in remedies:
            padding = text_place  # nothing put before it: at the very start
        kind = ContentType.PLAIN if plain else ContentType.HTML
        shown_padding = (f"{size:,} bytes of blank space" if plain
                         else f"<!-- {size:,} bytes of padding -->")
        inserts.append((padding, Remedy.LEADING_BYTES, _encoded(chunk, prefix_bytes(size, kind)),
                        shown_padding))
    if Remedy.LEADING_TEXT in remedies:
        chars = remedies[Remedy.LEADING_TEXT]
        text = visible_text(chars)
        markup = f"{text}\n" if plain else f"<p>{text}</p>\n"
        shown = f"{text[:_SHOWN_TEXT]}… ({chars:,} visible characters)"
        inserts.append((text_place, Remedy.LEADING_TEXT, chunk.encode(markup),
                        shown if plain else f"<p>{shown}</p>"))
    applied, fixed = {}, data
    # From the end back, so each offset still holds. At one place, HTML's padding comes first
    # (before the body's text, as fix_place places them) and plain text's last (PLAIN_TEXT).
    last = Remedy.LEADING_BYTES if plain else Remedy.LEADING_TEXT
    for place, remedy, inserted, shown in sorted(
            inserts, key=lambda i: (i[0].offset, i[1] is last), reverse=True):
        at = chunk.byte_offset(place.offset)
        fixed = fixed[:at] + inserted + fixed[at:]
        start, end = max(len(chunk.bom), at - CONTEXT_BYTES), at + CONTEXT_BYTES
        lead = "…" if start > len(chunk.bom) else ""
        tail = "…" if end < len(data) else ""
        applied[remedy] = Applied(
            remedies[remedy], place.words, f"{lead}{chunk.excerpt(start, end)}{tail}",
            f"{lead}{chunk.excerpt(start, at)}⟦{shown}⟧{chunk.excerpt(at, end)}{tail}")
    return fixed, applied


def visible_text(chars: int) -> str:
    """At least `chars` non-white-space characters of prose."""
    words = FILLER * (chars // len(FILLER.replace(" ", "")) + 1)
    text, count = [], 0
    for word in words.split(" "):
        if count >= chars:
            break
        text.append(word)
        count += len(word)
    return " ".join(text)


def _encoded(chunk: ChunkText, ascii_bytes: bytes) -> bytes:
    return chunk.encode(ascii_bytes.decode("ascii"))
