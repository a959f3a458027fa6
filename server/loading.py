"""/loading/<shape>: pages that show a loading state at once and replace it when the data
comes, the commonest streamed page in the wild (Next.js loading.tsx, a React Suspense
fallback, SvelteKit's {#await}, a skeleton screen).

Each sends a shell with its loading state, holds the data for `delay` seconds, then sends the
results and a script that removes the loading state. The shells carry a few kilobytes of
markup and script, as a framework's do, so they are past every engine's byte gate; what they
show is little: a few characters, grey blocks, a spinner, or only a background colour.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator

from flask import Blueprint, Response, abort, request, stream_template

from .pacing import pause_for
from .params import FloatParam, check_known

bp = Blueprint("loading", __name__)

DELAY = FloatParam("delay", 0.0, 60.0, 3.0, "seconds",
                   "how long the data is held back after the shell")

# shape -> what its early screen shows, for the index page.
SHAPES = {
    "react": "\u201cLoading\u2026\u201d as a Suspense fallback; the content streamed into a "
             "<div hidden> and swapped in by an inline script, as React 18 and 19 do",
    "skeleton": "grey blocks where the text will be, replaced by it",
    "spinner-image": "a 48 px spinner image, the only early content",
    "css-spinner": "a spinner drawn and turned by CSS, no image",
    "background": "only a background colour: nothing to read until the data comes",
}
RESULTS = 20  # list items of visible text that replace the loading state
# What a framework's shell carries besides its loading state (Next.js's build manifest, its
# chunks' URLs): about 2 KB of JSON, invisible, past every byte gate.
STATE = {"build": "streamscope-demo",
         "chunks": [f"/_next/static/chunks/{n:04x}-{n * 7919:08x}.js" for n in range(48)]}


def _png(size: int) -> bytes:
    """A `size`-px square PNG of a blue ring on transparency: a spinner's first frame."""
    def pixel(x: int, y: int) -> bytes:
        distance = ((x - size / 2 + 0.5) ** 2 + (y - size / 2 + 0.5) ** 2) ** 0.5
        return b"\x1e\x78\xdc\xff" if size * 0.3 <= distance <= size * 0.48 else b"\0\0\0\0"

    rows = b"".join(b"\0" + b"".join(pixel(x, y) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


SPINNER_PNG = "data:image/png;base64," + base64.b64encode(_png(48)).decode()


@bp.get("/loading/<shape>")
def loading(shape: str) -> Response:
    if shape not in SHAPES:
        abort(404)
    check_known(request.args, (DELAY,))
    delay = DELAY.parse(request.args)
    pause = pause_for(request.environ)

    def data() -> Iterator[int]:
        # Iterated by the template where the data goes: the shell is sent first.
        pause(delay)
        yield RESULTS

    return Response(stream_template(f"loading/{shape}.html", shape=shape, data=data(),
                                    spinner=SPINNER_PNG, state=STATE))
