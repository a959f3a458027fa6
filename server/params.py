"""Query parameters with documented bounds: each parses its raw text or says why not, in one line.

Each parameter object is the single place its bound is decided: the same object parses the
query string, writes the 400 message and fills the index page's table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Generic, Protocol, TypeVar
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import MultiDict

# A raw value is quoted in messages; past this many characters it is cut, so a 64 KiB value
# still gives a one-line message of readable length.
_SHOWN_CHARS = 40
# Plain ASCII decimals only: int() and float() would also take " 5", "1_000", "٣" (an
# Arabic-Indic three), and float() "1e3", "0x1p-2", "nan" and "infinity".
_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class BadParameter(ValueError):
    """A query parameter the server refuses; its message is the whole one-line 400 body."""


class Named(Protocol):
    """What check_known needs of a parameter."""

    @property
    def name(self) -> str: ...


class Param(Named, Protocol):
    """What the index page shows of a parameter."""

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


def check_text(query_string: bytes) -> None:
    """Refuses a query string whose names or values, once decoded, are not text.

    werkzeug decodes invalid UTF-8 by leaving it percent-encoded, so "%FF" would reach a page
    as the three characters "%FF"; and a control character (NUL, a line break) in a name or a
    value is never meant.
    """
    for part in query_string.split(b"&"):
        for raw in part.split(b"=", 1):
            try:
                text = unquote_to_bytes(raw.replace(b"+", b" ")).decode()
            except UnicodeDecodeError:
                text = None
            if text is None or any(unicodedata.category(char) == "Cc" for char in text):
                quoted = shown(raw.decode("latin-1"))
                raise BadParameter(
                    f"query names and values must be UTF-8 text without control characters, "
                    f"got {quoted}"
                )


def check_known(args: MultiDict[str, str], params: Iterable[Named]) -> None:
    """Refuses names no parameter claims: a typo would otherwise silently mean the default."""
    known = [param.name for param in params]
    unknown = sorted(set(args) - set(known))
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        names = ", ".join(shown(name) for name in unknown)
        takes = f"known: {', '.join(known)}" if known else "this page takes none"
        raise BadParameter(f"unknown parameter{plural} {names} ({takes})")


Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class _RangeParam(Generic[Number]):
    """A number from low to high, `default` when absent. IntParam and FloatParam say how
    they read a raw value and write a number."""

    name: str
    low: Number
    high: Number
    default: Number
    unit: str
    help: str

    kind: ClassVar[str]  # what the bound calls its values: "an integer", "a number"

    @property
    def bound(self) -> str:
        return f"{self.kind} from {self._text(self.low)} to {self._text(self.high)} ({self.unit})"

    @property
    def default_text(self) -> str:
        return self._text(self.default)

    def parse(self, args: MultiDict[str, str]) -> Number:
        raw = single(args, self.name)
        if raw is None:
            return self.default
        value = self._number(raw)
        # nan fails both comparisons, so this one test refuses nan, inf and out-of-bound values.
        if value is None or not self.low <= value <= self.high:
            raise BadParameter(f"{self.name} must be {self.bound}, got {shown(raw)}")
        return value

    def _text(self, value: Number) -> str:
        raise NotImplementedError

    def _number(self, raw: str) -> Number | None:
        """The value `raw` spells, None if it spells none."""
        raise NotImplementedError


@dataclass(frozen=True)
class IntParam(_RangeParam[int]):
    kind = "an integer"

    def _text(self, value: int) -> str:
        return str(value)

    def _number(self, raw: str) -> int | None:
        try:
            return int(raw) if _INTEGER.fullmatch(raw) else None
        except ValueError:  # past Python's 4300-digit limit for int()
            return None


@dataclass(frozen=True)
class FloatParam(_RangeParam[float]):
    kind = "a number"

    def _text(self, value: float) -> str:
        return f"{value:g}"

    def _number(self, raw: str) -> float | None:
        # A decimal too large for a float parses to inf, which the bound refuses.
        return float(raw) if _DECIMAL.fullmatch(raw) else None


@dataclass(frozen=True)
class TextParam:
    """Required text that a page shows back: never empty, never longer than max_chars."""

    name: str
    max_chars: int
    example: str

    @property
    def bound(self) -> str:
        return f"text of 1 to {self.max_chars} characters"

    def parse(self, args: MultiDict[str, str]) -> str:
        raw = single(args, self.name)
        if not raw:
            raise BadParameter(
                f"{self.name} must be a non-empty query parameter, as in {self.example}"
            )
        if len(raw) > self.max_chars:
            raise BadParameter(f"{self.name} must be {self.bound}, got {shown(raw)}")
        return raw


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
