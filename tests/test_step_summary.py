"""The CI job summary: the verdicts as Markdown, from hand-made runs."""

from dataclasses import replace

from click.testing import CliRunner

from streamscope.cli import commands, results
from streamscope.judge.causes import Cause
from streamscope.recording import EngineInfo, Recording
from streamscope.report.step_summary import append, markdown
from streamscope.run.runs import Run
from tests.timelines import elsewhere, recording, streamed, with_cause

BASE = "http://127.0.0.1:8800"


def _runs() -> list[Run]:
    progressive = Run.of(elsewhere(recording(streamed()), url=BASE + "/feed?a=1|2"))
    held = Run.of(elsewhere(recording([(10, 0, 0), (5010, 100, 10)]), browser="webkit",
                            url=BASE + "/feed?a=1|2"))
    held = replace(held, verdict=with_cause(held.verdict, Cause.BELOW_BYTE_THRESHOLD,
                                            "Send at least 600 bytes before the first item."))
    failed = Recording(url=BASE + "/sync", engine=EngineInfo("firefox", "", "", "", ""),
                       error="firefox could not start: no display")
    return [progressive, held, Run.of(failed)]


def test_one_row_per_run_with_verdicts_cause_and_fix():
    lines = markdown(_runs(), "Streaming check").splitlines()
    assert lines[0] == "### Streaming check"
    assert f"On `{BASE}`." in lines
    header = lines.index("| path | engine | progressive | DOM | paint | cause | fix | "
                         "first content | first paint | response end |")
    assert lines[header + 1] == "| --- " * 10 + "|"
    rows = lines[header + 2:header + 5]
    assert rows[0] == ("| `/feed?a=1\\|2` | chromium | ✅ yes (dom) | ✅ yes | — | streamed | "
                       "— | 20 ms | — | 5,000 ms |")
    assert rows[1] == ("| `/feed?a=1\\|2` | webkit | ❌ no (dom) | ❌ no | — | "
                       "below_byte_threshold | Send at least 600 bytes before the first item. | "
                       "5,010 ms | — | 5,000 ms |")
    assert rows[2].startswith("| `/sync` | firefox | error | ❌ no |")
    assert lines[-1] == f"- firefox on `{BASE}/sync`: firefox could not start: no display"


def test_urls_of_several_origins_are_shown_whole():
    runs = [Run.of(elsewhere(recording(streamed()), url=url))
            for url in ("http://a.test/", "https://b.test/")]
    text = markdown(runs, "t")
    assert "| URL | engine |" in text and "`http://a.test/`" in text and "On `" not in text


def test_append_keeps_what_earlier_steps_wrote(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("## Build\nok\n")
    append(summary, "### streamscope\n")
    append(summary, "### again\n")
    assert summary.read_text() == "## Build\nok\n\n### streamscope\n\n### again\n"


def test_streamscope_run_appends_the_table_where_github_says(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "record_runs", lambda urls, browsers, *a, **k: _runs()[:2])
    summary = tmp_path / "step_summary.md"
    summary.write_text("## Tests\n")
    result = CliRunner().invoke(commands.cli, ["run", "--no-paint", BASE + "/feed"],
                                env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0, result.output
    assert summary.read_text() == "## Tests\n\n" + markdown(_runs()[:2], commands.RUN_TITLE)


def test_without_github_step_summary_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "record_runs", lambda urls, browsers, *a, **k: _runs()[:1])
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(commands.cli, ["run", "--no-paint", BASE + "/feed"],
                                env={"GITHUB_STEP_SUMMARY": None})
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []
