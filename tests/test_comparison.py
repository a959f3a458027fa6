"""Comparing saved runs: verdict and cause changes, times beyond their error bounds only, and a
non-zero exit when a run that rendered progressively no longer does."""

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from streamscope.cli.commands import cli
from streamscope.judge.causes import Cause
from streamscope.recording import ONE_FRAME_MS
from streamscope.report.comparison import Change, changes_between, compare, describe, regressions
from streamscope.run.runs import Run, write_json
from tests.timelines import elsewhere, recording, streamed, with_cause

BASE = "http://127.0.0.1:8800"
AT_END = [(10, 0, 0), (5010, 100, 10)]


def _run(samples, browser="chromium", path="/feed", base=BASE, **kwargs) -> Run:
    return Run.of(elsewhere(recording(samples, **kwargs), browser=browser, url=base + path))


def _shifted(ms: float, **kwargs) -> Run:
    """/feed streamed, its first content `ms` later."""
    return _run([(10, 0, 0)] + [(t + ms, c, e) for t, c, e in streamed()[1:]], **kwargs)


def _save(runs: list[Run], path: Path) -> str:
    write_json(runs, path, {"machine": {"hostname": "ci"}})
    return str(path)


def test_an_engine_that_stopped_rendering_progressively_exits_1_and_is_named(tmp_path):
    old = _save([_run(streamed()), _run(streamed(), browser="webkit")], tmp_path / "old.json")
    new = _save([_run(streamed()), _run(AT_END, browser="webkit")], tmp_path / "new.json")
    result = CliRunner().invoke(cli, ["compare", old, new])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"REGRESSED: webkit {BASE}/feed: progressive yes → no; "
                               "DOM yes → no; cause streamed → unexplained; first content 20 ms "
                               "→ 5,010 ms (+4,990 ms")
    assert lines[-1] == "2 runs: 1 regressed, 1 unchanged"
    assert "chromium" not in result.output


def test_unchanged_runs_exit_0(tmp_path):
    runs = [_run(streamed()), _run(AT_END, browser="webkit", paint=[(30, 0.0), (5040, 1.0)])]
    result = CliRunner().invoke(cli, ["compare", _save(runs, tmp_path / "old.json"),
                                      _save(runs, tmp_path / "new.json")])
    assert result.exit_code == 0, result.output
    assert result.output == "2 runs: 2 unchanged\n"


def test_a_run_that_became_progressive_is_a_change_not_a_regression(tmp_path):
    old = _save([_run(AT_END)], tmp_path / "old.json")
    new = _save([_run(streamed())], tmp_path / "new.json")
    result = CliRunner().invoke(cli, ["compare", old, new])
    assert result.exit_code == 0
    assert result.output.startswith(f"CHANGED: chromium {BASE}/feed: progressive no → yes")


def test_time_changes_within_the_error_bounds_are_not_reported():
    # The DOM's bound is never under one frame: two recordings give 33.3 ms in all.
    within = ONE_FRAME_MS * 2 - 1
    assert changes_between(_run(streamed()), _shifted(within)) == []
    assert changes_between(_run(streamed()), _shifted(within + 2)) == [
        Change("first content", "20 ms", "54 ms", "+34 ms, beyond ±33 ms")]
    # A larger stated error widens the bound: 100 + 16.7.
    assert changes_between(_run(streamed(), error_ms=100), _shifted(110)) == []


def test_paint_times_count_beyond_both_paint_errors():
    def painted(first_ms: float, error_ms: float) -> Run:
        return _run(streamed(), paint=[(0, 0.0), (first_ms, 0.3), (5010, 1.0)],
                    paint_error_ms=error_ms)

    assert changes_between(painted(100, 33), painted(160, 33)) == []
    assert changes_between(painted(100, 33), painted(170, 33)) == [
        Change("first paint", "100 ms", "170 ms", "+70 ms, beyond ±66 ms")]
    assert changes_between(painted(100, 33), painted(170, 40)) == []


def test_a_cause_that_changed_is_reported():
    old, new = _run(AT_END), _run(AT_END)
    new = replace(new, verdict=with_cause(new.verdict, Cause.COMPRESSED))
    assert changes_between(old, new) == [Change("cause", "unexplained", "compressed")]


def test_runs_on_another_port_are_matched_by_path():
    # `streamscope repro` serves the write-up on a free port each time.
    old = [_run(streamed(), base="http://127.0.0.1:40001")]
    new = [_run(AT_END, base="http://127.0.0.1:40002")]
    (comparison,) = compare(old, new)
    assert (comparison.url, comparison.status) == ("/feed", "regressed")


def test_runs_of_several_hosts_are_matched_by_whole_url():
    old = [_run(streamed(), base="http://a.test"), _run(streamed(), base="http://b.test")]
    new = [_run(streamed(), base="http://a.test"), _run(streamed(), base="http://c.test")]
    comparisons = compare(old, new)
    assert [(c.url, c.status) for c in comparisons] == [
        ("http://a.test/feed", "unchanged"), ("http://b.test/feed", "gone"),
        ("http://c.test/feed", "new")]
    assert regressions(comparisons) == []
    assert describe(comparisons) == [
        "GONE: chromium http://b.test/feed: in OLD only (progressive: yes)",
        "NEW: chromium http://c.test/feed: in NEW only (progressive: yes)",
        "3 runs: 1 unchanged, 1 new, 1 gone"]


def test_a_run_that_could_not_record_has_regressed():
    old = _run(streamed())
    broken = elsewhere(recording(streamed()), url=BASE + "/feed")
    broken.error = "chromium could not start"
    (comparison,) = compare([old], [Run.of(broken)])
    assert comparison.regressed
    assert str(comparison.changes[0]) == "progressive yes → error"


@pytest.mark.parametrize("content, message", [
    ("not json", "is not a streamscope --json file (JSONDecodeError"),
    ('{"runs": [{"url": "x"}]}', "is not a streamscope --json file (KeyError"),
    ('{"runs": []}', "holds no runs"),
    ("[1, 2]", "is not a streamscope --json file (TypeError"),
])
def test_a_bad_file_is_one_line_and_exit_2(tmp_path, content, message):
    good = _save([_run(streamed())], tmp_path / "good.json")
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    for args in (["compare", good, str(bad)], ["report", str(bad), "--report", str(tmp_path)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"streamscope: error: {bad} ")
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_a_missing_file_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["compare", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and len(result.output.strip().splitlines()) == 1


def test_a_loading_state_that_is_no_longer_shown_has_regressed():
    """The loading state was on screen at 146 ms; after a change it is held until the end."""
    dom = [(10, 0, 0), (89, 8, 1), (3041, 900, 20)]
    shown = _run(dom, end=3040, paint=[(146, 0.0, 0.004, 0.0), (3046, 1.0, 0.2)])
    held = _run(dom, end=3040, paint=[(3046, 1.0, 0.2)])
    [comparison] = compare([shown], [held])
    assert comparison.regressed
    assert Change("progressive", "yes", "no") in comparison.changes
    assert Change("cause", "loading_state", "unexplained") in comparison.changes
    assert any(c.what == "first paint" and c.old == "146 ms" for c in comparison.changes)
