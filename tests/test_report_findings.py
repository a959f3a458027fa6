"""The report's headline, worded from verdicts alone."""

from __future__ import annotations

import pytest

from streamscope.judge.causes import Cause, Diagnosis
from streamscope.judge.verdict import Verdict
from streamscope.recording import EngineInfo, Recording
from streamscope.report.findings import Outcome, clauses, outcome, scores, sentence
from streamscope.report.palette import engine_styles
from streamscope.run.runs import Run
from streamscope.wording import milliseconds, seconds

LABELS = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKit"}


def _run(engine: str, *, incremental: bool = False, first: float | None = 5012.0,
         end: float | None = 5010.0, painted: bool | None = None,
         error: str | None = None, status: int | None = 200) -> Run:
    info = EngineInfo(engine, engine, engine, "1", "test")
    recording = Recording(url="http://h/a", engine=info, dom_error_ms=5.0,
                          error=error, status=status)
    verdict = Verdict(incremental=incremental if painted is None else painted,
                      verdict_from="dom" if painted is None else "paint", reason="r",
                      dom_incremental=incremental, dom_reason="r", first_content_ms=first,
                      response_end_ms=end, growth_steps=10 if incremental else 1,
                      dom_diagnosis=Diagnosis(Cause.STREAMED, "", ""),
                      painted_incrementally=painted)
    return Run(recording, verdict)


def _progressive(engine: str) -> Run:
    return _run(engine, incremental=True, first=20.0, painted=True)


@pytest.mark.parametrize(("run", "expected"), [
    (_progressive("chromium"), Outcome.PROGRESSIVE),
    (_run("chromium", incremental=True, first=20.0), Outcome.PROGRESSIVE),  # paint not recorded
    (_run("webkit", incremental=True, first=20.0, painted=False), Outcome.UNPAINTED),
    (_run("webkit"), Outcome.AT_END),
    (_run("firefox", first=1500.0, painted=False), Outcome.AT_END),  # painted only at the end
    (_run("webkit", first=None), Outcome.EMPTY),
    (_run("webkit", error="did not start"), Outcome.FAILED),
])
def test_outcome(run: Run, expected: Outcome) -> None:
    assert outcome(run) is expected


def test_engines_that_did_the_same_share_a_clause_and_the_best_comes_first() -> None:
    parts = clauses("/hello-world", [_run("webkit"), _progressive("chromium"),
                                     _progressive("firefox")], LABELS)
    assert [p.engines for p in parts] == [("chromium", "firefox"), ("webkit",)]
    assert [p.progressive for p in parts] == [True, False]
    assert sentence(parts) == ("Chromium and Firefox render /hello-world progressively; "
                               "WebKit shows nothing until the response ends (5.0 s).")
    assert parts[0].url == "/hello-world" and parts[1].url is None


def test_a_phrase_without_room_for_the_url_leads_with_it() -> None:
    runs = [_run(name, first=10.0 + i, end=9.0 + i) for i, name in enumerate(LABELS)]
    assert sentence(clauses("/sync", runs, LABELS)) == (
        "On /sync, Chromium, Firefox and WebKit show nothing until the response ends (9–11 ms).")


def test_an_error_page_says_its_status_after_the_url() -> None:
    runs = [_run("chromium", incremental=True, first=20.0, status=404), _run("webkit", status=404)]
    assert sentence(clauses("/missing", runs, LABELS)) == (
        "Chromium renders /missing (HTTP 404) progressively; "
        "WebKit shows nothing until the response ends (5.0 s).")
    runs = [_run(name, first=10.0, end=9.0, status=500) for name in LABELS]
    assert sentence(clauses("/boom", runs, LABELS)).startswith("On /boom (HTTP 500), Chromium")


def test_the_other_outcomes_read_as_plain_words() -> None:
    runs = [_run("chromium", incremental=True, first=20.0, painted=False),
            _run("firefox", first=1500.0), _run("webkit", error="no driver")]
    assert sentence(clauses("/a", runs, LABELS)) == (
        "Chromium builds /a as it arrives but does not paint it progressively; "
        "Firefox shows nothing until the response ends (5.0 s); WebKit could not record it.")


def test_scores_count_progressive_urls_per_engine() -> None:
    runs = [_progressive("chromium"), _run("webkit"), _progressive("chromium")]
    assert [(s.engine, s.progressive, s.total) for s in scores(runs)] == [
        ("chromium", 2, 2), ("webkit", 0, 1)]


def test_each_engine_keeps_one_style_and_unknown_engines_get_their_own() -> None:
    styles = engine_styles(["webkit", "servo", "chromium", "ladybird", "webkit"])
    assert list(styles) == ["webkit", "servo", "chromium", "ladybird"]
    assert styles["webkit"].label == "WebKit" and styles["servo"].label == "Servo"
    assert len({s.color for s in styles.values()}) == 4
    assert len({s.marker for s in styles.values()}) == 4


def test_times_read_the_same_everywhere() -> None:
    assert milliseconds(5005.4) == "5,005 ms"
    assert milliseconds(None) == "—"
    assert seconds(40) == "40 ms" and seconds(5010) == "5.0 s"
