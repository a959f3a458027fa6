"""Streamed pages whose first chunk has a shape a fix must respect: the document already
closed, the data streamed after it (Hono's JSX renderer), and an element left open.

Both are small, as a page's shell often is: fewer bytes before the end than WebKitGTK's
sniffer holds, and fewer visible characters than WebKit's first paint waits for, so WebKit
holds them and streamscope's fix (padding and text) has to land in the right place to work.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from .params import check_known
from .writeup import paced

bp = Blueprint("shapes", __name__)

_HEAD = '<!doctype html><html><head><meta charset="utf-8"><title>{}</title></head>'
# Hono's Suspense: a placeholder <template id> and its fallback up to a <!--/$--> comment.
_PLACEHOLDER = '<template id="H:{n}"></template><p>Loading…</p><!--/$-->'
# Hono's resolved boundary: the content in a <template>, and the inline script that swaps it
# for the placeholder and its fallback (hono/src/jsx/streaming.ts).
_RESOLVED = ('<template data-hono-target="H:{n}">{content}</template><script>((d,c,n)=>{{'
             "c=d.currentScript.previousSibling;d=d.getElementById('H:{n}');if(!d)return;"
             "do{{n=d.nextSibling;n.remove()}}while(n.nodeType!=8||n.nodeValue!='/$');"
             "d.replaceWith(c.content)}})(document)</script>")
OPEN_LIST_ITEMS = 5


@bp.get("/closed-early")
def closed_early() -> Response:
    """A shell that sends `</body></html>` at once; each boundary resolves after it, one
    STREAM_DELAY_S apart, the second nested in the first as Hono streams nested Suspense."""
    check_known(request.args, ())
    parts = [
        _HEAD.format("Orders") + "<body><h1>Orders</h1>" + _PLACEHOLDER.format(n=1)
        + "</body></html>",
        _RESOLVED.format(n=1, content="<p>3 orders</p>" + _PLACEHOLDER.format(n=2)),
        _RESOLVED.format(n=2, content="<ol><li>#1</li><li>#2</li><li>#3</li></ol>"),
    ]
    return Response(paced(parts), mimetype="text/html")


@bp.get("/open-list")
def open_list() -> Response:
    """A heading and a `<ul>` left open, then an item each STREAM_DELAY_S, then the end."""
    check_known(request.args, ())
    items = [f"<li>Item {number}</li>" for number in range(1, OPEN_LIST_ITEMS + 1)]
    parts = [_HEAD.format("Items") + "<body><h1>Items</h1><ul>", *items, "</ul></body></html>"]
    return Response(paced(parts), mimetype="text/html")
