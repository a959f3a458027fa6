import json

from streamscope.recording import Recording
from streamscope.run.runs import Run
from tests.timelines import recording, streamed


def test_a_recording_survives_a_json_round_trip(tmp_path):
    original = recording(streamed(), paint=[(60, 0.5), (5010, 1.0)], wire_times=[1, 501])
    original.methods["dom"] = "test"
    path = tmp_path / "r.json"
    original.save(path)
    again = Recording.from_json(path.read_text())
    assert again == original
    assert again.first_content_ms == 20


def test_a_run_serialises_with_its_verdict_up_front():
    run = Run.of(recording(streamed()))
    data = json.loads(json.dumps(run.to_dict()))
    assert {"url", "browser", "incremental", "first_content_ms", "response_end_ms",
            "timeline"} <= set(data)
    assert data["incremental"] is True
    assert Run.from_dict(data) == run


def test_a_recording_saved_before_frames_said_what_they_showed_is_judged_as_then():
    """Older JSON has frames with a visual progress only: what was on its way to the final
    picture stands in for content, so their verdicts stand."""
    original = recording(streamed(), paint=[(60, 0.005), (700, 0.3), (5010, 1.0)])
    data = original.to_dict()
    for frame in data["paint"]["frames"]:
        del frame["content"], frame["kept"]
    again = Recording.from_dict(data)
    assert [(f.content, f.kept) for f in again.paint.frames] == [(0.0, 1.0), (0.3, 1.0),
                                                                 (1.0, 1.0)]
    assert Run.of(again).verdict.first_paint_ms == 700
