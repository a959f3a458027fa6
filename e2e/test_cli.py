"""The command line end to end: real engines, real servers, what a user gets on disk."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from streamscope.cli.commands import cli


def test_run_prints_the_table_and_writes_the_json(server_url: str, tmp_path: Path):
    out = tmp_path / "runs.json"
    result = CliRunner().invoke(cli, [
        "run", "--no-paint", "--browser", "chromium", "--json", str(out),
        server_url + "/stream?name=cli", server_url + "/sync",
    ])
    assert result.exit_code == 0, result.output
    assert "/stream?name=cli" in result.output and "chromium" in result.output
    runs = json.loads(out.read_text())["runs"]
    assert [(r["url"].removeprefix(server_url), r["incremental"]) for r in runs] == [
        ("/stream?name=cli", True), ("/sync", False)]
    assert all(r["timeline"]["dom"] and r["response_end_ms"] for r in runs)


def test_repro_writes_a_self_contained_report(tmp_path: Path):
    report = tmp_path / "report"
    result = CliRunner().invoke(cli, ["repro", "--browser", "chromium", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert f"Report: {report.resolve() / 'index.html'}" in result.output
    page = (report / "index.html").read_text()
    assert "Chromium" in page and "/hello-world" in page
    assert len(list(report.rglob("*.svg"))) == 4
    assert all(video.stat().st_size > 0 for video in report.rglob("*.webm"))
    assert len(list(report.rglob("*.webm"))) >= 4
    assert json.loads((report / "report.json").read_text())["runs"]


def test_an_engine_that_cannot_start_is_a_non_zero_exit_with_the_reason(tmp_path: Path,
                                                                        server_url: str):
    config = tmp_path / "playwright.config.toml"
    config.write_text('[engines.webkit]\nsystem_driver = "/nonexistent/WebKitWebDriver"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "run", "--no-paint",
                                      "--browser", "webkit", server_url + "/sync"])
    assert result.exit_code == 1
    assert "/nonexistent/WebKitWebDriver is missing" in result.output


def test_repro_in_two_engines_takes_turns_and_films_every_page(tmp_path: Path):
    # --take-turns: a lane an engine, the pages streaming one at a time.
    out = tmp_path / "runs.json"
    result = CliRunner().invoke(cli, ["repro", "--take-turns", "--browser", "chromium",
                                      "--browser", "webkit", "--report", str(tmp_path / "report"),
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    runs = json.loads(out.read_text())["runs"]
    assert [(r["url"].rsplit("/", 1)[1], r["browser"]) for r in runs] == [
        (path, browser) for path in ("hello-world", "hello-world-with-template",
                                     "stream?name=World", "sync")
        for browser in ("chromium", "webkit")]
    assert all(r["error"] is None and r["verdict_from"] == "paint" for r in runs)
    assert [r["incremental"] for r in runs if r["url"].endswith("/sync")] == [False, False]
    assert all(r["incremental"] for r in runs if r["browser"] == "chromium"
               and not r["url"].endswith("/sync"))
