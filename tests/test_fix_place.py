"""Where a replay puts a remedy in a first chunk, on bytes: each fixed chunk is then parsed by
html5lib, a tree builder that follows the HTML standard, to see where the browser puts it."""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterator

import html5lib
import pytest

from streamscope.judge.causes import Remedy
from streamscope.judge.fix_place import PLAIN_TEXT, places_of
from streamscope.prove.fixed_chunk import FILLER, fixed_first_chunk
from streamscope.prove.replay import replayed
from streamscope.recording import WireChunk, WireTimeline

HTML = {"content-type": "text/html; charset=utf-8"}
BOTH = {Remedy.LEADING_BYTES: 591, Remedy.LEADING_TEXT: 236}
HEAD = b'<!doctype html><html><head><meta charset="utf-8"><title>Orders</title></head>'
CLOSED_EARLY = (HEAD + b'<body><h1>Orders</h1><template id="H:1"></template>'
                b"<p>Loading\xe2\x80\xa6</p></body></html>")
OPEN_LIST = HEAD + b"<body><h1>Items</h1>\n<ul>\n<li>first</li>\n"
# Not shown: what the tree builder puts in these, or under them.
UNSHOWN = {"head", "template", "script", "style", "title", "ul", "ol", "table", "tbody", "tr"}


def _walk(element, ancestors=()) -> Iterator[tuple[object, tuple[str, ...]]]:
    """Every node of an html5lib etree in document order, with its ancestors' tag names."""
    yield element, ancestors
    tag = element.tag if isinstance(element.tag, str) else "#comment"
    for child in element:
        yield from _walk(child, (*ancestors, tag))


def _parsed(data: bytes, encoding: str | None = None) -> list[tuple[object, tuple[str, ...]]]:
    document = html5lib.parse(data, transport_encoding=encoding, namespaceHTMLElements=False)
    return list(_walk(document))


def _index(nodes, found) -> int:
    return next(i for i, (node, _) in enumerate(nodes) if found(node))


def _filler(node) -> bool:
    return node.tag == "p" and (node.text or "").startswith(FILLER[:20])


def _padding(node) -> bool:
    return not isinstance(node.tag, str) and (node.text or "").strip() == "" and (
        len(node.text or "") > 100)


def _is(tag: str, **attrs: str):
    return lambda node: node.tag == tag and all(node.get(k) == v for k, v in attrs.items())


def _shown_before(nodes, found=None) -> None:
    """The inserted paragraph landed in the body, shown, and before what `found` finds."""
    at = _index(nodes, _filler)
    ancestors = nodes[at][1]
    assert "body" in ancestors and not UNSHOWN & set(ancestors), ancestors
    if found is not None:
        assert at < _index(nodes, found)


def _without(fixed: bytes, original: bytes) -> None:
    """Only insertions: every byte the server sent is still there, in order."""
    rest = iter(fixed)
    assert all(byte in rest for byte in original)


def test_a_chunk_that_closes_the_document_at_once_gets_text_before_its_placeholder() -> None:
    fixed, applied = fixed_first_chunk(CLOSED_EARLY, HTML, BOTH)
    nodes = _parsed(fixed)
    _shown_before(nodes, _is("template", id="H:1"))
    assert _index(nodes, _is("h1")) < _index(nodes, _filler)
    padding = _index(nodes, _padding)
    assert nodes[padding][1][-1] == "body" and padding < _index(nodes, _is("h1"))
    _without(fixed, CLOSED_EARLY)
    text = applied[Remedy.LEADING_TEXT]
    assert text.where == ('inside `<body>`, before the first streamed placeholder '
                          '(`<template id="H:1">`)')
    assert text.before == ('…title>Orders</title></head><body><h1>Orders</h1>'
                           '<template id="H:1"></template><p>Loading…</p><…')
    assert '<h1>Orders</h1>⟦<p>Streamed text, visible as soon as it arr… (236 visible ' \
           'characters)</p>⟧<template id="H:1">' in text.after
    assert applied[Remedy.LEADING_BYTES].where == "as a comment right after `<body>`"
    assert "<body>⟦<!-- 591 bytes of padding -->⟧<h1>" in applied[Remedy.LEADING_BYTES].after


def test_the_padding_is_exactly_the_amount() -> None:
    fixed, _ = fixed_first_chunk(CLOSED_EARLY, HTML, {Remedy.LEADING_BYTES: 591})
    assert len(fixed) == len(CLOSED_EARLY) + 591
    assert fixed.startswith(HEAD + b"<body><!--")


