"""Untyped data (a TOML table, a JSON file) -> one of our dataclasses, checked against its
annotations by pydantic, or a ValueError of one line saying what is wrong.

Values are checked strictly and as JSON types: a number where the field says float, an array
where it says tuple, never a string that looks like either, nor a bool for a number; a key the
dataclass does not declare is refused. TOML's values are JSON's (and dates, which no setting
takes), so a TOML table is checked as the JSON it would be. A dataclass's own checks
(__post_init__) run as it is built, and their ValueError is the message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

T = TypeVar("T")

# How much of a wrong value an error shows: enough to recognise it on one line.
SHOWN_CHARS = 80

_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def from_json(cls: type[T], text: str | bytes, *, unknown: str = "key") -> T:
    """`cls` from a JSON document; ValueError naming the first problem and where it is, or
    the keys that `cls` does not declare (`unknown`: what such a key is called)."""
    # Imported here, not with this module: pydantic takes 60 ms or more to import, which
    # `streamscope --help` and a report from saved runs would pay for nothing.
    from pydantic import ValidationError

    try:
        return _adapter(cls).validate_json(text, strict=True, extra="forbid")
    except ValidationError as exc:
        raise ValueError(_problem(exc, unknown)) from None


def from_table(cls: type[T], table: dict[str, Any], *, unknown: str = "key") -> T:
    """`cls` from a TOML table (or anything else JSON can say), checked as from_json checks."""
    from pydantic_core import to_json

    # inf and nan stay numbers (JSON's Infinity, NaN), as TOML has them; a date becomes the
    # string it reads as.
    return from_json(cls, to_json(table), unknown=unknown)


def _adapter(cls: type[T]) -> TypeAdapter[T]:
    """The class's adapter, built once: building one reads all its annotations."""
    from pydantic import TypeAdapter

    if cls not in _ADAPTERS:
        _ADAPTERS[cls] = TypeAdapter(cls)
    adapter: TypeAdapter[T] = _ADAPTERS[cls]
    return adapter


def _problem(exc: ValidationError, unknown: str) -> str:
    errors = exc.errors(include_url=False)
    extra = [e["loc"] for e in errors if e["type"] == "unexpected_keyword_argument"]
    if extra:
        at = _path(extra[0][:-1])
        keys = sorted(str(loc[-1]) for loc in extra if loc[:-1] == extra[0][:-1])
        return f"{at + ': ' if at else ''}unknown {unknown}(s) {', '.join(keys)}"
    first = errors[0]
    if first["type"] == "json_invalid":  # "Invalid JSON: EOF while parsing ... column 9"
        return str(first["msg"])
    if first["type"] == "value_error":  # the dataclass's own check, in __post_init__
        return str(first["ctx"]["error"])
    where = _path(first["loc"]) or "the document"
    if first["type"] == "missing":
        return f"{where} is missing"
    # "Input should be a valid number" -> "timeout_s must be a valid number, got 'x'"
    should = first["msg"].replace("Input should be", "must be", 1)
    return f"{where} {should}, got {_shown(first['input'])}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def _path(loc: tuple[int | str, ...]) -> str:
    """A location as it reads in the file: args[0], thresholds[2].bytes."""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return text.lstrip(".")
