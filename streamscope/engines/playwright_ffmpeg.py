"""Links the system ffmpeg where Playwright looks for its own.

Playwright records Chromium video with an ffmpeg it downloads next to its browsers; where
nothing can be downloaded, Debian's ffmpeg serves as well. Run by ./setup.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import playwright


def playwright_ffmpeg_path() -> Path:
    """Where this Playwright release expects ffmpeg (revision from its browsers.json)."""
    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    revision = next(
        b["revision"] for b in json.loads(browsers.read_text())["browsers"] if b["name"] == "ffmpeg"
    )
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    return Path(root) / f"ffmpeg-{revision}" / "ffmpeg-linux"


def main() -> int:
    target = playwright_ffmpeg_path()
    if target.exists():
        return 0
    system = shutil.which("ffmpeg")
    if system is None:
        print("setup: no ffmpeg on PATH to link for Playwright", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(system)
    print(f"setup: linked {system} as {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
