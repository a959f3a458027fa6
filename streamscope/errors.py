"""Errors as users read them: one line each."""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """An exception as one line: automation libraries put call logs under their message."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
