"""The write-up's finding through the fleets a team keeps: a Playwright server, a remote
WebKitWebDriver (its screen filmed from here), a Selenium Grid relaying to WebKitGTK; and
`--jobs` giving the verdicts of a serial run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from click.testing import CliRunner

from streamscope.cli.commands import cli


def run(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    out = tmp_path / f"runs-{len(list(tmp_path.glob('runs-*.json')))}.json"
    result = CliRunner().invoke(cli, ["run", "--json", str(out), *args])
    assert result.exit_code == 0, result.output
    return list(json.loads(out.read_text())["runs"])


def verdicts(runs: list[dict[str, Any]], base: str) -> dict[tuple[str, str], bool]:
    return {(r["url"].removeprefix(base), r["browser"]): r["incremental"] for r in runs}


def test_chromium_and_firefox_stream_through_a_playwright_server(
        playwright_server_url: str, server_url: str, tmp_path: Path):
    # Paint asked for: the server's screen is not this machine's, and the run says so.
    runs = run(tmp_path, "--connect", playwright_server_url, "--browser", "chromium",
               "--browser", "firefox", server_url + "/hello-world")
    assert [(r["browser"], r["incremental"], r["verdict_from"]) for r in runs] == [
        ("chromium", True, "dom"), ("firefox", True, "dom")]
    for r in runs:
        engine = r["timeline"]["engine"]
        assert engine["endpoint"] == playwright_server_url
        assert f"through the Playwright server at {playwright_server_url}" in engine["launcher"]
        assert r["timeline"]["paint_error"].startswith(f"{r['browser']} ran at "
                                                       f"{playwright_server_url}")


def test_webkit_through_a_remote_webdriver_is_filmed_on_its_display(
        webkit_webdriver_url: tuple[str, str], server_url: str, tmp_path: Path):
    url, display = webkit_webdriver_url
    [r] = run(tmp_path, "--webdriver-url", url, "--remote-display", display,
              "--browser", "webkit", server_url + "/hello-world")
    assert (r["incremental"], r["verdict_from"], r["painted_incrementally"]) == (
        False, "paint", False)
    assert r["dom_incremental"] is False
    assert r["timeline"]["engine"]["endpoint"] == url


def test_webkit_through_a_selenium_grid(grid_url: str, server_url: str, tmp_path: Path):
    [r] = run(tmp_path, "--webdriver-url", grid_url, "--no-paint", "--browser", "webkit",
              server_url + "/hello-world")
    assert (r["incremental"], r["verdict_from"]) == (False, "dom")
    timeline = r["timeline"]
    assert timeline["engine"]["launcher"] == f"Selenium Remote WebDriver at {grid_url}"
    # The injected observer's error bound is the in-page time between the last poll that saw
    # the old document and the first that saw the new one: the Grid's round trips included.
    assert timeline["dom_error_ms"] > 0


def test_jobs_give_the_verdicts_of_a_serial_run(server_url: str, tmp_path: Path):
    urls = [server_url + "/hello-world", server_url + "/sync"]
    serial = verdicts(run(tmp_path, "--no-paint", *urls), server_url)
    parallel = verdicts(run(tmp_path, "--no-paint", "--jobs", "3", *urls), server_url)
    assert parallel == serial == {
        ("/hello-world", "chromium"): True, ("/hello-world", "firefox"): True,
        ("/hello-world", "webkit"): False,
        ("/sync", "chromium"): False, ("/sync", "firefox"): False, ("/sync", "webkit"): False,
    }


@pytest.mark.parametrize("lanes", [("--jobs", "3"), ("--take-turns",)])
def test_sigterm_ends_every_lane_and_everything_it_started(server_url: str, tmp_path: Path,
                                                           lanes: tuple[str, ...]):
    """Three lanes filming their engines' Xvfb displays (at once, or taking turns to stream),
    terminated mid-stream: the run exits and leaves no browser, driver, display or paint
    capture behind."""
    url = server_url + "/probe?count=200&delay=0.1"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamscope"), "run", *lanes, url],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        started: list[psutil.Process] = []
        while time.monotonic() < deadline:
            started = psutil.Process(process.pid).children(recursive=True)
            if sum(_captures_paint(p) for p in started) >= 3:  # all lanes film
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"three lanes never filmed at once: {[_cmdline(p) for p in started]}")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
        _, alive = psutil.wait_procs(started, timeout=10)
        assert not alive, [_cmdline(p) for p in alive]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _captures_paint(process: psutil.Process) -> bool:
    """A lane's paint capture: the DAMAGE listener ([paint] method "damage", the default), or
    ffmpeg filming to a WebM ("video")."""
    command = " ".join(_cmdline(process))
    return "streamscope.paint.damage" in command or ".webm" in command


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return list(process.cmdline())
    except psutil.Error:  # gone already
        return []