def test_a_react_shell_gets_text_before_its_first_suspense_boundary() -> None:
    shell = HEAD + b'<body><main><h1>Feed</h1><!--$?--><template id="B:0"></template>' \
                   b"<p>Loading</p><!--/$--></main>"
    fixed, applied = fixed_first_chunk(shell, HTML, BOTH)
    nodes = _parsed(fixed)
    _shown_before(nodes, _is("template", id="B:0"))
    assert applied[Remedy.LEADING_TEXT].where == (
        "inside `<body>`, before your first Suspense boundary (`<!--$?-->`)")


@pytest.mark.parametrize(("chunk", "left_open"), [
    (OPEN_LIST, "<ul>"),
    (HEAD + b"<body><h1>Items</h1><table class=t><tr><td>1</td>", "<table class=t>"),
    (HEAD + b'<body><h1>Items</h1><div hidden id="S:0"><p>later', '<div hidden id="S:0">'),
    (HEAD + b'<body><h1>Items</h1><div id="app"><section><ol start=3><li>a',
     "<ol start=3>"),
])
def test_a_chunk_that_ends_inside_an_open_element_gets_text_before_it(chunk: bytes,
                                                                     left_open: str) -> None:
    fixed, applied = fixed_first_chunk(chunk, HTML, BOTH)
    tag = left_open[1:].split()[0].rstrip(">")
    nodes = _parsed(fixed)
    _shown_before(nodes, _is(tag))
    assert _index(nodes, _is("h1")) < _index(nodes, _filler)
    assert applied[Remedy.LEADING_TEXT].where == (
        f"inside `<body>`, before the `{left_open}` that the first chunk leaves open")
    _without(fixed, chunk)


@pytest.mark.parametrize("cut", [b'<img src="a.png" alt="a pi', b'<a title="x > y',
                                 b"<img src=a.png", b"<!-- a comment not yet clo", b"</d"])
def test_a_chunk_that_ends_inside_a_tag_gets_text_before_that_tag(cut: bytes) -> None:
    chunk = HEAD + b"<body><h1>Items</h1>" + cut
    fixed, applied = fixed_first_chunk(chunk, HTML, BOTH)
    assert fixed.endswith(b"</p>\n" + cut)
    nodes = _parsed(fixed + b">")
    _shown_before(nodes)
    assert _index(nodes, _is("h1")) < _index(nodes, _filler)
    assert "at the end of the first chunk, before the `" in applied[Remedy.LEADING_TEXT].where
    assert applied[Remedy.LEADING_TEXT].where.endswith("…` it cuts off")


def test_a_chunk_cut_inside_a_streamed_part_gets_text_before_that_part() -> None:
    chunk = HEAD + b'<body><h1>Items</h1><template data-hono-target="H:0"><ul><li>a'
    fixed, applied = fixed_first_chunk(chunk, HTML, BOTH)
    _shown_before(_parsed(fixed), _is("template"))
    assert applied[Remedy.LEADING_TEXT].where == (
        "inside `<body>`, before the first streamed placeholder "
        '(`<template data-hono-target="H:0">`)')


def test_a_chunk_cut_inside_a_script_gets_text_before_the_script() -> None:
    chunk = HEAD + b'<body><h1>Items</h1><script>const a = "<b>'
    fixed, applied = fixed_first_chunk(chunk, HTML, BOTH)
    assert fixed.endswith(b'</p>\n<script>const a = "<b>')
    assert "before the `<script>`" in applied[Remedy.LEADING_TEXT].where


def test_a_page_with_no_body_tag_gets_both_where_its_body_begins() -> None:
    chunk = b"<!doctype html>\n<title>Comments</title>\n<ul>\n<li>Comment 1</li>\n"
    fixed, applied = fixed_first_chunk(chunk, {"content-type": "text/html"}, BOTH)
    nodes = _parsed(fixed)
    _shown_before(nodes, _is("ul"))
    # Before the body begins, a comment stays out of it: the padding is bytes, never shown.
    assert _index(nodes, _padding) < _index(nodes, _filler)
    assert applied[Remedy.LEADING_BYTES].where == (
        "as a comment before the first element of the body (`<ul>`)")
    assert fixed.startswith(b"<!doctype html>\n<title>Comments</title>\n<!--")


def test_bare_list_items_get_the_padding_first_and_the_text_after_them() -> None:
    chunk = b"<li>Comment 1</li>\n"
    fixed, applied = fixed_first_chunk(chunk, {"content-type": "text/html"}, BOTH)
    assert fixed.startswith(b"<!--") and fixed.endswith(b"</p>\n")
    assert applied[Remedy.LEADING_BYTES].where == "as a comment at the very start"
    assert applied[Remedy.LEADING_TEXT].where == "inside `<body>`, at the end of the first chunk"
    nodes = _parsed(fixed)
    assert "body" in nodes[_index(nodes, _filler)][1]


