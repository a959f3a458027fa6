"""/probe's parameters: every bound and default is defined here once, for parsing and the index."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from werkzeug.datastructures import MultiDict

from .params import BadParameter, ChoiceParam, FlagParam, FloatParam, IntParam, check_known

MIB = 1024**2
GIB = 1024**3
# 4 GiB leaves room for the experiments' 1 GiB response while refusing a typo that asks for a
# terabyte (count and item_bytes at their bounds).
MAX_TOTAL_BYTES = 4 * GIB
TOTAL_BOUND = f"count * item_bytes + prefix must be at most {MAX_TOTAL_BYTES} bytes (4 GiB)"


class ContentType(StrEnum):
    HTML = "html"
    PLAIN = "plain"


class Gzip(StrEnum):
    OFF = "off"
    FLUSH = "flush"
    BUFFER = "buffer"


COUNT = IntParam("count", 0, 1_000_000, 10, "items", "how many items to send")
DELAY = FloatParam("delay", 0.0, 60.0, 0.5, "seconds", "pause between items; none after the last")
PREFIX = IntParam(
    "prefix",
    0,
    MIB,
    0,
    "bytes",
    "invisible bytes before the first item: an HTML comment (spaces when under 7 bytes), "
    "or blank spaces ending in a newline for plain",
)
ITEM_BYTES = IntParam(
    "item_bytes",
    16,
    MIB,
    64,
    "bytes",
    "size of each item, markup and newline included, padded with visible text",
)
CONTENT_TYPE = ChoiceParam(
    "content_type",
    ContentType,
    ContentType.HTML,
    "html: <li> items as text/html; plain: one line per item as text/plain; charset=utf-8",
)
NOSNIFF = FlagParam("nosniff", False, "1 adds X-Content-Type-Options: nosniff")
GZIP = ChoiceParam(
    "gzip",
    Gzip,
    Gzip.OFF,
    "flush: gzip with a sync flush after every item, so it still streams; "
    "buffer: gzip letting zlib hold data, as a compressing middleware does; "
    "both send Content-Encoding: gzip to a client that accepts it, as middleware does",
)
PARAMETERS = (COUNT, DELAY, PREFIX, ITEM_BYTES, CONTENT_TYPE, NOSNIFF, GZIP)


@dataclass(frozen=True)
class ProbeParams:
    count: int = COUNT.default
    delay: float = DELAY.default
    prefix: int = PREFIX.default
    item_bytes: int = ITEM_BYTES.default
    content_type: ContentType = CONTENT_TYPE.default
    nosniff: bool = NOSNIFF.default
    gzip: Gzip = GZIP.default

    @property
    def total_bytes(self) -> int:
        """The body's size before any compression."""
        return self.prefix + self.count * self.item_bytes


def parse(args: MultiDict[str, str]) -> ProbeParams:
    """The probe's parameters from a query string; BadParameter says which one is wrong."""
    check_known(args, PARAMETERS)
    params = ProbeParams(
        count=COUNT.parse(args),
        delay=DELAY.parse(args),
        prefix=PREFIX.parse(args),
        item_bytes=ITEM_BYTES.parse(args),
        content_type=CONTENT_TYPE.parse(args),
        nosniff=NOSNIFF.parse(args),
        gzip=GZIP.parse(args),
    )
    if params.total_bytes > MAX_TOTAL_BYTES:
        raise BadParameter(f"{TOTAL_BOUND}, got {params.total_bytes}")
    return params
