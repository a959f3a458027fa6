"""The demo app on werkzeug's threaded server, which sends each yielded piece as it comes.

With threaded=True werkzeug speaks HTTP/1.1, so a response without Content-Length goes out
chunked: one chunk per yielded piece, flushed to the socket at once, nothing buffering it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from . import create_app
from .handler import QuietRequestHandler, RequestHandler


def make_demo_server(
    host: str = "127.0.0.1",
    port: int = 0,
    config: Mapping[str, Any] | None = None,
    *,
    quiet: bool = False,
) -> BaseWSGIServer:
    """A bound, not yet serving, server for create_app(config); port 0 picks a free port.

    Run it with serve_forever() (in a thread if need be) and stop it with shutdown() from
    another thread; serve_forever closes the socket as it returns. The bound port is .port.
    """
    return make_server(
        host,
        port,
        create_app(config),
        threaded=True,
        request_handler=QuietRequestHandler if quiet else RequestHandler,
    )


def base_url(server: BaseWSGIServer) -> str:
    """The server's root URL without the trailing slash, e.g. http://127.0.0.1:8800."""
    host = f"[{server.host}]" if ":" in server.host else server.host
    return f"http://{host}:{server.port}"
