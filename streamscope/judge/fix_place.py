"""Where in a page's first chunk a remedy goes, found by an HTML tokenizer, never by position.

A replay proves a fix by making the change a user would make in their template, and where it
lands decides whether the browser shows it: text appended to a first chunk that already sent
`</html>`, or that ends inside an open `<ul>`, a `<template>` or a tag, is not the fix. The
standard library's tokenizer (html.parser) reads the chunk; a small stack of open elements
stands in for the tree builder, enough to tell body from head and to see what is left open.

- Invisible padding goes as a comment right after `<body>` (before its first element), where
  the body begins when no tag opens it, or, if the body has not begun in the chunk, at the end
  of what the chunk completes: comments are allowed anywhere, and after the `<head>`'s
  `<meta charset>` the padding cannot push it out of the charset prescan.
- Visible text goes inside the body before the first streamed part: a streamed placeholder
  (`<template>`, a Suspense comment), the `</body>` or `</html>` sent early, an element left
  open that cannot hold a paragraph or does not show one (a list, a table, `hidden`, a
  `<template>`, a script), or the tag the chunk cuts off, whichever comes first.
- A plain-text page has no markup to place by: its visible text goes at the very start and
  the padding right after it (PLAIN_TEXT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from streamscope.judge.first_chunk import ChunkText, first_content
from streamscope.recording import WireTimeline, media_type

# What may stand in <head>: anything else, or text, begins the body where no tag opens it.
_HEAD_TAGS = {"html", "head", "base", "basefont", "bgsound", "link", "meta", "noscript",
              "script", "style", "template", "title"}
# An element left open here cannot hold a paragraph of text, or would not show it.
_NO_PARAGRAPH = {"ul", "ol", "dl", "menu", "table", "caption", "colgroup", "thead", "tbody",
                 "tfoot", "tr", "td", "th", "select", "optgroup", "datalist", "svg", "math",
                 "template", "script", "style", "title", "textarea", "xmp", "iframe",
                 "noembed", "noframes", "noscript", "plaintext", "object", "video", "audio"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr", "param", "keygen"}
# React's streamed Suspense boundary, still pending, and its client-rendered twin.
_SUSPENSE_COMMENTS = {"$?", "$!"}
_SHOWN_TAG = 60  # characters of a tag quoted in a place's words


@dataclass(frozen=True)
class Place:
    offset: int  # in the chunk's text
    words: str  # in a reader's words: "right after `<body>`"


@dataclass(frozen=True)
class Places:
    padding: Place  # invisible bytes, as a comment
    text: Place  # visible text, as a paragraph


# A plain-text page is one text node that the stream grows, and WebCore counts a text node's
# characters once, as it first lays the node out (a gate's counts_appended_text): the visible
# text must be in whatever part of the node the engine lays out first. With the padding first,
# WebKitGTK now and then laid out the padding alone before the rest of the chunk came, and
# painted nothing until the end (1 replay in 12, on a busy 2-core machine).
PLAIN_TEXT = Places(padding=Place(0, "at the very start, after the visible text"),
                    text=Place(0, "at the very start"))


def places_of(wire: WireTimeline) -> Places | None:
    """Where the remedies go in the recorded page; None where it is HTML whose body was not kept,
    or neither HTML nor plain text."""
    if media_type(wire.headers.get("content-type", "")) == "text/plain":
        return PLAIN_TEXT
    data = first_content(wire)
    if not data or "html" not in wire.headers.get("content-type", "text/html"):
        return None
    return places_in(ChunkText.of(data, wire.headers).text)


def places_in(text: str) -> Places:
    """Where the remedies go in the first chunk `text` of an HTML page."""
    scan = _Scan(text)
    scan.feed(text)
    return scan.places()


class _Scan(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)  # text as it comes, no entity held back
        self._length = len(text)
        # getpos() counts lines by "\n" alone, as these do.
        self._line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self._open: list[tuple[str, int, str, bool]] = []  # tag, offset, tag text, hidden
        self._body_tag_end: int | None = None
        self._body_start: int | None = None  # where the body begins, opened by a tag or not
        self._body_begins = ""  # that place in words, where no <body> tag opens it
        self._streamed: Place | None = None  # the first streamed part in the body

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=tag in _VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        offset, tag_text = self._offset(), self.get_starttag_text() or f"<{tag}>"
        if tag == "body" and self._body_tag_end is None:
            self._body_tag_end = offset + len(tag_text)
            if self._body_start is None:
                self._body_start = self._body_tag_end
            return
        if self._body_start is None and tag not in _HEAD_TAGS:
            self._begin_body(offset, f"before the first element of the body ({_quoted(tag_text)})")
        # A declarative shadow root's <template> is shown, not a placeholder for later parts.
        shadow_root = any(name == "shadowrootmode" for name, _ in attrs)
        if self._body_start is not None and tag != "html":
            if tag == "template" and not shadow_root and self._streamed is None:
                self._streamed = Place(offset, f"inside `<body>`, before the first streamed "
                                               f"placeholder ({_quoted(tag_text)})")
        if not closed:
            self._open.append((tag, offset, tag_text, any(k == "hidden" for k, _ in attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("body", "html") and self._body_start is not None and self._streamed is None:
            self._streamed = Place(self._offset(), f"inside `<body>`, before the `</{tag}>` "
                                                   f"that the first chunk already sends")
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        inside_head_element = bool(self._open) and self._open[-1][0] in _HEAD_TAGS - {"html",
                                                                                      "head"}
        if self._body_start is None and data.strip() and not inside_head_element:
            self._begin_body(self._offset(), "where the body's text begins")

    def _begin_body(self, offset: int, words: str) -> None:
        self._body_start = offset
        self._body_begins = "at the very start" if offset == 0 else words

    def handle_comment(self, data: str) -> None:
        if data in _SUSPENSE_COMMENTS and self._body_start is not None and (
                self._streamed is None):
            self._streamed = Place(self._offset(), f"inside `<body>`, before your first "
                                                   f"Suspense boundary (`<!--{data}-->`)")

    def places(self) -> Places:
        end = self._end()
        text = end if self._streamed is None or end.offset < self._streamed.offset else (
            self._streamed)
        return Places(self._padding(end), text)

    def _end(self) -> Place:
        """The end of what the chunk completes, or before an element left open that would
        not show a paragraph."""
        for tag, offset, tag_text, hidden in self._open:
            if tag in _NO_PARAGRAPH or hidden:
                return Place(offset, f"{self._in_body()}before the {_quoted(tag_text)} that "
                                     f"the first chunk leaves open")
        end = self._length - len(self.rawdata)
        if self.rawdata:
            cut = _quoted(self.rawdata[:_SHOWN_TAG].split("\n")[0] + "…")
            return Place(end, f"{self._in_body()}at the end of the first chunk, before the "
                              f"{cut} it cuts off")
        if self._body_start is None:
            return Place(end, "at the end of the first chunk, where `<body>` begins")
        return Place(end, "inside `<body>`, at the end of the first chunk")

    def _in_body(self) -> str:
        return "inside `<body>`, " if self._body_start is not None else ""

    def _padding(self, end: Place) -> Place:
        if self._body_tag_end is not None:
            return Place(self._body_tag_end, "right after `<body>`")
        if self._body_start is not None:
            return Place(self._body_start, self._body_begins)
        return Place(end.offset, "at the end of the first chunk, before the body begins")


def _quoted(markup: str) -> str:
    """Markup as code in a sentence, cut short."""
    shown = " ".join(markup.split())
    if len(shown) > _SHOWN_TAG:
        shown = shown[:_SHOWN_TAG - 1] + "…"
    return f"`{shown}`"
