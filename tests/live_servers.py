"""Servers on real sockets for the tests: the demo app in a thread of this process, or
`python -m server` as a user starts it; a client that leaves mid-stream; and the request
threads a threaded server runs."""

from __future__ import annotations

import logging
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer

from streamscope.demo_server.serve import make_demo_server

REPO = Path(__file__).resolve().parent.parent
# The write-up's streams, which every hang-up test leaves mid-way.
WRITEUP_STREAMS = ["/hello-world", "/hello-world-with-template", "/stream?name=World"]
# How a client leaves: mid_stream's `reset`.
CLOSE_OR_RESET = pytest.mark.parametrize("reset", [False, True], ids=["close", "reset"])


@contextmanager
def serving(config: Mapping[str, Any], *, quiet: bool = False) -> Iterator[BaseWSGIServer]:
    """The demo app with `config` on a free loopback port, served by a thread until the end of
    the with block; `quiet`: without its access log."""
    server = make_demo_server(config=config, quiet=quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()


class ServerProcess:
    """`python -m server --port 0` from the repository, its stdout and stderr piped."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "--port", "0"], cwd=REPO,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline()  # where it serves

    @property
    def port(self) -> int:
        return int(re.findall(r":(\d+)/", self.first_line)[0])

    def stop(self) -> tuple[int, str]:
        """Ctrl+C, as a user stops it; returns its exit status and all it wrote to stderr."""
        self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=10)
        return self.process.returncode, err

    def end(self) -> None:
        """Stops it if a test did not (a failed assertion): nothing outlives the test."""
        if self.process.poll() is None:
            self.stop()


@contextmanager
def mid_stream(port: int, path: str, *, reset: bool = False) -> Iterator[socket.socket]:
    """A client of the server on `port` whose GET of `path` has its status line, 200; it
    hangs up at the end of the with block, with `reset` by a RST, as a browser's cancelled
    load can (linger 0)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 OK\r\n")
        yield sock


def check_quiet_log(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
                    path: str) -> None:
    """The GET of `path` was logged, as nothing worse than INFO, and no traceback anywhere:
    a client leaving is no error of the server's."""
    assert f"GET {path} HTTP/1.1" in caplog.text
    assert all(record.levelno < logging.WARNING for record in caplog.records)
    assert "Traceback" not in caplog.text + "".join(capfd.readouterr())


def request_threads() -> list[threading.Thread]:
    """The server's threads still handling a request (socketserver names them so)."""
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def wait_for_no_request_threads(seconds: float = 1,
                                why: str = "a stream goes on without its client") -> None:
    deadline = time.monotonic() + seconds
    while request_threads() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert request_threads() == [], why
