"""The pytest plugin as a user's suite meets it: artifacts in pytest-playwright's layout, and an
engine that cannot start failing with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamscope.config import load_config

pytest_plugins = ["pytester"]

CHROMIUM = load_config().engines["chromium"].system_executable

USER_TEST = """
from streamscope.plugin.assertions import assert_incremental
from streamscope.demo_server.thread import demo_server

def test_greeting_streams(record):
    with demo_server() as base:
        recording = record(base + "/stream?name=pytester")
    assert recording.status == 200
    assert_incremental(recording)
"""


def test_a_users_suite_gets_video_and_screenshot_per_test_and_engine(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TEST)
    output = pytester.path / "artifacts"
    result = pytester.runpytest_subprocess(
        "--browser", "chromium", "--video", "on", "--screenshot", "on", "--output", str(output),
    )
    result.assert_outcomes(passed=1)
    folder = output / "test-user-py-test-greeting-streams-chromium"
    for name in ("video.webm", "test-finished-1.png"):
        artifact = folder / name
        assert artifact.is_file() and artifact.stat().st_size > 0, sorted(output.rglob("*"))


def test_an_engine_that_cannot_start_fails_with_the_reason(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TEST)
    config = pytester.path / "broken.toml"
    config.write_text('[engines.webkit]\nsystem_driver = "/nonexistent/WebKitWebDriver"\n')
    result = pytester.runpytest_subprocess(
        "--browser", "webkit", "--streamscope-config", str(config),
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*webkit could not start*/nonexistent/WebKitWebDriver is missing*"]
    )
    # What `streamscope doctor` says fixes it, checked before any engine started.
    assert f"fix: set system_driver under [engines.webkit] in {config}" in result.stdout.str()
    assert "skipped" not in result.stdout.str()


def test_an_engine_no_selected_test_uses_is_not_checked(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TEST)
    config = pytester.path / "broken.toml"
    config.write_text('[engines.webkit]\nsystem_driver = "/nonexistent/WebKitWebDriver"\n')
    result = pytester.runpytest_subprocess(
        "--browser", "chromium", "--browser", "webkit", "--streamscope-config", str(config),
        "-k", "chromium", "--streamscope-no-paint",
    )
    result.assert_outcomes(passed=1, deselected=1)


def test_retain_on_failure_keeps_nothing_for_a_passing_test(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TEST)
    output = pytester.path / "artifacts"
    result = pytester.runpytest_subprocess(
        "--browser", "chromium", "--video", "retain-on-failure",
        "--screenshot", "only-on-failure", "--output", str(output),
    )
    result.assert_outcomes(passed=1)
    assert not list(Path(output).rglob("*.webm")) and not list(Path(output).rglob("*.png"))


def test_the_matrix_in_playwright_config_toml_is_the_default(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TEST)
    pytester.path.joinpath("playwright.config.toml").write_text('browsers = ["firefox"]\n')
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_greeting_streams?firefox? PASSED*"])


def test_without_a_matrix_pytest_playwrights_default_stands(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_greeting_streams?chromium? PASSED*"])


def test_pytest_playwrights_page_and_our_record_share_a_session(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TEST + '''

def test_a_plain_playwright_test(page):
    page.set_content("<p>hello</p>")
    assert page.text_content("p") == "hello"
''')
    # Where Playwright's own Chromium is missing, its page fixture needs the system one.
    pytester.makeconftest(f'''
import pytest

from streamscope.config import load_config

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {{**browser_type_launch_args, "executable_path": {CHROMIUM!r}}}
''')
    result = pytester.runpytest_subprocess("--browser", "chromium")
    result.assert_outcomes(passed=2)


def test_browser_context_args_ignore_https_errors_reaches_our_engines(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    # pytest-playwright's convention for a dev server's self-signed certificate.
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent.parent))
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "ignore_https_errors": True}
''')
    pytester.makepyfile(test_user='''
from e2e.hostile_servers import https_server
from streamscope.plugin.assertions import assert_incremental

def test_a_self_signed_dev_server(record):
    with https_server() as url:
        recording = record(url)
    assert recording.error is None and recording.status == 200
    assert_incremental(recording)
''')
    result = pytester.runpytest_subprocess("--browser", "chromium", "--streamscope-no-paint",
                                           "-W", "error")
    result.assert_outcomes(passed=1)


def test_a_tests_browser_context_args_marker_accepts_its_certificate_alone(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    # pytest-playwright's marker, for one test: WebKitGTK takes it per session, so that test
    # gets an engine of its own, and the next test the session's.
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent.parent))
    pytester.makepyfile(test_user='''
import pytest
from e2e.hostile_servers import https_server

@pytest.mark.browser_context_args(ignore_https_errors=True)
def test_marked(record):
    with https_server() as url:
        recording = record(url)
    assert recording.error is None and recording.status == 200

def test_unmarked(record):
    with https_server() as url:
        recording = record(url)
    assert recording.error is not None and "certificate" in recording.error
''')
    result = pytester.runpytest_subprocess("--browser", "chromium", "--browser", "webkit",
                                           "--streamscope-no-paint")
    result.assert_outcomes(passed=4)


XDIST_TEST = """
import os
import pytest
from streamscope.plugin.assertions import assert_incremental
from streamscope.demo_server.thread import demo_server

@pytest.mark.parametrize("name", ["one", "two"])
def test_greeting_streams(record, browser_engine, name, tmp_path_factory):
    with demo_server() as base:
        recording = record(base + "/stream?name=" + name)
    assert_incremental(recording)
    worker = os.environ["PYTEST_XDIST_WORKER"]
    (tmp_path_factory.getbasetemp().parent.parent / f"{name}.where").write_text(
        f"{worker} {browser_engine.display.name}")
"""


def test_xdist_workers_each_start_their_engines_and_displays(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=XDIST_TEST)
    output = pytester.path / "artifacts"
    result = pytester.runpytest_subprocess(
        "-n", "2", "--browser", "chromium", "--video", "on", "--screenshot", "on",
        "--output", str(output), f"--basetemp={pytester.path / 'tmp'}",
    )
    result.assert_outcomes(passed=2)
    where = [(pytester.path / f"{name}.where").read_text().split() for name in ("one", "two")]
    assert len({worker for worker, _ in where}) == 2, where  # each test on its own worker
    assert len({display for _, display in where}) == 2, where  # each worker its own Xvfb
    for name in ("one", "two"):
        folder = output / f"test-user-py-test-greeting-streams-chromium-{name}"
        for artifact in ("video.webm", "test-finished-1.png"):
            assert (folder / artifact).stat().st_size > 0, sorted(output.rglob("*"))


def test_a_users_suite_runs_on_a_playwright_server(pytester: pytest.Pytester,
                                                   playwright_server_url: str):
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess(
        "--browser", "firefox", "--streamscope-connect", playwright_server_url,
        "--streamscope-no-paint",
    )
    result.assert_outcomes(passed=1)


def test_more_workers_than_the_remote_endpoint_takes_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess(
        "-n", "2", "--browser", "webkit", "--streamscope-webdriver-url", "http://127.0.0.1:9",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*takes 1 session(s) at once*run with -n 1 or fewer*"])
