"""How soon what should end at once ends, and how closely a pause keeps its time:
`python -m bench.timings [--rounds N] [--json FILE]`.

The unit tests hold the behaviour (a pause lasts at least its time, a client that leaves ends
its stream, a cancelled capture comes back cut); the upper bounds are here, with their targets:
on a busy CI machine a test would miss them for the load, not for the code. Each figure is
measured `rounds` times, on loopback, and held to its target at its worst; the load average
is printed beside them.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import click
import psutil

from bench.procs import BenchError, started_engine
from e2e.hostile_servers import BLOCK_S, https_server, redirect_server
from streamscope.config import Config
from streamscope.demo_server.pacing import ClientGone, pause_for
from streamscope.demo_server.thread import demo_server
from streamscope.engines import ENGINE_NAMES
from streamscope.engines.processes import descendants, end_all
from streamscope.record.pipeline import Pipeline
from streamscope.record.wire import WireCapture, capture_wire
from streamscope.recording import WireTimeline

DELAY_S = 0.1  # the demo server's pause between the write-up's items
BLOCKED_LIMIT_S = 3.0  # shorter than the hostile page's busy main thread
assert BLOCKED_LIMIT_S < BLOCK_S
LONG_PAUSE_S = 60.0  # a hostile page's pause: what ends at once must not wait for it
CLIENTS = 40
SLOW_STREAMS = 8


def _elapsed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _pair() -> tuple[socket.socket, socket.socket]:
    """(server side, client side) of one loopback TCP connection."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    return server, client


def pause_kept() -> float:
    """A 0.2 s pause, the client staying: how long it lasted."""
    server, client = _pair()
    with server, client:
        return _elapsed(lambda: pause_for({"werkzeug.socket": server})(0.2))


def pause_with_more() -> float:
    """A 0.3 s pause during which the client sends its next request: how long it lasted."""
    server, client = _pair()
    with server, client:
        threading.Timer(0.05, lambda: client.sendall(b"GET /next HTTP/1.1\r\n")).start()
        return _elapsed(lambda: pause_for({"werkzeug.socket": server})(0.3))


def pause_after_client_left() -> float:
    """A 60 s pause whose client closes 0.1 s in: from the pause's start to ClientGone."""
    server, client = _pair()
    with server, client:
        threading.Timer(0.1, client.close).start()
        started = time.monotonic()
        try:
            pause_for({"werkzeug.socket": server})(LONG_PAUSE_S)
        except ClientGone:
            return time.monotonic() - started
    raise RuntimeError("the pause outlasted its client")


def hostile_exit() -> float:
    """Four streams in a 60 s pause and a connection that never sent its request: the time
    the hostile server takes to end them all as its context ends."""
    with redirect_server(LONG_PAUSE_S) as urls:
        readers = [_first_byte(url) for url in (urls.page, urls.never_ends, urls.sse,
                                                 urls.big_page)]
        idle = socket.create_connection(_address(urls.page))
        started = time.monotonic()
    elapsed = time.monotonic() - started
    for response in readers:
        response.close()
    idle.close()
    return elapsed


def https_idle_exit() -> float:
    """An https server with a connection stuck before its handshake: the time to end it."""
    with https_server(pause_s=LONG_PAUSE_S) as url:
        idle = socket.create_connection(_address(url))
        time.sleep(0.05)
        started = time.monotonic()
    elapsed = time.monotonic() - started
    idle.close()
    return elapsed


def zombie_end() -> float:
    """end_all on an exited process its parent never collects: it counts as ended at once."""
    parent = subprocess.Popen(["sh", "-c", "sleep 0 & exec sleep 30"])
    try:
        while not (zombies := [p for p in descendants(parent.pid)
                               if p.status() == psutil.STATUS_ZOMBIE]):
            time.sleep(0.01)
        return _elapsed(lambda: end_all(zombies, grace_s=3.0))
    finally:
        parent.kill()
        parent.wait()


def wire_cancel() -> float:
    """A capture of a long stream, cancelled 0.3 s in: from cancel() to its result."""
    with demo_server({"STREAM_DELAY_S": DELAY_S}) as base:
        capture = WireCapture(base + "/probe?count=1000&delay=0.1", timeout_s=60).start()
        time.sleep(0.3)
        started = time.monotonic()
        capture.cancel()
        capture.result()
        return time.monotonic() - started


def wire_result_wait() -> float:
    """A capture of a page that never ends, its result waited for 0.5 s: how long that took."""
    with redirect_server(pause_s=0.01) as urls:
        capture = WireCapture(urls.never_ends, timeout_s=60).start()
        return _elapsed(lambda: capture.result(wait_s=0.5))


def probe_pacing() -> float:
    """/probe's 4 items 0.1 s apart: from the first item's arrival to the last's."""
    with demo_server() as base:
        chunks = _wire(base + f"/probe?count=4&delay={DELAY_S}").chunks
    return (chunks[-1].t_ms - chunks[0].t_ms) / 1000


