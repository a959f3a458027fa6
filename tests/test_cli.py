import json
import re
import signal

import pytest
from click.testing import CliRunner

from streamscope.cli import commands, results
from streamscope.cli.commands import cli
from streamscope.run import interrupts
from streamscope.run import options as run_options
from streamscope.run.other_work import OtherWork
from streamscope.run.runs import Run
from tests.timelines import recording, streamed


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("args, message", [
    (["run", "--browser", "safari", "http://127.0.0.1/"], "'safari' is not one of"),
    (["run", "ftp://example"], "'ftp://example' is not an http(s) URL"),
    (["run", "--timeout", "nan", "http://127.0.0.1/"], "got nan"),
    (["run", "--timeout", "-1", "http://127.0.0.1/"], "from 0 to 3600"),
    (["run"], "Missing argument"),
    (["run", "--frobnicate", "http://127.0.0.1/"], "No such option"),
    (["--config", "/nonexistent.toml", "run", "http://127.0.0.1/"], "does not exist"),
    (["run", "--connect", "http://127.0.0.1:3000/", "http://127.0.0.1/"],
     "connect must be a ws:// or wss:// URL"),
    (["run", "--webdriver-url", "127.0.0.1:4444", "http://127.0.0.1/"],
     "webdriver_url must be a http:// or https:// URL"),
    (["run", "--remote-display", "99", "http://127.0.0.1/"], "must be an X display such as :99"),
    (["run", "--jobs", "0", "http://127.0.0.1/"], "0 is not in the range"),
    (["run", "--jobs", "2", "--headed", "http://127.0.0.1/"], "shows one window at a time"),
    (["run", "--jobs", "2", "--webdriver-url", "http://127.0.0.1:4444", "--remote-display",
      ":99", "--browser", "webkit", "http://127.0.0.1/"], "film it with --jobs 1"),
])
def test_a_bad_flag_is_one_line_and_a_non_zero_exit(runner, args, message):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("streamscope: error: ")


