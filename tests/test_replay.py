"""A replay's fixed first chunk, parsed as the HTML standard says a browser parses it: the
visible text lands in the body, before what the page streams, whatever the chunk's shape."""

from __future__ import annotations

import html5lib
import pytest

from streamscope.judge.causes import Remedy
from streamscope.prove.replay import replayed
from streamscope.recording import WireChunk, WireTimeline

HEAD = b'<!doctype html><html><head><meta charset="utf-8"><title>Orders</title></head>'
SHAPES = {
    # Hono's JSX renderer: the document closed at once, the data streamed after it.
    "closed early": (HEAD + b'<body><h1>Orders</h1><template id="H:1"></template>'
                     b"<p>Loading</p></body></html>", "template"),
    "open list": (HEAD + b"<body><h1>Items</h1><ul><li>first</li>", "ul"),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_fixed_first_chunk_shows_its_text_before_the_streamed_part(shape: str) -> None:
    chunk, streamed = SHAPES[shape]
    wire = WireTimeline(200, {"content-type": "text/html"}, [WireChunk(0.0, len(chunk))],
                        ended=True, body=chunk)
    response = replayed(wire, {Remedy.LEADING_BYTES: 591, Remedy.LEADING_TEXT: 236})
    document = html5lib.parse(response.pieces[0][1], namespaceHTMLElements=False)
    body = document.find("body")
    order = [element.tag for element in body.iter() if isinstance(element.tag, str)]
    paragraphs = [p for p in body.iter("p") if (p.text or "").startswith("Streamed text")]
    assert paragraphs, order
    assert order.index("h1") < order.index("p") < order.index(streamed), order
    assert len(response.pieces[0][1]) > len(chunk) + 591


def test_what_the_server_flushed_at_once_is_one_first_chunk() -> None:
    """A template engine writes its shell in small pieces a few ms apart (stream_template
    yields the title's text on its own): the fix goes in the body of the whole shell, which
    is replayed as one piece, and what came later keeps its time."""
    shell = SHAPES["closed early"][0]
    cut = shell.index(b"Orders</title>")  # the first read ends inside <title>
    later = b"<script>swap()</script>"
    pieces = [shell[:cut], shell[cut:], later]
    wire = WireTimeline(200, {"content-type": "text/html"},
                        [WireChunk(t, len(p)) for t, p in zip((0.0, 3.0, 900.0), pieces,
                                                               strict=True)],
                        ended=True, body=b"".join(pieces))
    response = replayed(wire, {Remedy.LEADING_TEXT: 236})
    assert [t for t, _ in response.pieces] == [0.0, 900.0]
    assert response.pieces[1][1] == later
    applied = response.applied[Remedy.LEADING_TEXT]
    assert "<title>" not in applied.where and "template" in applied.where
    body = html5lib.parse(response.pieces[0][1], namespaceHTMLElements=False).find("body")
    order = [element.tag for element in body.iter() if isinstance(element.tag, str)]
    assert order.index("h1") < order.index("p") < order.index("template"), order
