"""How times and URLs are written for people: the same number reads the same in the console,
the reasons, the assertions and the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlsplit


class _Located(Protocol):
    url: str
    final_url: str | None


def milliseconds(value: float | None) -> str:
    """Where the exact number matters: "5,005 ms"; "—" when not measured."""
    return "—" if value is None else f"{value:,.0f} ms"


def yes_no(value: bool | None, yes: str = "yes", no: str = "no", unknown: str = "—") -> str:
    """A verdict's yes or no, as each face dresses it (a colour, a mark); `unknown` when it
    was not measured."""
    return unknown if value is None else yes if value else no


def visible_chars(count: int) -> str:
    """"8 visible characters", "1 visible character"."""
    return f"{count:,} visible character{'' if count == 1 else 's'}"


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


def where(recording: _Located, origin: str = "") -> str:
    """The URL recorded, and where the document came from where that differs (a redirect, a
    page that navigated itself away): "/redirect → /page"."""
    url = recording.url.removeprefix(origin) or "/"
    final = recording.final_url
    if final is None or final == recording.url:
        return url
    shown = final.removeprefix(origin) if origin else final.removeprefix(_origin(recording.url))
    return f"{url} → {shown or '/'}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
