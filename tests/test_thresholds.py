"""Measuring thresholds against a fake gated engine, keeping them, and measuring one on first
need: no browser."""

from __future__ import annotations

import json
import logging
import threading
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace

import pytest
from click.testing import CliRunner

from streamscope.cli import commands
from streamscope.config import Config
from streamscope.engines import EngineError
from streamscope.judge.causes import Remedy
from streamscope.judge.verdict import judge
from streamscope.prove.thresholds import first_need, measure
from streamscope.prove.thresholds.measure import CASES, PROBE_ATTEMPTS, Case, measure_missing
from streamscope.record import threshold_cache as cache
from streamscope.recording import Threshold
from tests.fake_gates import BYTES, CHARS, INFO, MARKUP, GatedEngine, GatedPipeline
from tests.test_causes import EVERY_500_MS, HELD_TO_THE_END
from tests.timelines import recording

HTML = Case("html", False)
PLAIN_NOSNIFF = Case("plain", True)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STREAMSCOPE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(first_need, "_failed", {})
    monkeypatch.setattr(cache, "_warned", set())
    monkeypatch.setattr(first_need, "demo_server", _no_server)
    monkeypatch.setattr(measure, "demo_server", _no_server)


@contextmanager
def _no_server(*_):
    yield "http://127.0.0.1:9"


def _plain_nosniff(url: str, attempt: int) -> bool:
    return "content_type=plain" in url and "nosniff=1" in url


def test_the_bisection_finds_a_fake_engines_gates():
    thresholds, failed = measure.measure(GatedPipeline(), "http://x", cases=[HTML])
    assert failed == ()
    [found] = thresholds
    assert BYTES <= found.bytes < BYTES + measure.BYTES_STEP
    assert CHARS <= found.visible_chars < CHARS + measure.CHARS_STEP + MARKUP


def test_a_probe_that_failed_is_recorded_again_and_the_case_finishes():
    pipeline = GatedPipeline(fails=lambda url, attempt: attempt < PROBE_ATTEMPTS)
    thresholds, failed = measure.measure(pipeline, "http://x", cases=[HTML])
    assert failed == () and thresholds[0].bytes is not None
    # A probe that said held is asked twice: each of those PROBE_ATTEMPTS times more.
    assert {pipeline.urls.count(url) for url in pipeline.urls} == {PROBE_ATTEMPTS,
                                                                   PROBE_ATTEMPTS + 1}


def test_a_probe_seen_late_once_does_not_move_the_bisection():
    # On a busy machine an early page can be recorded as held; never a held one as early.
    seen: set[str] = set()
    pipeline = GatedPipeline()
    real_record = pipeline.record

    def record(url, **kwargs):
        recording = real_record(url, **kwargs)
        if url not in seen:  # its first recording saw nothing before the end
            seen.add(url)
            return replace(recording, dom=[s for s in recording.dom if s.t_ms > 500],
                           paint=None if kwargs.get("video") is None else recording.paint)
        return recording

    pipeline.record = record  # type: ignore[method-assign]
    thresholds, failed = measure.measure(pipeline, "http://x", cases=[HTML])
    assert failed == ()
    [found] = thresholds
    assert BYTES <= found.bytes < BYTES + measure.BYTES_STEP
    assert CHARS <= found.visible_chars < CHARS + measure.CHARS_STEP + MARKUP


def test_a_case_that_cannot_finish_is_kept_with_its_error_and_the_others_go_on():
    lines: list[str] = []
    thresholds, failed = measure.measure(GatedPipeline(fails=_plain_nosniff), "http://x",
                                         lines.append)
    assert [(t.content_type, t.nosniff) for t in thresholds] == [("text/html", False),
                                                                ("text/plain", False)]
    [error] = failed
    assert (error.content_type, error.nosniff) == ("text/plain", True)
    assert "navigated itself" in error.error and f"({PROBE_ATTEMPTS} attempts)" in error.error
    assert any("text/plain nosniff: could not be measured" in line for line in lines)


def test_threshold_keeps_every_row_writes_the_failed_one_and_exits_non_zero(
        tmp_path, monkeypatch):
    pipelines: list[GatedPipeline] = []

    def pipeline(engine, config):
        pipelines.append(GatedPipeline(engine, config, fails=_plain_nosniff))
        return pipelines[-1]

    monkeypatch.setattr(measure, "create_engine", lambda config, window: GatedEngine())
    monkeypatch.setattr(measure, "Pipeline", pipeline)
    out = tmp_path / "t.json"
    result = CliRunner().invoke(commands.cli, ["threshold", "--browser", "webkit", "--json",
                                          str(out)])
    assert result.exit_code == 1
    rows = json.loads(out.read_text())["thresholds"]
    assert [(r["content_type"], r["nosniff"], r["error"] is None) for r in rows] == [
        ("text/html", False, True), ("text/plain", False, True), ("text/plain", True, False)]
    assert "webkit text/plain + nosniff: " in result.stderr
    assert len(cache.cached_thresholds(INFO)) == 2  # the finished rows are kept
    # Run again, it measures only the row that failed.
    pipelines[0].fails = lambda url, attempt: False
    monkeypatch.setattr(measure, "Pipeline", lambda engine, config: pipelines[0])
    pipelines[0].urls.clear()
    result = CliRunner().invoke(commands.cli, ["threshold", "--browser", "webkit"])
    assert result.exit_code == 0, result.output
    assert all("nosniff=1" in url for url in pipelines[0].urls)
    assert len(cache.cached_thresholds(INFO)) == 3


