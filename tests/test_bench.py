"""The benchmarks' pure helpers: percentiles, item arrival times, /proc fields, the targets,
the side-by-side's commands, the soak's growth and leaks."""

import importlib
import json
from pathlib import Path

import pytest

from bench import repro_timeline, side_by_side, soak_figures
from bench.browsers import ClockCheck, EngineFigures
from bench.figures import results
from bench.jobs_levels import LevelFigures
from bench.observer_profile import callback_samples
from bench.observer_variants import observer
from bench.soak_figures import Snapshot
from bench.stats import item_arrivals, item_lags, paired_change, percentile, status_kib
from streamscope.record import page_scripts
from streamscope.recording import DomSample


def test_percentile_interpolates_between_ranks_as_numpy_does() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 95) == pytest.approx(3.85)
    assert percentile(values, 100) == 4.0
    assert percentile([7.0], 95) == 7.0


@pytest.mark.parametrize("values, q", [([], 50), ([1.0], 101)])
def test_percentile_refuses_what_it_cannot_answer(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


def test_an_item_arrives_with_the_first_sample_that_holds_it() -> None:
    samples = [DomSample(5, 0, 0), DomSample(10, 30, 1), DomSample(30, 90, 3), DomSample(40, 99, 3)]
    assert item_arrivals(samples, 3) == [10, 30, 30]


def test_an_item_that_never_arrives_has_no_lag() -> None:
    with pytest.raises(ValueError, match="only 1 of 2 items"):
        item_arrivals([DomSample(10, 30, 1)], 2)


def test_lag_is_the_recorders_wall_time_minus_the_servers_flush() -> None:
    samples = [DomSample(100.0, 10, 1), DomSample(300.0, 20, 2)]
    assert item_lags([1_000_098.0, 1_000_295.0], samples, 1_000_000.0) == [2.0, 5.0]


def test_status_fields_are_read_in_kib() -> None:
    status = "Name:\tpython\nVmHWM:\t  20480 kB\nVmRSS:\t   10240 kB\n"
    assert status_kib(status, "VmRSS") == 10240
    assert status_kib(status, "VmHWM") == 20480
    assert status_kib(status, "VmSwap") is None


def test_targets_are_judged_per_engine_and_for_the_server() -> None:
    fast = EngineFigures("chromium", lags_ms=[1.0, 2.0, 3.0], overhead_ratio=1.1,
                         clock=ClockCheck(0.1, 0.5, 0.1))
    slow = EngineFigures("firefox", lags_ms=[16.0, 17.0, 18.0], overhead_ratio=1.3,
                         clock=ClockCheck(-0.4, 0.7, 1.0))
    data = results({}, [fast, slow], streamed_mib=1.0, buffered_mib=1025.0)
    assert data["met"] == {
        "lag_p95_ms": {"chromium": True, "firefox": False},
        "overhead_ratio": {"chromium": True, "firefox": False},
        "stream_rss_growth_mib": True,
    }
    assert data["lag_ms"]["firefox"]["p50"] == 17.0


def test_the_big_page_is_judged_per_engine_and_says_what_the_browser_alone_takes() -> None:
    from bench.big_page import BigPageFigures

    fast = EngineFigures("chromium", lags_ms=[1.0], overhead_ratio=1.1,
                         clock=ClockCheck(0.1, 0.5, 0.1),
                         big_page=BigPageFigures(1.0, 1.2, 1.4, 50.0, 1000.0))
    slow = EngineFigures("webkit", lags_ms=[1.0], overhead_ratio=1.1,
                         clock=ClockCheck(0.1, 0.5, 0.1),
                         big_page=BigPageFigures(1.0, 70.0, 72.0, 300.0, 70_000.0, runs=1))
    busy = EngineFigures("firefox", lags_ms=[1.0], overhead_ratio=1.1,
                         clock=ClockCheck(0.1, 0.5, 0.1),
                         big_page=BigPageFigures(0.5, 2.0, 2.6, 300.0, 1500.0))
    data = results({}, [fast, slow, busy], streamed_mib=None, buffered_mib=None)
    assert data["met"]["big_page_ratio"] == {"chromium": True, "webkit": False, "firefox": False}
    assert data["met"]["big_page_over_alone"] == {"chromium": True, "webkit": True,
                                                  "firefox": False}
    assert data["met"]["big_page_observer_share"] == {"chromium": True, "webkit": True,
                                                      "firefox": False}
    assert data["big_page"]["chromium"]["observer_share"] == 0.05
    assert data["big_page"]["webkit"]["recorder_over_browser_alone"] == 1.03
def test_a_jobs_level_counts_verdicts_against_the_serial_run_and_judges_one_frame() -> None:
    serial = LevelFigures(1, lags_ms={"webkit": [1.0, 2.0]},
                          incremental={"webkit": [True, True]}, wall_s=20.0, rounds=2)
    busy = LevelFigures(4, taking_turns=True, lags_ms={"webkit": [10.0, 30.0]},
                        incremental={"webkit": [True, False]}, errors=["webkit: lost"],
                        paint_errors_ms={"webkit": [5.0, 40.0]}, load_1m=[2.0, 4.0], rounds=2)
    levels = [serial.summary(serial), busy.summary(serial)]
    assert levels[1]["engines"]["webkit"]["verdicts_as_serial"] == 1
    assert levels[1]["errors"] == ["webkit: lost"]
    assert (levels[0]["wall_s"], levels[1]["load_1m"]) == (10.0, 3.0)  # per round, mean
    assert levels[1]["engines"]["webkit"]["paint_error_max_ms"] == 40.0
    assert levels[0]["engines"]["webkit"]["paint_error_max_ms"] is None  # not filmed
    data = results({}, [], None, None, levels)
    assert data["met"]["lanes_lag_p95_within_one_frame"] == {"1": {"webkit": True},
                                                             "4t": {"webkit": False}}


def test_the_side_by_side_loads_one_page_as_several_urls_in_chromium_with_a_report() -> None:
    command = side_by_side.streamscope_command("http://h/p?a=1", 3, Path("/r"))
    assert command[-12:] == ["run", "http://h/p?a=1#1", "http://h/p?a=1#2", "http://h/p?a=1#3",
                             "--browser", "chromium", "--report", "/r", "--json",
                             "/r/runs.json", "--jobs", "1"]
    at_once = side_by_side.streamscope_command("http://h/p?a=1", 3, Path("/r"), jobs=3)
    assert at_once[-2:] == ["--jobs", "3"]


def test_the_side_by_side_reads_the_paint_error_bound_each_run_stated(tmp_path: Path) -> None:
    runs = [{"timeline": {"paint": {"error_ms": error}}} for error in (4.5, 5.25)]
    (tmp_path / "runs.json").write_text(json.dumps({"machine": {}, "runs": runs}))
    assert side_by_side.paint_errors(tmp_path) == [4.5, 5.25]


def test_browsertime_loads_the_page_with_video_and_visual_metrics_on_its_own_display() -> None:
    command = side_by_side.browsertime_command("bt", "http://h/p", 3, "/usr/bin/chromium",
                                               "/usr/bin/chromedriver", 201, Path("/out"))
    assert command[:3] == ["bt", "-n", "3"] and command[-1] == "http://h/p"
    for flag, value in (("--chrome.binaryPath", "/usr/bin/chromium"),
                        ("--xvfbParams.display", "201"), ("--resultDir", "/out")):
        assert command[command.index(flag) + 1] == value
    assert {"--video", "--visualMetrics", "--xvfb"} <= set(command)
    assert command[command.index("--videoParams.framerate") + 1] == "30"


def test_the_ratio_is_of_the_medians() -> None:
    assert side_by_side.ratio([10.0, 30.0, 12.0], [60.0, 66.0, 90.0]) == 5.5


def _snapshot(recordings: int, wall_s: float, rss_mib: float, **held: int) -> Snapshot:
    counts = {"fds": 7, "processes": 1, "files": 0, "displays": 0, "threads": 1} | held
    return Snapshot(recordings, wall_s, rss_mib, load_1m=1.0, **counts)


def test_the_soak_compares_its_last_window_with_its_first_and_its_end_with_its_start() -> None:
    start = _snapshot(0, 0.0, 90.0)
    warm = _snapshot(24, 48.0, 95.0)
    windows = [soak_figures.window(warm, first := _snapshot(72, 144.0, 130.0), [100.0, 99.0]),
               soak_figures.window(first, _snapshot(120, 249.6, 112.0, fds=9, displays=1),
                                   [150.0, 110.0, 112.0])]
    assert windows[0].wall_per_recording_s == 2.0 and (windows[1].first, windows[1].last) == (
        73, 120)
    result = soak_figures.figures(windows, start, jobs=2, verdicts_stable=True)
    assert result.rss_growth_pct == 12.0 and result.wall_ratio == 1.1  # of the medians
    assert result.leaked == {"processes": 0, "fds": 2, "files": 0, "displays": 1}
    assert result.misses() == ["2 fds left behind", "1 displays left behind",
                               "RSS grew 12.0 % (target: within 10 %)"]


def test_a_soaked_verdict_unlike_the_first_passs_is_found_where_it_is() -> None:
    first = {("404", "webkit"): (False, "no_recording", False),
             ("streamed", "webkit"): (True, "streamed", True)}
    soaked = [(("streamed", "webkit"), (True, "streamed", True)),
              (("404", "webkit"), (False, "below_byte_threshold", True)),
              (("redirect", "webkit"), (True, "streamed", True))]
    assert soak_figures.changed_verdicts(first, soaked) == [1, 2]


def test_every_step_the_repro_timeline_times_is_where_it_names() -> None:
    # A module moved or a function renamed must fail here, not in the middle of a timing.
    for module, path in repro_timeline.STEPS:
        owner = importlib.import_module(module)
        for attribute in path.split("."):
            owner = getattr(owner, attribute)
        assert callable(owner)


def test_an_observer_variant_stands_in_for_observer_js_only_while_inside() -> None:
    committed, poll = page_scripts.OBSERVER, page_scripts.POLL
    with pytest.raises(RuntimeError), observer("/* variant */"):
        assert page_scripts.OBSERVER == "/* variant */"
        assert "/* variant */" in page_scripts.POLL and committed not in page_scripts.POLL
        raise RuntimeError("a recording failed")
    assert (page_scripts.OBSERVER, page_scripts.POLL) == (committed, poll)


def _thread(process_type: str, stacks: list[list[str]]) -> dict[str, object]:
    """A thread of a Gecko profile, one sample per stack (root first); rows as Gecko writes
    them, with a JS frame's tier and without the trailing nulls of a label's."""
    strings: list[str] = ["ion"]
    frames: list[list[object]] = []
    table: list[list[object]] = []
    samples: list[list[object]] = []
    for names in stacks:
        prefix: int | None = None
        for name in names:
            strings.append(name)
            frames.append([len(strings) - 1, False, 0, 0] if " (" in name
                          else [len(strings) - 1])
            table.append([prefix, len(frames) - 1])
            prefix = len(table) - 1
        samples.append([prefix, 0.0])
    return {
        "processType": process_type, "stringTable": strings,
        "frameTable": {"schema": {"location": 0, "relevantForJS": 1, "innerWindowID": 2,
                                  "implementation": 3}, "data": frames},
        "stackTable": {"schema": {"prefix": 0, "frame": 1}, "data": table},
        "samples": {"schema": {"stack": 0, "time": 1}, "data": samples},
    }


def test_a_profile_tells_what_the_pages_observer_callbacks_were_doing() -> None:
    page = _thread("tab", [
        ["(root)", "MutationCallback", "onRecords (http://x/:1:1)[3]", "get Node.textContent",
         "0x7f00"],
        ["(root)", "MutationCallback", "onRecords (http://x/:1:1)[3]", "textOf (http://x/:9:1)[3]"],
        ["(root)", "MutationCallback", "0x7f01"],
        ["(root)", "nsHtml5TreeOpExecutor::RunFlushLoop", "get Node.textContent"],
    ])
    browser = _thread("default", [["(root)", "MutationCallback", "get Node.textContent"]])
    profile = {"threads": [browser], "processes": [{"threads": [page]}]}
    assert callback_samples(profile) == {
        "get Node.textContent": 1, "textOf() [ion]": 1,
        "(native code without symbols, under the callback)": 1,
    }


def test_a_paired_change_is_the_median_of_each_rounds_difference() -> None:
    # The medians say the variant is 5 ms more (115 against 120); round by round it was
    # 10 ms less in 3 rounds of 4.
    assert paired_change([100, 120, 140, 110], [90, 110, 130, 150]) == (-10.0, 3)


def test_a_paired_change_needs_as_many_rounds_on_each_side() -> None:
    with pytest.raises(ValueError, match="as many rounds"):
        paired_change([100, 120], [90])
    with pytest.raises(ValueError, match="as many rounds"):
        paired_change([], [])
