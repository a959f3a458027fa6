"""The pause between a stream's pieces, on a loopback connection: it ends when the client does."""

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from streamscope.demo_server.pacing import ClientGone, pause_for


@pytest.fixture
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    """(server side, client side) of one loopback TCP connection."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    with server, client:
        yield server, client


def later(seconds: float, action: Callable[[], object]) -> None:
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


def test_without_a_socket_the_pause_is_a_plain_sleep() -> None:
    # Flask's test client gives no werkzeug.socket.
    assert pause_for({}) is time.sleep


def test_the_pause_lasts_its_time_while_the_client_stays(
    connection: tuple[socket.socket, socket.socket],
) -> None:
    server, _ = connection
    started = time.monotonic()
    pause_for({"werkzeug.socket": server})(0.2)
    assert time.monotonic() - started >= 0.2  # how closely: bench/timings.py


@pytest.mark.parametrize("reset", [False, True], ids=["close", "reset"])
def test_the_client_leaving_ends_the_pause_at_once(
    connection: tuple[socket.socket, socket.socket], reset: bool
) -> None:
    server, client = connection
    if reset:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    later(0.1, client.close)
    with pytest.raises(ClientGone):  # not after its 60 s: how soon is bench/timings.py's
        pause_for({"werkzeug.socket": server})(60)


def test_the_client_sending_more_neither_ends_nor_shortens_the_pause(
    connection: tuple[socket.socket, socket.socket],
) -> None:
    server, client = connection
    later(0.05, lambda: client.sendall(b"GET /next HTTP/1.1\r\n"))
    started = time.monotonic()
    pause_for({"werkzeug.socket": server})(0.3)
    assert time.monotonic() - started >= 0.3
    # Peeked at, not taken: werkzeug still reads it.
    assert server.recv(100) == b"GET /next HTTP/1.1\r\n"


def test_client_gone_is_a_connection_error_as_werkzeug_expects() -> None:
    # werkzeug.serving's run_wsgi treats a ConnectionError as a dropped connection, quietly.
    assert issubclass(ClientGone, ConnectionError)
