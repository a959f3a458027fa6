"""How times and URLs are written for people: the same number reads the same in the console,
the reasons, the assertions and the report."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit


def milliseconds(value: float | None) -> str:
    """Where the exact number matters: "5,005 ms"; "—" when not measured."""
    return "—" if value is None else f"{value:,.0f} ms"


def seconds(value: float) -> str:
    """For prose and labels, where the scale matters: "40 ms", "5.0 s"."""
    if abs(value) < 1000:
        return f"{value:.0f} ms"
    return f"{value / 1000:.1f} s"


def shared_origin(urls: Sequence[str]) -> str | None:
    """The scheme and host every URL shares ("http://127.0.0.1:8800"), so that tables can show
    paths; None when they differ."""
    origins = {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, urls)}
    return origins.pop() if len(origins) == 1 else None