def test_a_head_still_open_keeps_its_padding_in_the_head_and_its_text_opens_the_body() -> None:
    chunk = b'<!doctype html><html><head><meta charset="utf-8"><title>x</title>' \
            b'<link rel="stylesheet" href="a.css">'
    fixed, applied = fixed_first_chunk(chunk, HTML, BOTH)
    nodes = _parsed(fixed)
    assert nodes[_index(nodes, _padding)][1][-1] == "head"
    assert "body" in nodes[_index(nodes, _filler)][1]
    assert applied[Remedy.LEADING_BYTES].where == (
        "as a comment at the end of the first chunk, before the body begins")
    assert applied[Remedy.LEADING_TEXT].where == (
        "at the end of the first chunk, where `<body>` begins")
    assert fixed.index(b"<!--") > fixed.index(b"<meta charset")


def test_a_head_cut_inside_its_title_gets_both_before_the_title() -> None:
    chunk = b'<!doctype html><html><head><meta charset="utf-8"><title>Load'
    fixed, _ = fixed_first_chunk(chunk, HTML, BOTH)
    assert fixed.endswith(b"</p>\n<title>Load")
    nodes = _parsed(fixed + b"</title>")
    assert _index(nodes, _padding) < _index(nodes, _is("title"))


def test_a_utf8_byte_order_mark_stays_first() -> None:
    chunk = codecs.BOM_UTF8 + b"<li>Comment 1</li>\n"
    fixed, applied = fixed_first_chunk(chunk, {"content-type": "text/html"}, BOTH)
    assert fixed.startswith(codecs.BOM_UTF8 + b"<!--")
    assert "<li>Comment 1</li>" in applied[Remedy.LEADING_BYTES].before


def test_a_utf16_page_gets_utf16_insertions_after_its_byte_order_mark() -> None:
    page = CLOSED_EARLY.decode().replace('<meta charset="utf-8">', "")
    chunk = codecs.BOM_UTF16_LE + page.encode("utf-16-le")
    fixed, applied = fixed_first_chunk(chunk, {"content-type": "text/html"}, BOTH)
    assert fixed.startswith(codecs.BOM_UTF16_LE)
    text = fixed[2:].decode("utf-16-le")
    assert text.index("<p>Streamed") < text.index('<template id="H:1">')
    assert text.index("<body><!--") >= 0
    _shown_before(_parsed(fixed), _is("template", id="H:1"))
    assert "<h1>Orders</h1>⟦<p>Streamed" in applied[Remedy.LEADING_TEXT].after


@pytest.mark.parametrize(("charset", "words"), [
    ("windows-1252", "Caf\u00e9 cr\u00e8me"),
    # \u8868 is 0x95 0x5C in Shift_JIS: its second byte is ASCII's backslash.
    ("shift_jis", "\u8868\u793a\u3092\u5f85\u3064"),
])
def test_a_charset_named_in_a_meta_tag_is_kept_and_the_excerpt_reads_in_it(
        charset: str, words: str) -> None:
    page = (f'<!doctype html><html><head><meta charset="{charset}"><title>{words}</title>'
            f'</head><body><h1 title="{words}">{words}</h1><template id="H:1"></template>'
            f"<p>{words}</p></body></html>")
    chunk = page.encode(charset)
    fixed, applied = fixed_first_chunk(chunk, {"content-type": "text/html"}, BOTH)
    fixed.decode(charset)  # still decodes: nothing cut a character
    _without(fixed, chunk)
    assert fixed.index(b"<meta charset") < 1024 - 591
    nodes = _parsed(fixed)
    _shown_before(nodes, _is("template", id="H:1"))
    assert nodes[_index(nodes, _is("h1"))][0].text == words  # html5lib read the same charset
    assert f"{words}</h1>⟦<p>Streamed" in applied[Remedy.LEADING_TEXT].after


def test_plain_text_gets_its_text_first_and_its_padding_right_after() -> None:
    # Whatever part of the page's one text node an engine lays out first holds the text.
    fixed, applied = fixed_first_chunk(b"line 1\n", {"content-type": "text/plain"}, BOTH)
    text = fixed[:fixed.index(b"\n")]
    assert text.startswith(b"Streamed text") and len(text.replace(b" ", b"")) >= 236
    assert fixed[len(text) + 1:] == b" " * 590 + b"\nline 1\n"
    assert applied[Remedy.LEADING_TEXT].where == "at the very start"
    assert applied[Remedy.LEADING_BYTES].where == "at the very start, after the visible text"
    assert "591 bytes of blank space" in applied[Remedy.LEADING_BYTES].after


def test_plain_text_padding_alone_goes_at_the_very_start() -> None:
    fixed, applied = fixed_first_chunk(b"line 1\n", {"content-type": "text/plain"},
                                       {Remedy.LEADING_BYTES: 591})
    assert fixed == b" " * 590 + b"\nline 1\n"
    assert applied[Remedy.LEADING_BYTES].where == "at the very start"


