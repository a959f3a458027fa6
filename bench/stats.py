"""Pure arithmetic for the benchmarks: percentiles, when each item reached the DOM, /proc fields."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from streamscope.recording import DomSample


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 to 100), linear between ranks (numpy's default method)."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be from 0 to 100, got {q}")
    return float(np.percentile(values, q))


def paired_change(before: Sequence[float], after: Sequence[float]) -> tuple[float, int]:
    """Round by round, `after` minus `before`: the median change, and in how many rounds
    `after` was less. Rounds that take turns share a busy minute out, so their differences
    are steadier than a difference of medians."""
    if not before or len(before) != len(after):
        raise ValueError(f"paired figures need as many rounds on each side, got "
                         f"{len(before)} and {len(after)}")
    changes = [b - a for a, b in zip(before, after, strict=True)]
    return float(np.median(changes)), sum(change < 0 for change in changes)


def item_arrivals(samples: Sequence[DomSample], count: int) -> list[float]:
    """For k = 1..count, the page time at which the body first held k elements.

    Each streamed item is one element, so the k-th item was parsed when the count reached k.
    Raises ValueError when an item never appeared: its lag cannot be measured.
    """
    arrivals: list[float] = []
    for sample in samples:
        while len(arrivals) < min(sample.elements, count):
            arrivals.append(sample.t_ms)
    if len(arrivals) < count:
        raise ValueError(f"only {len(arrivals)} of {count} items reached the DOM")
    return arrivals


def item_lags(flush_wall_ms: Sequence[float], samples: Sequence[DomSample],
              time_origin_epoch_ms: float) -> list[float]:
    """For each item, the recorder's wall time for it minus the server's flush of it (ms)."""
    arrivals = item_arrivals(samples, len(flush_wall_ms))
    return [time_origin_epoch_ms + t - flushed
            for t, flushed in zip(arrivals, flush_wall_ms, strict=True)]


def status_kib(status: str, name: str) -> int | None:
    """A field of /proc/PID/status or smaps_rollup in KiB ("VmRSS:   1234 kB"), None if absent."""
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return int(value.split()[0])
    return None
