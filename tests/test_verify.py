"""A fix replay's JSON: what --json writes of it, and reading that back."""

from streamscope.verify import FixReplay, ReplayVerdict


def test_a_fix_replay_round_trips_through_its_json_fields() -> None:
    replay = FixReplay(True, {"leading_bytes": 591}, ReplayVerdict(False, "held"),
                       ReplayVerdict(True, "shown"), "verified: with 591 leading invisible bytes")
    data = replay.to_dict()
    assert data == {
        "applied": {"leading_bytes": 591},
        "unchanged": {"incremental": False, "reason": "held"},
        "fixed": {"incremental": True, "reason": "shown"},
        "summary": "verified: with 591 leading invisible bytes",
    }
    assert FixReplay.from_dict(True, data) == replay


def test_a_replay_not_tried_is_null() -> None:
    replay = FixReplay(False, {"nosniff": 1}, None, None, "not verified: no body")
    assert replay.to_dict()["unchanged"] is None and replay.to_dict()["fixed"] is None
    assert FixReplay.from_dict(False, replay.to_dict()) == replay
