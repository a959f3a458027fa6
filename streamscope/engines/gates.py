"""The gates each engine family is known, from its source, to put before a streamed page.

Mechanisms only: how much content or how many bytes open a gate is measured on the engine
that runs (`streamscope threshold`), never written here.
"""

from __future__ import annotations

from streamscope.engines.info import Gate, GateKind, Layer

WEBKIT_FIRST_PAINT = Gate(
    GateKind.FIRST_PAINT, Layer.ENGINE_CORE,
    "WebKit paints nothing until a page is 'visually non-empty' (a WebCore rule, in every "
    "WebKit port)",
    "LocalFrameView::checkAndDispatchDidReachVisuallyNonEmptyState, webkit.org/b/252413",
    safari="yes",
    # RenderTreeBuilder counts a text renderer's characters once, as it is attached; text
    # appended to that node later is not counted again. Seen on WebKitGTK 2.50.6: a text/plain
    # stream with 214 visible characters by 1.8 s (205 measured) stayed blank to its end.
    counts_appended_text=False,
)
# WebKitGTK and WPE load through libsoup; Safari's network layer is another.
LIBSOUP_SNIFF = Gate(
    GateKind.SNIFF, Layer.PORT_NETWORK,
    "libsoup, the network layer of WebKitGTK and WPE, holds the first bytes to sniff the type",
    "libsoup's SoupContentSniffer",
    safari="unknown",
)
CHROMIUM_PLAIN_SNIFF = Gate(
    GateKind.SNIFF, Layer.BROWSER,
    "Chromium sniffs text/plain before showing it, unless the response says "
    "X-Content-Type-Options: nosniff",
    "net/base/mime_sniffer.cc",
    content_types=("text/plain",), lifted_by_nosniff=True,
)
CHROMIUM_PAINT_HOLDING = Gate(
    GateKind.PAINT_HOLDING, Layer.BROWSER,
    "Chromium holds a same-origin navigation's first paint for a while (paint holding)",
    "developer.chrome.com/blog/paint-holding",
)
GECKO_PARSER_FLUSH = Gate(
    GateKind.PARSER_FLUSH, Layer.ENGINE_CORE,
    "Firefox's HTML parser moves what it parsed into the DOM on a timer",
    "html5.flushtimer.subsequentdelay, nsHtml5TreeOpExecutor",
)

BLINK = (CHROMIUM_PLAIN_SNIFF, CHROMIUM_PAINT_HOLDING)
GECKO = (GECKO_PARSER_FLUSH,)
WEBKIT_LINUX = (LIBSOUP_SNIFF, WEBKIT_FIRST_PAINT)
