"""The report folder: every file the page shows lives inside it, linked by a relative path.

That keeps the folder self-contained, so it can be zipped as a CI artifact and opened anywhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

from slugify import slugify

SLUG_LENGTH = 60


class ReportFolder:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._slugs: set[str] = set()

    def href(self, path: Path) -> str:
        """The URL of `path` (inside the folder) relative to index.html."""
        relative = path.resolve().relative_to(self.root)
        return quote(relative.as_posix())

    def path(self, relative: str) -> Path:
        """A path inside the folder, its parent created."""
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def adopt(self, source: Path, relative: str) -> str | None:
        """The href of `source`, copied to `relative` unless already inside the folder.

        None when `source` does not exist, so the page can say so instead of showing
        a broken image or player.
        """
        source = Path(source)
        if not source.is_file():
            return None
        if source.resolve().is_relative_to(self.root):
            return self.href(source)
        target = self.path(relative + source.suffix.lower())
        shutil.copyfile(source, target)
        return self.href(target)

    def slug(self, url: str) -> str:
        """A file-name-safe name for `url`, unique in this report: "/s?name=W" -> "s-name-w".

        Letters beyond ASCII are spelled in ASCII ("/café" -> "cafe", where it was "caf"), and
        a name cut at SLUG_LENGTH ends in no dash; every other name is as it was. A URL is
        no HTML: "&amp;" in one is three letters, not an entity."""
        parts = urlsplit(url)
        readable = parts.path + ("-" + parts.query if parts.query else "")
        base = slugify(readable, max_length=SLUG_LENGTH, entities=False, decimal=False,
                       hexadecimal=False) or "root"
        name, number = base, 1
        while name in self._slugs:
            number += 1
            name = f"{base}-{number}"
        self._slugs.add(name)
        return name