def slow_streams_at_once() -> float:
    """8 clients of /probe?count=3&delay=0.2 at once (0.4 s each): until the last has all."""
    with demo_server() as base, ThreadPoolExecutor(SLOW_STREAMS) as pool:
        return _elapsed(lambda: list(pool.map(
            lambda _: _wire(base + "/probe?count=3&delay=0.2"),
            range(SLOW_STREAMS))))


def hello_world(server: str, start: threading.Barrier | None = None) -> float:
    """Seconds from the request to the last byte of /hello-world (10 items)."""
    if start is not None:
        start.wait()
    return _wire(server + "/hello-world").chunks[-1].t_ms / 1000


def hello_world_alone() -> float:
    with demo_server({"STREAM_DELAY_S": DELAY_S, "STREAM_COUNT": 10}) as base:
        return hello_world(base)


def hello_world_40_at_once() -> float:
    """The slowest of 40 clients at once, over one client alone."""
    with demo_server({"STREAM_DELAY_S": DELAY_S, "STREAM_COUNT": 10}) as base:
        alone = hello_world(base)
        start = threading.Barrier(CLIENTS)
        with ThreadPoolExecutor(CLIENTS) as pool:
            together = list(pool.map(lambda _: hello_world(base, start), range(CLIENTS)))
    return max(together) / alone


def _wire(url: str) -> WireTimeline:
    """`url` read whole, each chunk with its time from the request."""
    wire = capture_wire(url, timeout_s=30)
    if wire is None or not wire.ended:
        raise BenchError(f"{url} did not answer in full")
    return wire


def _first_byte(url: str) -> http.client.HTTPResponse:
    """The response to `url`, one byte of its body read: the server is inside its stream."""
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", parts.path)
    response = connection.getresponse()
    connection.close()  # the response owns the socket now
    response.read(1)
    return response


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def blocked_past_limit(browser: str) -> Callable[[], float]:
    """A page whose main thread is busy BLOCK_S, recorded in `browser` (no paint) with a
    shorter time limit: how many seconds past the limit the run ended (opening the fresh page
    comes before the limit starts, by design: half a second of the target)."""
    def measure() -> float:
        config = Config().with_timeout(BLOCKED_LIMIT_S)
        with (started_engine(config.engine(browser)) as (engine, opened),
              redirect_server() as urls):
            pipeline = Pipeline(engine, config)
            opened.callback(pipeline.close)
            return _elapsed(lambda: pipeline.record(urls.blocks_main_thread)) - BLOCKED_LIMIT_S

    return measure


# Each figure: how it is measured, and its target at the worst of its rounds.
FIGURES: dict[str, tuple[Callable[[], float], float]] = {
    "pause_kept_s": (pause_kept, 0.5),  # of 0.2 s
    "pause_with_more_s": (pause_with_more, 0.6),  # of 0.3 s
    "pause_after_client_left_s": (pause_after_client_left, 1.0),  # 0.1 s after its start
    "hostile_exit_s": (hostile_exit, 1.0),
    "https_idle_exit_s": (https_idle_exit, 1.0),
    "zombie_end_s": (zombie_end, 1.0),
    "wire_cancel_s": (wire_cancel, 2.0),
    "wire_result_wait_s": (wire_result_wait, 2.0),  # of 0.5 s
    "probe_pacing_s": (probe_pacing, 3 * DELAY_S + 0.5),  # 3 pauses
    "slow_streams_at_once_s": (slow_streams_at_once, 1.5),  # one after another: 3.2 s
    "hello_world_alone_s": (hello_world_alone, 9 * DELAY_S + 0.3),  # 9 pauses
    "hello_world_40_at_once_ratio": (hello_world_40_at_once, 1.6),
    # README, "When the URL misbehaves": no run takes more than a second past --timeout.
    **{f"blocked_main_thread_past_limit_{name}_s": (blocked_past_limit(name), 1.5)
       for name in ENGINE_NAMES},
}


@click.command()
@click.option("--rounds", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Times each figure is measured; it is held to its target at its worst.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the figures here as JSON.")
def main(rounds: int, json_path: Path | None) -> None:
    """Measure each figure; print it with its target."""
    document = {}
    for name, (measure, target) in FIGURES.items():
        values = [measure() for _ in range(rounds)]
        worst = max(values)
        document[name] = {"median": round(statistics.median(values), 3),
                          "max": round(worst, 3), "target": target, "met": worst <= target,
                          "load_1m": round(os.getloadavg()[0], 2)}
        click.echo(f"{name}: median {statistics.median(values):.3f}, worst {worst:.3f}, "
                   f"target <= {target:g}: {'met' if worst <= target else 'MISSED'} "
                   f"(load {os.getloadavg()[0]:.2f})")
    if json_path is not None:
        json_path.write_text(json.dumps(document, indent=2) + "\n")
    raise SystemExit(0 if all(figure["met"] for figure in document.values()) else 1)


if __name__ == "__main__":
    main()
