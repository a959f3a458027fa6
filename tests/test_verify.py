"""A fix replay's JSON: what --json writes of it, and reading that back."""

from streamscope.prove.fixed_chunk import Applied
from streamscope.prove.verify import FixReplay, ReplayVerdict

PADDING = Applied(591, "as a comment right after `<body>`", "<body><h1>Orders</h1>",
                  "<body>⟦<!-- 591 bytes of padding -->⟧<h1>Orders</h1>")


def test_a_fix_replay_round_trips_through_its_json_fields() -> None:
    replay = FixReplay(True, {"leading_bytes": PADDING}, ReplayVerdict(False, "held"),
                       ReplayVerdict(True, "shown"), "verified: with 591 leading invisible bytes")
    data = replay.to_dict()
    assert data == {
        "applied": {"leading_bytes": {
            "amount": 591, "where": "as a comment right after `<body>`",
            "before": "<body><h1>Orders</h1>",
            "after": "<body>⟦<!-- 591 bytes of padding -->⟧<h1>Orders</h1>"}},
        "unchanged": {"incremental": False, "reason": "held"},
        "fixed": {"incremental": True, "reason": "shown"},
        "summary": "verified: with 591 leading invisible bytes",
    }
    assert FixReplay.from_dict(True, data) == replay


def test_a_replay_not_tried_is_null() -> None:
    replay = FixReplay(False, {"nosniff": Applied(0)}, None, None, "not verified: no body")
    assert replay.to_dict()["unchanged"] is None and replay.to_dict()["fixed"] is None
    assert FixReplay.from_dict(False, replay.to_dict()) == replay


def test_a_runs_file_from_before_places_were_kept_still_reads() -> None:
    data = {"applied": {"leading_bytes": 591}, "unchanged": None, "fixed": None,
            "summary": "not verified: no body"}
    assert FixReplay.from_dict(False, data).applied == {"leading_bytes": Applied(591)}


def test_the_change_is_shown_as_diff_lines_for_what_went_into_the_body() -> None:
    replay = FixReplay(True, {"nosniff": Applied(0, "the response's headers"),
                              "leading_bytes": PADDING}, None, None, "verified")
    assert replay.change() == [
        "leading_bytes, as a comment right after `<body>`:",
        "- <body><h1>Orders</h1>",
        "+ <body>⟦<!-- 591 bytes of padding -->⟧<h1>Orders</h1>",
    ]