def test_a_corrupt_cache_file_is_a_one_line_warning_and_measured_again(caplog):
    path = cache.cache_path(INFO)
    path.parent.mkdir(parents=True)
    path.write_text('{"thresholds": [{"content_type": "text/html"')
    with caplog.at_level(logging.WARNING):
        assert cache.cached_thresholds(INFO) == ()
        assert cache.cached_thresholds(INFO) == ()  # said once
    [warning] = caplog.messages
    assert "\n" not in warning and str(path) in warning and "measuring them again" in warning
    kept, failed, measured = measure_missing(GatedPipeline(), "http://x", [HTML])
    assert measured and failed == () and cache.cached_thresholds(INFO) == kept


@pytest.mark.parametrize("document", [
    {"browser": "webkit", "product": "WebKitGTK MiniBrowser", "version": "2.48.0",
     "thresholds": []},
    {"browser": "webkit", "product": "WebKitGTK MiniBrowser", "version": "2.50.6",
     "thresholds": [{"content_type": "text/html", "bytes": "many"}]},
    ["not", "a", "thresholds", "file"],
])
def test_a_foreign_cache_file_is_a_warning_not_a_traceback(caplog, document):
    path = cache.cache_path(INFO)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(document))
    with caplog.at_level(logging.WARNING):
        assert cache.cached_thresholds(INFO) == ()
    assert len(caplog.messages) == 1 and "\n" not in caplog.messages[0]


@pytest.mark.parametrize("row, problem", [
    # JSON's true is no count of bytes, though Python's bool is an int.
    ({"content_type": "text/html", "nosniff": False, "bytes": True, "visible_chars": 1,
      "probes": 3}, "thresholds[0].bytes must be a valid integer, got True"),
    ({"content_type": "text/html", "nosniff": False, "bytes": 1, "probes": 3},
     "thresholds[0].visible_chars is missing"),
    ({"content_type": "text/html", "nosniff": False, "bytes": 1, "visible_chars": 1,
      "probes": 3, "seconds": 2}, "thresholds[0]: unknown key(s) seconds"),
])
def test_a_cache_row_of_the_wrong_shape_is_named_in_the_warning(caplog, row, problem):
    path = cache.cache_path(INFO)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"browser": INFO.name, "product": INFO.product,
                                "version": INFO.version, "thresholds": [row]}))
    with caplog.at_level(logging.WARNING):
        assert cache.cached_thresholds(INFO) == ()
    [warning] = caplog.messages
    assert f"is not a streamscope thresholds file ({problem})" in warning


def test_saving_keeps_the_rows_of_other_content_types():
    cache.save_thresholds(INFO, (Threshold("text/html", False, 527, 204, 23),))
    cache.save_thresholds(INFO, (Threshold("text/plain", True, 0, 0, 2),
                                 Threshold("text/html", False, 511, 200, 20)))
    assert {(t.content_type, t.bytes) for t in cache.cached_thresholds(INFO)} == {
        ("text/html", 511), ("text/plain", 0)}


