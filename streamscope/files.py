"""Writing result files whole: a reader, or a run stopped half-way, never sees half a file."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


def write_json_atomically(path: Path, document: Any) -> None:
    """Replaces `path` at once, never leaving it empty or half written: written beside it
    first, under another name, then renamed over it (an interrupted run stops either side)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Per process and thread: lanes of one run, or two runs, may write the same file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_text(json.dumps(document, indent=2))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
