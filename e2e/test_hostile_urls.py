"""Real URLs as users meet them, in every engine: redirects, a redirect loop, a download, error
pages, a page that leaves, responses that never end, a main thread that blocks, and HTTPS with
a certificate no browser trusts. Each run says what happened in plain words, and the time
limit ends a run the page would hold (how soon after it: `python -m bench.timings`).

DOM only (no screen video): what is tested is what each case reports, not the paint.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from e2e.hostile_servers import BLOCK_S, HostileUrls, https_server, redirect_server
from streamscope.cli.commands import cli
from streamscope.config import Config
from streamscope.engines import Engine
from streamscope.judge.verdict import judge
from streamscope.record.pipeline import Pipeline
from streamscope.recording import Recording

TIMEOUT_S = 3.0  # shorter than BLOCK_S, so the blocking script still runs when it ends
assert TIMEOUT_S < BLOCK_S


@pytest.fixture(scope="module")
def urls() -> Iterator[HostileUrls]:
    with redirect_server() as served:
        yield served


@pytest.fixture
def pipeline(browser_engine: Engine, streamscope_config: Config) -> Iterator[Pipeline]:
    config = streamscope_config.with_timeout(TIMEOUT_S)
    recorder = Pipeline(browser_engine, replace(config, recording=replace(config.recording)))
    yield recorder
    recorder.close()


def test_a_redirect_is_judged_on_the_page_it_ends_at(pipeline: Pipeline, urls: HostileUrls):
    recording = pipeline.record(urls.redirect)
    assert recording.error is None and recording.status == 200
    assert recording.final_url == urls.page
    assert judge(recording).dom_incremental


@pytest.mark.parametrize("case, error", [
    ("loop", "the URL redirects in a loop: /loop → /loop"),
    ("download", 'the response is a download, not a page (Content-Disposition: attachment; '
                 'filename="streamscope.bin")'),
])
def test_a_url_with_no_page_is_an_error_in_plain_words(pipeline: Pipeline, urls: HostileUrls,
                                                       case: str, error: str):
    started = time.monotonic()
    recording = pipeline.record(getattr(urls, case))
    assert recording.error is not None and recording.error.startswith(error)
    assert time.monotonic() - started < TIMEOUT_S  # known at once, not at the time limit


@pytest.mark.parametrize("case, status", [("not_found", 404), ("error", 500)])
def test_an_error_page_is_recorded_with_its_status(pipeline: Pipeline, urls: HostileUrls,
                                                   case: str, status: int):
    recording = pipeline.record(getattr(urls, case))
    assert recording.error is None and recording.status == status
    assert recording.dom and recording.ended


def test_a_page_that_navigates_itself_away_says_where_it_went(pipeline: Pipeline,
                                                              urls: HostileUrls):
    recording = pipeline.record(urls.navigates_away)
    assert recording.error is not None
    assert recording.error.startswith(f"the page navigated itself to {urls.page}")
    assert recording.final_url == urls.page


@pytest.mark.parametrize("case", ["never_ends", "sse"])
def test_a_response_that_never_ends_is_recorded_up_to_the_time_limit(
        pipeline: Pipeline, urls: HostileUrls, case: str):
    recording = _timed(pipeline, getattr(urls, case))
    assert recording.error is None and recording.never_ended
    assert recording.wire is not None and not recording.wire.ended


def test_a_blocked_main_thread_holds_no_run_past_its_time_limit(pipeline: Pipeline,
                                                                urls: HostileUrls):
    recording = _timed(pipeline, urls.blocks_main_thread)
    assert recording.error is not None
    assert recording.error.startswith(f"the page's main thread was busy when the "
                                      f"{TIMEOUT_S:g} s time limit ran out")


def _timed(pipeline: Pipeline, url: str) -> Recording:
    """Records `url`, and checks the time limit ended it. How soon after the limit it ended
    is a figure of `python -m bench.timings` (target: a second, as the README says), not a
    test's: a busy CI machine, not the code, would miss it."""
    pipeline.close()  # the page before, which may be busy still, is not this run's
    recording = pipeline.record(url)
    assert recording.timed_out
    return recording


def test_https_with_an_untrusted_certificate_needs_the_option(browser_name: str,
                                                              tmp_path: Path):
    out = tmp_path / "runs.json"
    runner = CliRunner()
    with https_server() as url:
        refused = runner.invoke(cli, ["run", "--no-paint", "--browser", browser_name,
                                      "--json", str(out), url])
        refused_runs = json.loads(out.read_text())["runs"]
        accepted = runner.invoke(cli, ["run", "--no-paint", "--browser", browser_name,
                                       "--ignore-https-errors", "--json", str(out), url])
        accepted_runs = json.loads(out.read_text())["runs"]
    assert refused.exit_code == 1
    assert refused_runs[0]["error"].startswith("the certificate of 127.0.0.1:")
    assert "--ignore-https-errors" in refused_runs[0]["error"]
    assert accepted.exit_code == 0, accepted.output
    assert accepted_runs[0]["error"] is None and accepted_runs[0]["status"] == 200
    assert accepted_runs[0]["incremental"] is True
