"""Query parameters with documented bounds: each parses its raw text or says why not, in one line.

Each parameter object is the single place its bound is decided: the same object parses the
query string, writes the 400 message and fills the index page's table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from werkzeug.datastructures import MultiDict

# A raw value is quoted in messages; past this many characters it is cut, so a 64 KiB value
# still gives a one-line message of readable length.
_SHOWN_CHARS = 40


class BadParameter(ValueError):
    """A query parameter the server refuses; its message is the whole one-line 400 body."""


class Param(Protocol):
    """What the index page shows of a parameter."""

    @property
    def name(self) -> str: ...

    @property
    def bound(self) -> str: ...

    @property
    def default_text(self) -> str: ...

    @property
    def help(self) -> str: ...


def shown(raw: str) -> str:
    """The raw value as a message quotes it: repr() keeps it on one line, long ones are cut."""
    if len(raw) > _SHOWN_CHARS:
        return repr(raw[:_SHOWN_CHARS]) + f"... ({len(raw)} characters)"
    return repr(raw)


def single(args: MultiDict[str, str], name: str) -> str | None:
    """The parameter's one raw value, or None when absent; given twice is ambiguous, so refused."""
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(f"{name} is given {len(values)} times; give it once")
    return values[0] if values else None


def check_known(args: MultiDict[str, str], params: Iterable[Param]) -> None:
    """Refuses names no parameter claims: a typo would otherwise silently mean the default."""
    known = [param.name for param in params]
    unknown = sorted(set(args) - set(known))
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        names = ", ".join(shown(name) for name in unknown)
        raise BadParameter(f"unknown parameter{plural} {names} (known: {', '.join(known)})")


@dataclass(frozen=True)
class IntParam:
    name: str
    low: int
    high: int
    default: int
    unit: str
    help: str

    @property
    def bound(self) -> str:
        return f"an integer from {self.low} to {self.high} ({self.unit})"

    @property
    def default_text(self) -> str:
        return str(self.default)

    def parse(self, args: MultiDict[str, str]) -> int:
        raw = single(args, self.name)
        if raw is None:
            return self.default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not self.low <= value <= self.high:
            raise BadParameter(f"{self.name} must be {self.bound}, got {shown(raw)}")
        return value


@dataclass(frozen=True)
class FloatParam:
    name: str
    low: float
    high: float
    default: float
    unit: str
    help: str

    @property
    def bound(self) -> str:
        return f"a number from {self.low:g} to {self.high:g} ({self.unit})"

    @property
    def default_text(self) -> str:
        return f"{self.default:g}"

    def parse(self, args: MultiDict[str, str]) -> float:
        raw = single(args, self.name)
        if raw is None:
            return self.default
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        # nan fails both comparisons, so this one test refuses nan, inf and out-of-bound values.
        if not self.low <= value <= self.high:
            raise BadParameter(f"{self.name} must be {self.bound}, got {shown(raw)}")
        return value


Choice = TypeVar("Choice", bound=StrEnum)


@dataclass(frozen=True)
class ChoiceParam(Generic[Choice]):
    name: str
    choices: type[Choice]
    default: Choice
    help: str

    @property
    def bound(self) -> str:
        return "one of " + ", ".join(choice.value for choice in self.choices)

    @property
    def default_text(self) -> str:
        return self.default.value

    def parse(self, args: MultiDict[str, str]) -> Choice:
        raw = single(args, self.name)
        if raw is None:
            return self.default
        try:
            return self.choices(raw)
        except ValueError:
            raise BadParameter(f"{self.name} must be {self.bound}, got {shown(raw)}") from None


@dataclass(frozen=True)
class FlagParam:
    name: str
    default: bool
    help: str

    bound = "0 or 1"

    @property
    def default_text(self) -> str:
        return "1" if self.default else "0"

    def parse(self, args: MultiDict[str, str]) -> bool:
        raw = single(args, self.name)
        if raw is None:
            return self.default
        if raw not in ("0", "1"):
            raise BadParameter(f"{self.name} must be {self.bound}, got {shown(raw)}")
        return raw == "1"
