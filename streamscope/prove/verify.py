"""A fix, proved: the recorded response replayed from loopback, first as it was, then fixed.

For a run that was not rendered progressively and whose cause has a fix the harness can
apply (causes.Remedy), the same engine loads a replay of the bytes the wire recorded, with
their recorded timing. The unchanged replay must reproduce the verdict (else the replay is
not the real thing, and the run says so); the fixed one must render progressively. The
user's server is never asked again: the wire capture's one fetch is all a replay uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from streamscope.judge.causes import Remedy
from streamscope.judge.verdict import Verdict, judge
from streamscope.prove.fixed_chunk import Applied
from streamscope.prove.replay import replay_server, replayed
from streamscope.record.pipeline import Pipeline
from streamscope.recording import Recording

_REMEDY_WORDS = {
    Remedy.LEADING_BYTES: "{n:,} invisible bytes",
    Remedy.LEADING_TEXT: "{n:,} visible characters",
    Remedy.NOSNIFF: "X-Content-Type-Options: nosniff",
    Remedy.UNCOMPRESSED: "the body uncompressed",
}


class ReplayVerdict(NamedTuple):
    """What judge() said of one replay."""

    incremental: bool
    reason: str


@dataclass(frozen=True)
class FixReplay:
    verified: bool
    applied: dict[str, Applied]  # remedy -> its amount, and where the replay put it
    unchanged: ReplayVerdict | None
    fixed: ReplayVerdict | None
    summary: str  # "verified: with ... webkit rendered progressively in the replay"

    @classmethod
    def from_dict(cls, verified: bool, data: dict[str, Any]) -> FixReplay:
        def verdict(part: dict[str, Any] | None) -> ReplayVerdict | None:
            return None if part is None else ReplayVerdict(**part)

        applied = {name: Applied.from_dict(part) for name, part in data["applied"].items()}
        return cls(verified, applied, verdict(data["unchanged"]),
                   verdict(data["fixed"]), data["summary"])

    def change(self) -> list[str]:
        """The change each remedy made to the first chunk, as diff lines a user can repeat in
        their template: where, then the excerpt before (-) and after (+)."""
        lines = []
        for name, part in self.applied.items():
            if part.before:
                lines += [f"{name}, {part.where}:", f"- {part.before}", f"+ {part.after}"]
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "applied": {name: part.to_dict() for name, part in self.applied.items()},
            "unchanged": None if self.unchanged is None else self.unchanged._asdict(),
            "fixed": None if self.fixed is None else self.fixed._asdict(),
            "summary": self.summary,
        }


def verify_fix(pipeline: Pipeline, recording: Recording, verdict: Verdict,
               videos: Path | None, prefix: str = "") -> FixReplay | None:
    """Replays a held run with its fix applied; None where no replay applies (a run that
    rendered progressively, or a cause with no fix the harness can apply). The replays are
    filmed into `videos`, their names beginning with `prefix`: the recording's own, where
    lanes of one engine replay into one folder at once."""
    remedies = verdict.diagnosis.remedies
    if verdict.incremental or not remedies:
        return None
    applied = {str(remedy): Applied(amount) for remedy, amount in remedies.items()}
    wire = recording.wire
    if wire is None or not wire.body:
        return FixReplay(False, applied, None, None,
                         "not verified: the wire capture kept no body to replay")
    paint = recording.paint is not None
    engine = pipeline.engine.name

    def replay(changes: dict[Remedy, int], name: str) -> ReplayVerdict:
        response = replayed(wire, changes, recording.wire_identity)
        applied.update((str(remedy), part) for remedy, part in response.applied.items())
        video = (videos / f"{prefix}replay-{name}-{engine}.webm"
                 if paint and videos is not None else None)
        with replay_server(response) as url:
            replayed_verdict = judge(pipeline.record(url, video=video, wire=False))
        if video is not None:
            pipeline.discard_video(video)
        return ReplayVerdict(replayed_verdict.incremental, replayed_verdict.reason)

    unchanged = replay({}, "unchanged")
    if unchanged.incremental:
        return FixReplay(False, applied, unchanged, None, (
            f"not verified: the unchanged replay rendered progressively in {engine}, so the "
            f"replay does not reproduce what the real server's response did"))
    fixed = replay(dict(remedies), "fixed")
    what = " and ".join(_REMEDY_WORDS[r].format(n=n) + _placed(applied[str(r)])
                        for r, n in remedies.items())
    if fixed.incremental:
        summary = f"verified: with {what}, {engine} rendered progressively in the replay"
    else:
        summary = f"not verified: with {what}, {engine} still did not: {fixed.reason}"
    return FixReplay(fixed.incremental, applied, unchanged, fixed, summary)


def _placed(part: Applied) -> str:
    """Where a remedy in the body went, for the summary; a header's place goes without saying."""
    return f" ({part.where})" if part.before else ""
