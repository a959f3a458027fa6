"""The pause between a stream's pieces, cut short when the client hangs up.

werkzeug learns that a client left only when it next writes to the connection: a stream
sleeping 60 s between pieces would keep its thread for up to 60 s after the client left.
Waiting on the socket instead wakes as the client closes it.
"""

from __future__ import annotations

import selectors
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

Pause = Callable[[float], None]


class ClientGone(ConnectionAbortedError):
    """Raised out of a stream's generator when the client has hung up.

    A ConnectionError is how werkzeug knows a dropped connection: it stops the response and
    logs nothing, and, the generator having raised, sends no last chunk that would make the
    response look complete.
    """


def pause_for(environ: Mapping[str, Any]) -> Pause:
    """A sleep for the request in environ that raises ClientGone as soon as its client leaves.

    Outside werkzeug's server (Flask's test client) there is no socket to watch, and TLS
    sockets refuse the peek that tells a close from data: both get a plain sleep.
    """
    sock = environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket):
        return time.sleep
    return lambda seconds: _pause(sock, seconds)


def _pause(sock: socket.socket, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        if not selector.select(seconds):
            return
    try:
        peeked: bytes | None = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        peeked = None
    except OSError as error:  # a reset
        raise ClientGone("the client reset the connection") from error
    # Readable with nothing to read is the client's FIN. A client that only shut its sending
    # side, which no browser does, is taken for gone too.
    if peeked == b"":
        raise ClientGone("the client hung up")
    # The client sent more, which it may (werkzeug reads no second request before this response
    # ends): the socket tells nothing more, so the rest of the pause is a plain sleep.
    time.sleep(max(0.0, deadline - time.monotonic()))
