"""A report's stills cut while the recordings go on (StillsAhead).

Each cut decodes one video (0.01 to 0.03 s of CPU), and each video's final screen is cut
once: it is both the still of the end and what tells the part of the page the filmstrip
shows. A run can have that one cut as soon as each video is written,
and a URL's filmstrips as soon as every run of it is, beside the recordings that follow: a
filmstrip waits for every run of its URL, whose times and part of the page it shares.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from streamscope.paint.video_frames import Region
from streamscope.report import Artifacts
from streamscope.report.inputs import by_url
from streamscope.report.stills import Cutter, Strip, filmed, strips_of
from streamscope.run.runs import Run


class StillsAhead(Cutter):
    """A report's stills, cut while the recordings go on: each video's final screen as soon as
    the video is written, and a URL's filmstrips as soon as every run of it is finished and
    each of their videos written (the strips of a URL share their times and part of the
    page). A run hands `runs_finished` to record_runs and `cut` to its VideoQueue, which calls
    it on its own thread and priority; report_artifacts takes what is cut and cuts the rest.

    A URL's last video is nearly always written after its run is stored (its encoding takes
    0.1 s and more, storing a few ms); where it is not, its strips are cut with the report.
    """

    def __init__(self, stills: Path, runs_per_url: Mapping[str, int] | None = None) -> None:
        """`runs_per_url`: how many runs each URL will have; None: no strip is cut early."""
        self.stills = stills
        self._expected = dict(runs_per_url or {})
        self._finals: dict[str, Path | None] = {}
        self._contents: dict[Path, Region | None] = {}  # each final screen's content box
        self._strips: dict[Strip, Artifacts | None] = {}
        self._runs: dict[str, list[Run]] = {}  # the runs finished so far, by URL
        self._begun: set[str] = set()  # URLs whose strips are cut, or being cut
        self._lock = threading.Lock()

    def runs_finished(self, runs: Sequence[Run]) -> None:
        """Every run finished so far."""
        with self._lock:
            self._runs = by_url(runs)

    def cut(self, video: Path) -> None:
        """`video` is written: its final screen, and the strips of the URL it completes."""
        final = super().final(video, self.stills / video.stem)
        content = super().content(final)
        with self._lock:
            self._finals[str(video)] = final
            if final is not None:
                self._contents[final] = content
            complete = [runs for url, runs in self._runs.items() if self._complete(url, runs)]
            self._begun.update(runs[0].recording.url for runs in complete)
        for runs in complete:  # one at a time: the browsers being recorded need the CPU
            for _, strip in strips_of(runs, self.stills, self):
                cut = super().strip(strip)
                with self._lock:
                    self._strips[strip] = cut

    def final(self, video: Path, folder: Path) -> Path | None:
        """The final screen of `video` in `folder`, cut now unless it was already."""
        with self._lock:
            known = str(video) in self._finals and folder == self.stills / video.stem
            final = self._finals.get(str(video))
        return final if known else super().final(video, folder)

    def content(self, final: Path | None) -> Region | None:
        """Where the final screen `final` shows content, read now unless it was already."""
        with self._lock:
            if final in self._contents:
                return self._contents[final]
        return super().content(final)

    def strip(self, strip: Strip) -> Artifacts | None:
        """The filmstrip `strip` describes, cut now unless it was already."""
        with self._lock:
            if strip in self._strips:
                return self._strips[strip]
        return super().strip(strip)

    def _complete(self, url: str, runs: list[Run]) -> bool:
        """Every run of `url` finished, and every video of them written (under the lock)."""
        videos = [paint.video for run in runs if (paint := filmed(run.recording.paint))]
        return (url not in self._begun and len(runs) == self._expected.get(url)
                and all(video in self._finals for video in videos))
