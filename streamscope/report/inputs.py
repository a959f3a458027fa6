"""What write_report takes: judged recordings, and the files the harness saved beside them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from streamscope.judge.verdict import Verdict
from streamscope.recording import Recording

if TYPE_CHECKING:  # only a type here: the report does not replay anything
    from streamscope.prove.verify import FixReplay


class Judged(Protocol):
    """A recording with its verdict, such as streamscope.run.runs.Run."""

    @property
    def recording(self) -> Recording: ...

    @property
    def verdict(self) -> Verdict: ...

    @property
    def fix_replay(self) -> FixReplay | None:
        """The fix proved by a replay, where one was tried (verify.py)."""


@dataclass(frozen=True)
class Artifacts:
    """Files saved for one recording; any may be missing, and the page then says so.

    `filmstrip` holds screenshots taken at fixed intervals, each with its time in ms from
    navigation start (the recording's clock). Paths may be anywhere: the report copies them
    into its own folder.
    """

    video: Path | None = None
    filmstrip: Sequence[tuple[float, Path]] = ()
    screenshot: Path | None = None  # the page when the recording ended


# A run's artifacts' key: (URL, engine matrix name, take), as in recording.url and
# recording.engine.name; the take counts that URL's runs in that engine, from 0, in the order
# of the runs: a URL given twice has two takes, each with its own files.
ArtifactKey = tuple[str, str, int]
ArtifactMap = Mapping[ArtifactKey, Artifacts]


J = TypeVar("J", bound=Judged)


def by_url(runs: Sequence[J]) -> dict[str, list[J]]:
    """`runs` grouped by URL, each group and the URLs in the order of `runs`."""
    grouped: dict[str, list[J]] = {}
    for run in runs:
        grouped.setdefault(run.recording.url, []).append(run)
    return grouped


def engine_of(run: Judged) -> str:
    """The matrix name (chromium, firefox, webkit) that the report groups and colours by."""
    return run.recording.engine.name


def artifact_keys(runs: Sequence[Judged]) -> list[ArtifactKey]:
    """Each run's key in an ArtifactMap, in the order of `runs`."""
    takes: Counter[tuple[str, str]] = Counter()
    keys = []
    for run in runs:
        pair = (run.recording.url, engine_of(run))
        keys.append((*pair, takes[pair]))
        takes[pair] += 1
    return keys


def video_of(run: Judged, artifacts: Artifacts) -> Path | None:
    """The video the harness passed, else the one the paint timeline says it wrote."""
    if artifacts.video is not None:
        return Path(artifacts.video)
    paint = run.recording.paint
    if paint is not None and paint.video:
        return Path(paint.video)
    return None
