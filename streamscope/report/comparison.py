"""What changed between two saved sets of runs, per URL and engine: a baseline for CI.

A verdict or a cause that differs is a change. A time (first content, first paint) is one only
when it moved by more than the two recordings' error bounds added (the DOM's as the verdict
takes it, never under one frame; the paint's largest gap between grabs), so a method's jitter
never reads as a change. A run that rendered progressively and no longer does has regressed.

Runs are matched by URL and engine; when each file's runs all share one origin, by path
instead, so that two `streamscope repro` runs, each on a port of the day, still meet.
Pure functions of runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from streamscope.report.inputs import Judged
from streamscope.wording import milliseconds, shared_origin

Key = tuple[str, str, int]  # URL (or path), engine, occurrence of that pair in its file


@dataclass(frozen=True)
class Change:
    what: str  # "progressive", "DOM", "paint", "cause", "first content", "first paint"
    old: str
    new: str
    note: str = ""  # e.g. how far a time moved, against which bound

    def __str__(self) -> str:
        return f"{self.what} {self.old} → {self.new}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class RunComparison:
    """One URL in one engine, in the old file, the new one, or both."""

    url: str  # as matched: the path when runs are matched by path
    browser: str
    old: Judged | None
    new: Judged | None
    changes: tuple[Change, ...] = ()

    @property
    def regressed(self) -> bool:
        return (self.old is not None and self.new is not None
                and self.old.verdict.incremental and not self.new.verdict.incremental)

    @property
    def status(self) -> str:
        if self.old is None:
            return "new"
        if self.new is None:
            return "gone"
        if self.regressed:
            return "regressed"
        return "changed" if self.changes else "unchanged"


def compare(old: Sequence[Judged], new: Sequence[Judged]) -> list[RunComparison]:
    """Every URL and engine of either file, in the old file's order, then the new ones."""
    by_path = bool(old) and bool(new) and _origin(old) is not None and _origin(new) is not None
    old_runs, new_runs = _keyed(old, by_path), _keyed(new, by_path)
    result = []
    for key in dict.fromkeys([*old_runs, *new_runs]):
        before, after = old_runs.get(key), new_runs.get(key)
        changes = tuple(changes_between(before, after)) if before and after else ()
        result.append(RunComparison(key[0], key[1], before, after, changes))
    return result


def changes_between(old: Judged, new: Judged) -> list[Change]:
    """What differs between two runs of one URL in one engine, times beyond their bounds only."""
    changes = [
        Change(what, _verdict(old, get), _verdict(new, get))
        for what, get in (("progressive", _headline), ("DOM", _dom), ("paint", _paint))
        if _verdict(old, get) != _verdict(new, get)
    ]
    if old.verdict.cause != new.verdict.cause:
        changes.append(Change("cause", old.verdict.cause, new.verdict.cause))
    for what, time, bound in (("first content", _first_content, _dom_bound),
                              ("first paint", _first_paint, _paint_bound)):
        change = _time_change(what, time(old), time(new), bound(old) + bound(new))
        if change is not None:
            changes.append(change)
    return changes


def regressions(comparisons: Sequence[RunComparison]) -> list[RunComparison]:
    return [comparison for comparison in comparisons if comparison.regressed]


def describe(comparisons: Sequence[RunComparison]) -> list[str]:
    """One line per run that is new, gone, regressed or changed, then a count of each."""
    lines = []
    for c in comparisons:
        if c.status == "unchanged":
            continue
        run = c.new or c.old
        assert run is not None  # a comparison holds a run of one file or of both
        if c.old is None or c.new is None:
            side = "NEW" if c.old is None else "OLD"
            detail = f"in {side} only (progressive: {_verdict(run, _headline)})"
        else:
            detail = "; ".join(str(change) for change in c.changes)
        lines.append(f"{c.status.upper()}: {c.browser} {run.recording.url}: {detail}")
    counts: dict[str, int] = {}
    for c in comparisons:
        counts[c.status] = counts.get(c.status, 0) + 1
    order = ("regressed", "changed", "unchanged", "new", "gone")
    lines.append(f"{len(comparisons)} run{'s' if len(comparisons) != 1 else ''}: "
                 + ", ".join(f"{counts[s]} {s}" for s in order if s in counts))
    return lines


def _origin(runs: Sequence[Judged]) -> str | None:
    return shared_origin([run.recording.url for run in runs])


def _keyed(runs: Sequence[Judged], by_path: bool) -> dict[Key, Judged]:
    origin = _origin(runs) if by_path else None
    keyed: dict[Key, Judged] = {}
    for run in runs:
        url = (run.recording.url.removeprefix(origin) or "/") if origin else run.recording.url
        occurrence = 1
        while (url, run.recording.browser, occurrence) in keyed:
            occurrence += 1
        keyed[url, run.recording.browser, occurrence] = run
    return keyed


def _headline(run: Judged) -> bool | None:
    return run.verdict.incremental


def _dom(run: Judged) -> bool | None:
    return run.verdict.dom_incremental


def _paint(run: Judged) -> bool | None:
    return run.verdict.painted_incrementally


def _verdict(run: Judged, get: Callable[[Judged], bool | None]) -> str:
    if run.recording.error is not None:
        return "error"
    value = get(run)
    return "—" if value is None else "yes" if value else "no"


def _first_content(run: Judged) -> float | None:
    return run.verdict.first_content_ms


def _first_paint(run: Judged) -> float | None:
    return run.verdict.first_paint_ms


def _dom_bound(run: Judged) -> float:
    return run.recording.dom_error_bound_ms


def _paint_bound(run: Judged) -> float:
    paint = run.recording.paint
    return paint.error_ms if paint is not None else 0.0


def _time_change(what: str, old: float | None, new: float | None,
                 bound: float) -> Change | None:
    if old is None and new is None:
        return None
    if old is None or new is None:
        return Change(what, milliseconds(old), milliseconds(new))
    if abs(new - old) <= bound:
        return None
    return Change(what, milliseconds(old), milliseconds(new),
                  f"{new - old:+,.0f} ms, beyond ±{bound:,.0f} ms")
