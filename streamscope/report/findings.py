"""The finding in plain words: which engines rendered each URL progressively, and which did not.

Written for a reader who never saw the code: one sentence per URL, engines grouped by what
they did, e.g. "Chromium and Firefox render /hello-world progressively; WebKit shows nothing
until the response ends (5.0 s)." Everything here is derived from the verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from streamscope.report.inputs import Judged, engine_of
from streamscope.wording import seconds


class Outcome(Enum):
    """What a reader would have seen, from best to worst; the value orders clauses."""

    PROGRESSIVE = 0
    UNPAINTED = 1  # the DOM grew as the bytes came, the screen did not
    AT_END = 2
    EMPTY = 3
    FAILED = 4


# Each outcome as a verb phrase, for one engine and for several; {it} is the URL or "it".
_PHRASES: dict[Outcome, tuple[str, str]] = {
    Outcome.PROGRESSIVE: ("renders {it} progressively", "render {it} progressively"),
    Outcome.UNPAINTED: (
        "builds {it} as it arrives but does not paint it progressively",
        "build {it} as it arrives but do not paint it progressively",
    ),
    Outcome.AT_END: (
        "shows nothing until the response ends{when}",
        "show nothing until the response ends{when}",
    ),
    Outcome.EMPTY: ("shows an empty page", "show an empty page"),
    Outcome.FAILED: ("could not record {it}", "could not record {it}"),
}


@dataclass(frozen=True)
class Clause:
    """Engines that did the same thing, e.g. "Chromium and Firefox render /a progressively".

    The URL, when the clause names it, is kept apart (`url`) so the page can mark it up.
    """

    engines: tuple[str, ...]  # matrix names, in report order
    outcome: Outcome
    lead: str
    url: str | None = None
    tail: str = ""

    @property
    def text(self) -> str:
        return self.lead + (self.url or "") + self.tail

    @property
    def progressive(self) -> bool:
        return self.outcome is Outcome.PROGRESSIVE


def outcome(run: Judged) -> Outcome:
    verdict = run.verdict
    if run.recording.error is not None:
        return Outcome.FAILED
    if verdict.incremental:
        return Outcome.PROGRESSIVE
    if verdict.dom_incremental:
        return Outcome.UNPAINTED
    if verdict.first_content_ms is None:
        return Outcome.EMPTY
    return Outcome.AT_END


def clauses(url_label: str, runs: Sequence[Judged],
            labels: Mapping[str, str]) -> list[Clause]:
    """One clause per outcome among `runs` (all of one URL), best outcome first.

    Only the first clause names the URL ("On /sync, ..." when its phrase has no place for it),
    with an error status after it ("/missing (HTTP 404)"); the ones after it say "it", as a
    person would.
    """
    groups: dict[Outcome, list[Judged]] = {}
    for run in runs:
        groups.setdefault(outcome(run), []).append(run)
    status = _error_status(runs)
    result = []
    for index, kind in enumerate(sorted(groups, key=lambda o: o.value)):
        members = groups[kind]
        singular, plural = _PHRASES[kind]
        phrase = singular if len(members) == 1 else plural
        head, has_it, tail = phrase.format(when=_when(kind, members), it="{it}").partition("{it}")
        names = tuple(engine_of(run) for run in members)
        lead = _join([labels.get(name, name) for name in names]) + " " + head
        if index == 0 and has_it:
            result.append(Clause(names, kind, lead, url_label, status + tail))
        elif index == 0:
            result.append(Clause(names, kind, "On ", url_label, status + ", " + lead + tail))
        else:
            result.append(Clause(names, kind, lead + ("it" if has_it else "") + tail))
    return result


def _error_status(runs: Sequence[Judged]) -> str:
    """" (HTTP 404)" where the server answered with an error page; a page is recorded all
    the same, and its reader should know what it was before reading on."""
    codes = sorted({run.recording.status for run in runs
                    if run.recording.status is not None and run.recording.status >= 400})
    return f" (HTTP {', '.join(map(str, codes))})" if codes else ""


def sentence(parts: Sequence[Clause]) -> str:
    """The clauses as one sentence, e.g. for a page title or plain-text output."""
    return "; ".join(part.text for part in parts) + "."


@dataclass(frozen=True)
class Score:
    engine: str
    progressive: int
    total: int


def scores(runs: Sequence[Judged]) -> list[Score]:
    """Per engine, how many of its recordings rendered progressively: the report at a glance."""
    per_engine: dict[str, list[bool]] = {}
    for run in runs:
        progressive = outcome(run) is Outcome.PROGRESSIVE
        per_engine.setdefault(engine_of(run), []).append(progressive)
    return [Score(name, sum(results), len(results)) for name, results in per_engine.items()]


def _when(kind: Outcome, members: Sequence[Judged]) -> str:
    if kind is Outcome.AT_END:
        times = [run.verdict.response_end_ms for run in members]
    else:
        return ""
    known = sorted(t for t in times if t is not None)
    if not known:
        return ""
    low, high = seconds(known[0]), seconds(known[-1])
    if low == high:
        label = low
    elif low.split()[1] == high.split()[1]:
        label = f"{low.split()[0]}–{high}"  # one unit for both ends: "9–11 ms"
    else:
        label = f"{low}–{high}"
    return f" ({label})"


def _join(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
