"""/: what each endpoint shows, and /probe's parameters with their bounds and defaults."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .loading import DELAY, SHAPES
from .params import check_known
from .probe_params import MIB, PARAMETERS, TOTAL_BOUND

bp = Blueprint("index", __name__)

# Label and query string of each example /probe link.
EXAMPLES: tuple[tuple[str, dict[str, str | int]], ...] = (
    (
        "five short text/plain lines: small enough for an engine to wait while it sniffs the type",
        {"content_type": "plain", "count": 5},
    ),
    (
        "the same with X-Content-Type-Options: nosniff",
        {"content_type": "plain", "count": 5, "nosniff": 1},
    ),
    ("a 600-byte comment before the first item", {"prefix": 600}),
    ("gzip flushed after every item: still a stream", {"gzip": "flush"}),
    ("gzip as a compressing middleware does it: zlib holds the data", {"gzip": "buffer"}),
    ("1 GiB at once, no delay: heavy", {"count": 1024, "item_bytes": MIB, "delay": 0}),
)


@bp.get("/")
def index() -> str:
    check_known(request.args, ())
    return render_template(
        "index.html", parameters=PARAMETERS, total_bound=TOTAL_BOUND, examples=EXAMPLES,
        loading_shapes=SHAPES, loading_delay=DELAY,
    )