def test_two_runs_measuring_one_gate_at_once_measure_it_once_and_both_get_it():
    # Two lanes, two CI jobs on one machine, pytest -n: the second waits for the first's lock,
    # then reads what it kept.
    pipelines = [GatedPipeline(), GatedPipeline()]
    results: list[tuple] = []
    threads = [threading.Thread(target=lambda p=p: results.append(
        measure_missing(p, "http://x", [HTML, PLAIN_NOSNIFF]))) for p in pipelines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(measured for _, _, measured in results) == [False, True]
    assert results[0][0] == results[1][0] and len(results[0][0]) == 2
    assert sorted(bool(p.urls) for p in pipelines) == [False, True]
    assert json.loads(cache.cache_path(INFO).read_text())["version"] == "2.50.6"


def _held_page(**kwargs):
    """A WebKit page held to its end by the byte gate, its paint too: no thresholds kept."""
    rec = recording(HELD_TO_THE_END, committed=5010, wire_times=EVERY_500_MS,
                    paint=[(5050, 1.0)], **kwargs)
    return replace(rec, engine=INFO)


@pytest.fixture
def started(monkeypatch):
    """The engines first_need starts for a measurement."""
    engines: list[GatedEngine] = []

    def create(config, window):
        engines.append(GatedEngine(config, window))
        return engines[-1]

    monkeypatch.setattr(first_need, "create_engine", create)
    monkeypatch.setattr(first_need, "Pipeline",
                        lambda engine, config, clock, turn: GatedPipeline(engine, config, clock,
                                                                          turn=turn))
    return engines


def test_the_probes_of_a_first_need_stream_in_turn_with_the_lanes_pages(started, monkeypatch):
    # Lanes that take turns to stream: a probe streams alone, as their pages do.
    turns: list[object] = []

    def pipeline(engine, config, clock, turn):
        turns.append(turn)
        return GatedPipeline(engine, config, clock, turn=turn)

    def lanes_turn() -> AbstractContextManager[None]:
        return nullcontext()

    monkeypatch.setattr(first_need, "Pipeline", pipeline)
    first_need.measure_on_first_need(GatedPipeline(turn=lanes_turn), _held_page())
    assert turns == [lanes_turn]


def test_a_held_page_gets_its_gates_measured_on_first_need_and_carries_the_numbers(started):
    lines: list[str] = []
    headed = GatedPipeline(GatedEngine(Config().engine("webkit", headed=True)))
    rec = first_need.measure_on_first_need(headed, _held_page(), lines.append)
    assert lines[0] == ("measuring WebKitGTK MiniBrowser 2.50.6's text/html gates, once per "
                        "engine build …")
    verdict = judge(rec)
    assert first_need.missing(verdict) == ()
    threshold = rec.threshold_for("text/html", False)
    assert f"fewer than the {threshold.bytes:,} this engine needs" in verdict.diagnosis.why
    assert f"at least {threshold.visible_chars:,} visible characters" in verdict.fix
    assert set(verdict.diagnosis.remedies) == {Remedy.LEADING_BYTES, Remedy.LEADING_TEXT}
    # Measured in an engine of its own, with a window, ended with the measurement.
    assert len(started) == 1 and started[0].window and started[0].stopped == 1
    assert not started[0].config.headed
    assert cache.cached_thresholds(INFO) == rec.thresholds


def test_a_later_run_of_the_engine_build_measures_nothing(started):
    first_need.measure_on_first_need(GatedPipeline(), _held_page())
    lines: list[str] = []
    rec = first_need.measure_on_first_need(GatedPipeline(), _held_page(), lines.append)
    assert lines == [] and len(started) == 1
    assert rec.threshold_for("text/html", False) is not None


def test_two_lanes_that_need_one_gate_at_once_start_one_engine_for_it(started):
    recordings = [_held_page(), _held_page()]
    threads = [threading.Thread(target=first_need.measure_on_first_need,
                                args=(GatedPipeline(), rec)) for rec in recordings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(started) == 1
    assert recordings[0].thresholds == recordings[1].thresholds != ()


def test_no_measure_keeps_the_run_as_it_was_and_the_reason_says_why(started):
    pipeline = GatedPipeline(config=Config().measuring_thresholds(False))
    rec = first_need.measure_on_first_need(pipeline, _held_page())
    assert started == [] and rec.thresholds == ()
    verdict = judge(rec)
    assert "(how many this engine needs: not measured: measuring is off (--no-measure" in (
        verdict.diagnosis.why)
    assert "run `" not in verdict.diagnosis.why + verdict.fix


def test_a_measurement_that_fails_says_why_in_the_reason_and_is_not_tried_again(
        started, monkeypatch):
    def broken(config, window):
        started.append(GatedEngine(config, window))
        raise EngineError("webkit could not start: no display")

    monkeypatch.setattr(first_need, "create_engine", broken)
    rec = first_need.measure_on_first_need(GatedPipeline(), _held_page())
    assert "(how many this engine needs: could not be measured: webkit could not start" in (
        judge(rec).diagnosis.why)
    first_need.measure_on_first_need(GatedPipeline(), _held_page())
    assert len(started) == 1


def test_a_page_that_streamed_measures_nothing(started):
    rec = replace(recording([(10, 0, 0), (50, 40, 1), (5000, 80, 2)],
                            wire_times=EVERY_500_MS, paint=[(60, 0.5), (5010, 1.0)]),
                  engine=INFO)
    assert first_need.measure_on_first_need(GatedPipeline(), rec) is rec
    assert started == [] and rec.thresholds == ()


def test_every_case_is_one_the_probe_serves():
    assert {Case.of(c.media_type + "; charset=utf-8", c.nosniff) for c in CASES} == set(CASES)
    assert Case.of("application/xhtml+xml", False) is None
