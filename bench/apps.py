"""The bench's server: the demo app, plus the streams only the benchmarks need.

/bench/timed sends items at known moments and logs, on the wall clock, when each was handed to
the server; /bench/flushes returns that log. /bench/buffered builds /probe's body in memory and
sends it whole, the non-streaming contrast to /probe for the memory figure. /bench/redirect,
/bench/leaves and /bench/busy are the soak's hostile pages (bench/soak.py): a redirect, a page
whose script navigates it away, and one whose script holds the main thread.

It runs as its own process (`python -m bench.apps --port 0`): in the bench's process a stream
would wait for the GIL held by the browser client or the samplers, and that wait would be
counted as the browser's lag.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import click
from flask import Blueprint, Flask, Response, jsonify, redirect, request
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Response as PlainResponse

from streamscope.demo_server import create_app
from streamscope.demo_server.probe import body, item_bytes, prefix_bytes
from streamscope.demo_server.probe_params import ContentType, parse

STREAMED_PAGE = "/probe?count=6&delay=0.25"
PAUSE_S = 0.25  # between the pieces of the soak's own pages
BUSY_MS = 2000  # the stream after the script takes 1 s


class _NoDelayHandler(WSGIRequestHandler):
    # As in server/serve.py: werkzeug writes a chunk in three sends, and with Nagle's algorithm
    # the later ones can wait up to 40 ms for a delayed ACK, which would count as lag.
    disable_nagle_algorithm = True


def create_bench_app() -> Flask:
    app: Flask = create_app()
    app.register_blueprint(_blueprint())
    return app


def _blueprint() -> Blueprint:
    bp = Blueprint("bench", __name__, url_prefix="/bench")
    flushes: dict[str, list[float]] = {}
    lock = threading.Lock()

    @bp.get("/timed")
    def timed() -> Response:
        """`prefix` bytes of comment, a pause of `lead` s, then `count` items `interval` s apart."""
        args = request.args
        run = args.get("run", "")
        count = args.get("count", 20, type=int)
        interval_s = args.get("interval", 0.2, type=float)
        lead_s = args.get("lead", 0.5, type=float)
        prefix = prefix_bytes(args.get("prefix", 2048, type=int), ContentType.HTML)
        item = item_bytes(args.get("item_bytes", 256, type=int), ContentType.HTML)
        with lock:
            log = flushes.setdefault(run, [])

        def pieces() -> Iterator[bytes]:
            yield prefix
            time.sleep(lead_s)
            for index in range(count):
                if index:
                    time.sleep(interval_s)
                # werkzeug writes and flushes a piece as soon as the generator yields it.
                log.append(time.time() * 1000)
                yield item

        return Response(pieces(), mimetype="text/html")

    @bp.get("/flushes")
    def flush_log() -> Response:
        """The wall-clock ms at which each item of `run` was yielded; forgets the run."""
        with lock:
            return jsonify(flushes.pop(request.args.get("run", ""), []))

    @bp.get("/buffered")
    def buffered() -> Response:
        """/probe's body for the same parameters, joined into one bytes: has Content-Length."""
        params = parse(request.args)
        return Response(b"".join(body(params)), mimetype="text/html")

    @bp.get("/redirect")
    def moved() -> PlainResponse:
        """A 302 to a streamed page, as after a login or a moved URL."""
        return redirect(STREAMED_PAGE)

    @bp.get("/leaves")
    def leaves() -> Response:
        """A script that goes to a streamed page 0.3 s after it is parsed, well before this page
        ends, 2 s later: a navigation mid-stream in every engine. The comment first gets it
        parsed at once where the network layer holds the first bytes to sniff (WebKitGTK's
        libsoup, 512 bytes): else it ran only as the page ended, racing the page's load."""
        go = f"<script>setTimeout(() => {{ location.href = '{STREAMED_PAGE}'; }}, 300);</script>"
        head = prefix_bytes(2048, ContentType.HTML).decode() + "<ul><li>Leaving</li>\n" + go
        return Response(_paced([head, *[f"<li>Item {n}</li>\n" for n in range(1, 9)]]),
                        mimetype="text/html")

    @bp.get("/busy")
    def busy() -> Response:
        """A first item, then a script that holds the main thread BUSY_MS, while the rest
        arrives and the response ends, a second before the script does: the rest then shows
        in one piece in every engine, however busy the machine (the comment gets the page
        parsed as it comes where the network layer holds the first bytes to sniff)."""
        hold = (f"<script>const end = performance.now() + {BUSY_MS};"
                " while (performance.now() < end);</script>")
        head = prefix_bytes(2048, ContentType.HTML).decode() + "<ul><li>Busy</li>\n"
        return Response(_paced([head, hold, *[f"<li>Item {n}</li>\n" for n in range(1, 5)]]),
                        mimetype="text/html")

    return bp


def _paced(pieces: list[str], pause_s: float = PAUSE_S) -> Iterator[str]:
    """`pieces`, PAUSE_S apart."""
    for index, piece in enumerate(pieces):
        if index:
            time.sleep(pause_s)
        yield piece


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535))
def main(host: str, port: int) -> None:
    """Serve the demo app and the bench's streams; the first line printed is the URL."""
    server = make_server(host, port, create_bench_app(), threaded=True,
                         request_handler=_NoDelayHandler)
    click.echo(f"http://{host}:{server.port}")
    server.serve_forever()


if __name__ == "__main__":
    main()