def test_a_broken_config_file_is_one_line(runner, tmp_path):
    path = tmp_path / "playwright.config.toml"
    path.write_text("[recording]\ntimeout = 1\n")
    result = runner.invoke(cli, ["--config", str(path), "run", "http://127.0.0.1/"])
    assert result.exit_code == 1
    assert "unknown setting(s) timeout" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_help_lists_the_commands(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "run" in result.output


def test_the_table_prints_every_run_with_its_reason(capsys):
    from streamscope.cli.console import print_table

    print_table([Run.of(recording(streamed()))])
    out = capsys.readouterr().out
    assert "http://127.0.0.1/x" in out
    assert "yes" in out
    assert "before the response ended" in out


def test_write_json_has_the_documented_shape(tmp_path):
    from streamscope.run.runs import write_json

    path = tmp_path / "out" / "runs.json"
    write_json([Run.of(recording(streamed()))], path)
    data = json.loads(path.read_text())
    run = data["runs"][0]
    assert run["incremental"] is True and run["browser"] == "chromium"
    assert run["timeline"]["dom"][1] == {"t_ms": 20, "text_chars": 10, "elements": 1}


def test_an_unwritable_output_is_refused_before_recording(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(cli, ["run", "--json", str(blocker / "runs.json"),
                                 "http://127.0.0.1:9/"])
    assert result.exit_code == 1
    assert result.output.startswith("streamscope: error: cannot write")
    assert len(result.output.strip().splitlines()) == 1


def test_the_table_puts_the_status_and_where_the_document_came_from_up_front(capsys):
    from streamscope.cli.console import print_table

    moved, missing, live = (recording(streamed()) for _ in range(3))
    moved.url, moved.final_url = "http://127.0.0.1/old", "http://127.0.0.1/new"
    missing.url, missing.status = "http://127.0.0.1/missing", 404
    live.url, live.timed_out, live.never_ended = "http://127.0.0.1/feed", True, True
    print_table([Run.of(moved), Run.of(missing), Run.of(live)])
    out = capsys.readouterr().out
    assert "/old → /new" in out and "- chromium http://127.0.0.1/old → /new:" in out
    assert "404" in out
    assert "never ended" in out


def test_the_json_says_each_runs_status_error_and_end_up_front(tmp_path):
    from streamscope.run.runs import write_json

    failed = recording(streamed())
    failed.error, failed.status = "the URL redirects in a loop: /loop → /loop", None
    write_json([Run.of(failed)], tmp_path / "runs.json")
    run = json.loads((tmp_path / "runs.json").read_text())["runs"][0]
    assert list(run)[:6] == ["url", "browser", "status", "final_url", "error", "never_ended"]
    assert run["error"] == "the URL redirects in a loop: /loop → /loop"
    assert run["never_ended"] is False


def test_a_reason_with_brackets_is_printed_as_it_is(capsys):
    from streamscope.cli.console import print_table

    failed = recording(streamed())
    failed.error = "accept it with --ignore-https-errors (ignore_https_errors under [recording])"
    print_table([Run.of(failed)])
    assert re.search(r"under\s+\[recording\]\)", capsys.readouterr().out)


def test_a_signal_that_interrupted_an_earlier_run_does_not_cancel_the_next(runner, tmp_path):
    # A library, or a CliRunner test, goes on after a run a signal interrupted; its next run
    # is a run of its own. Here the next run's engine cannot start: it says so, uncancelled.
    interrupts.Interrupted(signal.SIGINT)  # as the signal raised it in the earlier run
    path = tmp_path / "playwright.config.toml"
    path.write_text('[engines.webkit]\nsystem_browser = "/nonexistent/MiniBrowser"\n')
    result = runner.invoke(cli, ["--config", str(path), "run", "--browser", "webkit",
                                 "http://127.0.0.1:9/"])
    assert result.exit_code == 1, result.exception
    assert "/nonexistent/MiniBrowser is missing" in result.output


TWO = ["--browser", "chromium", "--browser", "webkit"]


@pytest.mark.parametrize("args, real_time, others, lanes, turns", [
    (TWO, True, 0.1, 2, True),
    (TWO, False, 0.1, 1, False),
    (TWO, True, 1.2, 1, False),
    (["--browser", "chromium"], True, 0.1, 1, False),
    ([*TWO, "--jobs", "2"], True, 0.1, 2, False),
    ([*TWO, "--one-at-a-time"], True, 0.1, 1, False),
    ([*TWO, "--headed"], True, 0.1, 1, False),  # one window at a time on the host's screen
    ([*TWO, "--take-turns"], False, 1.2, 2, True),
    (["--browser", "chromium", "--take-turns", "--jobs", "3"], True, 0.1, 3, True),
])
def test_taking_turns_gives_each_engine_a_lane(runner, monkeypatch, tmp_path, args, real_time,
                                               others, lanes, turns):
    # By default, where the paint capture may run at real-time priority (priority.py) and
    # other processes leave the machine quiet (other_work.py).
    monkeypatch.setattr(run_options, "real_time_allowed", lambda: real_time)
    monkeypatch.setattr(commands, "other_work", lambda: OtherWork(others, 2))
    asked = []

    def record_runs(urls, browsers, options, **_):
        asked.append((options.jobs, options.taking_turns))
        return []

    monkeypatch.setattr(results, "record_runs", record_runs)
    result = runner.invoke(cli, ["run", *args, "--json", str(tmp_path / "r.json"),
                                 "http://127.0.0.1:9/"])
    assert result.exit_code == 0, result.output
    assert asked == [(lanes, turns)]


@pytest.mark.parametrize("real_time, others, said", [
    (True, 0.02, "Taking turns to stream, a lane an engine: the machine is quiet (other "
                 "processes used 0.02 of 2 cores)"),
    (True, 1.5, "One engine after another: the machine is busy (other processes used 1.5 of 2 "
                "cores)"),
    (False, 0.02, "One engine after another: the paint capture cannot run at real-time"),
])
def test_a_run_says_whether_it_took_turns_of_its_own_accord(runner, monkeypatch, tmp_path,
                                                            real_time, others, said):
    monkeypatch.setattr(run_options, "real_time_allowed", lambda: real_time)
    monkeypatch.setattr(commands, "other_work", lambda: OtherWork(others, 2))
    monkeypatch.setattr(results, "record_runs", lambda *_, **__: [])
    result = runner.invoke(cli, ["run", "--browser", "chromium", "--browser", "webkit",
                                 "--json", str(tmp_path / "r.json"), "http://127.0.0.1:9/"])
    assert result.exit_code == 0, result.output
    assert said in " ".join(result.output.split())