def _wire(pieces: list[bytes], headers: dict[str, str]) -> WireTimeline:
    return WireTimeline(200, headers, [WireChunk(i * 300.0, len(p)) for i, p in
                                       enumerate(pieces)], ended=True, body=b"".join(pieces))


def test_a_gzip_body_is_fixed_in_its_decoded_first_chunk_and_sent_compressed_again() -> None:
    parts = [CLOSED_EARLY, b'<template data-hono-target="H:1"><p>one</p></template>',
             b"<script>swap()</script>"]
    compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    pieces = [compressor.compress(p) + compressor.flush(zlib.Z_SYNC_FLUSH) for p in parts]
    pieces[-1] += compressor.flush()
    headers = HTML | {"content-encoding": "gzip"}
    response = replayed(_wire(pieces, headers), BOTH)
    assert response.headers["content-encoding"] == "gzip"
    assert [t for t, _ in response.pieces] == [0.0, 300.0, 600.0]
    decoder = zlib.decompressobj(wbits=47)
    decoded = [decoder.decompress(data) for _, data in response.pieces]
    assert decoded[1:] == parts[1:]  # each later part still leaves whole with its piece
    fixed, _ = fixed_first_chunk(CLOSED_EARLY, HTML, BOTH)
    assert decoded[0] == fixed
    assert gzip.decompress(b"".join(d for _, d in response.pieces)) == b"".join([fixed,
                                                                                 *parts[1:]])
    assert response.applied[Remedy.LEADING_TEXT].where.startswith("inside `<body>`")


def test_an_unknown_encoding_is_left_alone_and_says_so() -> None:
    headers = HTML | {"content-encoding": "br"}
    response = replayed(_wire([b"\x8b\x00opaque"], headers), BOTH)
    assert response.pieces == [(0.0, b"\x8b\x00opaque")]
    assert response.applied[Remedy.LEADING_TEXT].where == (
        "not applied: no decoder here for a br body")


def test_headers_changes_are_told_as_such() -> None:
    response = replayed(_wire([OPEN_LIST], HTML), {Remedy.NOSNIFF: 0})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.pieces == [(0.0, OPEN_LIST)]
    assert response.applied[Remedy.NOSNIFF].where == "in the response's headers"
    assert response.applied[Remedy.NOSNIFF].before == ""


def test_a_meta_naming_utf16_is_read_as_utf8_as_the_standard_says() -> None:
    chunk = '<meta charset="utf-16"><body><h1>Caf\u00e9</h1><ul>'.encode()
    _, applied = fixed_first_chunk(chunk, {"content-type": "text/html"}, BOTH)
    assert "Caf\u00e9</h1>⟦<p>" in applied[Remedy.LEADING_TEXT].after


def test_the_places_of_a_gzip_page_are_read_from_its_decoded_first_chunk() -> None:
    compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    pieces = [compressor.compress(OPEN_LIST) + compressor.flush(zlib.Z_SYNC_FLUSH),
              compressor.compress(b"<li>2</li>") + compressor.flush()]
    places = places_of(_wire(pieces, HTML | {"content-encoding": "gzip"}))
    assert places is not None
    assert places.text.words == (
        "inside `<body>`, before the `<ul>` that the first chunk leaves open")
    assert places.padding.words == "right after `<body>`"


def test_a_page_whose_body_was_not_kept_has_no_places_and_plain_text_has_its_own() -> None:
    assert places_of(WireTimeline(200, HTML, [WireChunk(0.0, 10)], ended=True)) is None
    assert places_of(_wire([b"{}"], {"content-type": "application/json"})) is None
    plain = {"content-type": "text/plain; charset=utf-8"}
    assert places_of(_wire([b"line 1\n"], plain)) == PLAIN_TEXT
    assert places_of(WireTimeline(200, plain, [WireChunk(0.0, 10)], ended=True)) == PLAIN_TEXT


def test_a_body_that_begins_with_text_gets_its_padding_before_that_text() -> None:
    chunk = b"<!doctype html><title>x</title>Hello <b>world</b><ul>"
    fixed, applied = fixed_first_chunk(chunk, {"content-type": "text/html"}, BOTH)
    assert applied[Remedy.LEADING_BYTES].where == "as a comment where the body's text begins"
    assert fixed.index(b"<!--") == chunk.index(b"Hello")


def test_a_declarative_shadow_root_is_no_placeholder() -> None:
    chunk = HEAD + b'<body><h1>Items</h1><template shadowrootmode="open"><p>in</p></template>' \
                   b"<ul>"
    _, applied = fixed_first_chunk(chunk, HTML, BOTH)
    assert applied[Remedy.LEADING_TEXT].where == (
        "inside `<body>`, before the `<ul>` that the first chunk leaves open")
