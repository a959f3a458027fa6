"""streamscope in a user's own project: the wheel, built from this checkout, installed into a
fresh virtualenv outside it, beside a small Flask app whose tests record its streams in
Chromium and WebKit.

The fresh virtualenv holds only what the wheel installs. Its dependencies are the ones ./setup
installed into this checkout's .venv, which the new one sees through a .pth file naming a
folder of links to them (streamscope's own editable install left out): pip resolves the
wheel's requirements against them with --no-index, so the test needs no network and takes
seconds, yet installs the wheel as any user's pip does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

APP = '''
import time

from flask import Flask, Response, stream_with_context


def create_app():
    app = Flask(__name__)

    @app.get("/feed")
    def feed():
        # A few short items, a pause before each: Chromium shows each as it comes.
        def items():
            yield "<!doctype html><title>feed</title><ul>"
            for n in range(1, 6):
                time.sleep(0.4)
                yield f"<li>item {n}</li>"
            yield "</ul>"
        return Response(stream_with_context(items()), mimetype="text/html")

    @app.get("/feed-padded")
    def feed_padded():
        # WebKit's two gates, passed at once: more than libsoup's 512 sniffed bytes, and a
        # visually non-empty page (200 visible characters) before the first pause.
        def items():
            yield "<!doctype html><title>feed</title><!--" + " " * 1024 + "-->"
            yield "<p>" + "The latest news, item by item, as it comes in. " * 6 + "</p><ul>"
            for n in range(1, 6):
                time.sleep(0.4)
                yield f"<li>item {n}</li>"
            yield "</ul>"
        return Response(stream_with_context(items()), mimetype="text/html")

    return app
'''

CONFTEST = '''
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app


@pytest.fixture(scope="session")
def server_url():
    """The app on a free loopback port, in a thread, for the whole session."""
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
'''

TESTS = '''
from streamscope.plugin.assertions import assert_incremental, assert_rendering


def test_feed_streams(record, server_url):
    assert_incremental(record(server_url + "/feed"))


def test_padded_feed_streams(record, server_url):
    recording = record(server_url + "/feed-padded")
    assert_rendering(recording, incremental=True, dom=True, painted=True)
'''

PYPROJECT = '''
[project]
name = "newsfeed"
version = "1"

[tool.streamscope]
browsers = ["chromium", "webkit"]

[tool.pytest.ini_options]
filterwarnings = ["error"]
'''

# What a fresh virtualenv brings itself, and the .pth file that lends it the dependencies.
OWN_PREFIXES = ("pip", "setuptools", "_distutils_hack", "distutils-precedence.pth",
                "pkg_resources", "__pycache__")
LEND = "_streamscope_e2e_dependencies.pth"


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`args` run as the user would run them: without this suite's pytest variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          check=False, env=env)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel built from it, as `python -m build` makes them."""
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build backend ./setup installed, not one fetched from an index.
    built = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, REPO], REPO)
    assert built.returncode == 0, built.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def user_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A fresh virtualenv with the wheel installed; and what the install added to it."""
    root = tmp_path_factory.mktemp("user")
    venv = root / "venv"
    created = _run([sys._base_executable, "-m", "venv", venv], root)  # type: ignore[attr-defined]
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     root).stdout.strip())
    lent = root / "dependencies"
    lent.mkdir()
    ours = Path(sysconfig.get_path("purelib"))
    for entry in ours.iterdir():
        if not entry.name.startswith(("streamscope", "__editable__", *OWN_PREFIXES)):
            (lent / entry.name).symlink_to(entry)
    (site / LEND).write_text(f"{lent}\n")
    before = {entry.name for entry in site.iterdir()}
    (wheel,) = dist.glob("*.whl")
    installed = _run([python, "-m", "pip", "install", "--no-index", wheel], root)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv, {entry.name for entry in site.iterdir()} - before


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("newsfeed")
    for name, text in (("app.py", APP), ("conftest.py", CONFTEST), ("test_feed.py", TESTS),
                       ("pyproject.toml", PYPROJECT)):
        (folder / name).write_text(textwrap.dedent(text).lstrip())
    return folder


def test_the_wheel_adds_no_top_level_name_but_streamscope(user_venv, dist, project):
    venv, added = user_venv
    assert added == {"streamscope", "streamscope-0.1.0.dist-info"}
    record = (Path(_run([venv / "bin" / "python", "-c", "import streamscope, pathlib; print("
                                                          "pathlib.Path(streamscope.__file__)"
                                                          ".parent.parent)"], project)
                   .stdout.strip()) / "streamscope-0.1.0.dist-info" / "RECORD").read_text()
    tops = {line.split("/")[0] for line in record.splitlines() if not line.startswith("..")}
    assert tops == {"streamscope", "streamscope-0.1.0.dist-info"}
    (sdist,) = dist.glob("*.tar.gz")
    assert sdist.stat().st_size > 0
    python = venv / "bin" / "python"
    assert _run([python, "-c", "import server"], project).returncode == 1
    served = _run([python, "-c", textwrap.dedent("""
        import urllib.request
        from streamscope.demo_server.thread import demo_server
        with demo_server() as base:
            print(urllib.request.urlopen(base + "/sync").status)
    """)], project)
    assert served.stdout.strip() == "200", served.stderr
    usage = _run([python, "-m", "streamscope.demo_server", "--help"], project)
    assert "Serve the streamscope demo" in usage.stdout, usage.stderr


def test_doctor_finds_both_engines_ready(user_venv, project):
    venv, _ = user_venv
    doctor = _run([venv / "bin" / "streamscope", "doctor"], project)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    lines = doctor.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["chromium", "ok:"], ["webkit", "ok:"]]
    for line in lines:
        assert "X extensions DAMAGE, MIT-SHM" in line and "ffmpeg" in line


def test_the_users_suite_records_its_app_in_chromium_and_webkit(user_venv, project):
    venv, _ = user_venv
    suite = _run([venv / "bin" / "python", "-m", "pytest", "-p", "no:cacheprovider",
                  "--video", "on", "--screenshot", "on", "--junitxml", "junit.xml"], project)
    cases = {case.get("name"): case for case in ET.parse(project / "junit.xml").iter("testcase")}
    outcomes = {name: "failed" if case.find("failure") is not None or case.find("error")
                is not None else "skipped" if case.find("skipped") is not None else "passed"
                for name, case in cases.items()}
    assert outcomes == {
        "test_feed_streams[chromium]": "passed", "test_padded_feed_streams[chromium]": "passed",
        "test_feed_streams[webkit]": "failed", "test_padded_feed_streams[webkit]": "passed",
    }, suite.stdout[-4000:]
    failure = cases["test_feed_streams[webkit]"].find("failure")
    assert failure is not None
    # The reason names the gate that held the page (a mechanism the engine declares), with or
    # without this build's thresholds measured.
    assert "libsoup" in (failure.get("message") or "") + (failure.text or "")
    results = project / "test-results"
    for test, finished in (("test-feed-py-test-feed-streams-chromium", "finished"),
                           ("test-feed-py-test-padded-feed-streams-chromium", "finished"),
                           ("test-feed-py-test-feed-streams-webkit", "failed"),
                           ("test-feed-py-test-padded-feed-streams-webkit", "finished")):
        for name in ("video.webm", f"test-{finished}-1.png"):
            artifact = results / test / name
            assert artifact.is_file() and artifact.stat().st_size > 0, sorted(results.rglob("*"))
