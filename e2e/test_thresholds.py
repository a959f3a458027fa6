"""A threshold measurement in a real engine that survives a case whose probes fail, and a held
page whose thresholds are measured on its first need."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from streamscope.judge.verdict import judge
from streamscope.prove.thresholds.measure import PROBE_ATTEMPTS, Case, measure
from streamscope.record.pipeline import Pipeline
from streamscope.record.threshold_cache import cached_thresholds


@contextmanager
def failing_nosniff(demo_url: str) -> Iterator[str]:
    """A server that sends every probe on to the demo server's, except text/plain + nosniff,
    whose connection it closes unanswered: that case's every probe fails."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            asked.append(self.path)
            if "nosniff=1" in self.path:
                self.close_connection = True
                return
            self.send_response(307)
            self.send_header("Location", demo_url + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_case_whose_probes_fail_is_kept_with_its_error_and_the_others_are_measured(
        browser_engine, streamscope_config, server_url):
    pipeline = Pipeline(browser_engine, streamscope_config.with_timeout(10))
    try:
        with failing_nosniff(server_url) as base:
            thresholds, failed = measure(pipeline, base,
                                         cases=[Case("plain", True), Case("html", False)])
    finally:
        pipeline.close()
    assert [(t.content_type, t.nosniff) for t in thresholds] == [("text/html", False)]
    assert thresholds[0].bytes is not None
    [error] = failed
    assert (error.content_type, error.nosniff) == ("text/plain", True)
    assert error.error.endswith(f"({PROBE_ATTEMPTS} attempts)"), error.error


# A page each engine's gates hold: WebKit's byte gate and first-paint gate hold the write-up's
# page, Chromium's sniffer text/plain; Firefox shows both as they come.
HELD = {"webkit": ("/hello-world", "text/html"),
        "chromium": ("/probe?count=8&delay=0.3&item_bytes=40&content_type=plain", "text/plain"),
        "firefox": ("/hello-world", "text/html")}


def test_a_held_page_is_measured_on_first_need_and_its_fix_carries_the_numbers(
        record, fix_replay, server_url, browser_name, tmp_path, monkeypatch):
    monkeypatch.setenv("STREAMSCOPE_CACHE", str(tmp_path / "empty"))  # a fresh machine's
    path, content_type = HELD[browser_name]
    recording = record(server_url + path)
    verdict = judge(recording)
    if browser_name == "firefox":
        assert verdict.incremental and recording.thresholds == (), verdict.reason
        return
    threshold = recording.threshold_for(content_type, False)
    assert threshold is not None and cached_thresholds(recording.engine) == (threshold,)
    assert verdict.diagnosis.evidence["threshold_bytes"] == threshold.bytes
    assert "run `" not in verdict.reason + verdict.fix
    replay = fix_replay(recording)
    assert replay is not None and replay.verified, replay.summary if replay else None
