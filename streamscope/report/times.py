"""How the report writes a time: the same number reads the same in every table and label."""

from __future__ import annotations


def milliseconds(value: float | None) -> str:
    """For tables, where the exact number matters: "5,005 ms"; "—" when not measured."""
    return "—" if value is None else f"{value:,.0f} ms"


def seconds(value: float) -> str:
    """For prose and labels, where the scale matters: "40 ms", "5.0 s"."""
    if abs(value) < 1000:
        return f"{value:.0f} ms"
    return f"{value / 1000:.1f} s"
