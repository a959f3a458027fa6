"""What an engine needs on this machine, declared as data, and each need checked here.

Every engine declares its parts (`Part`: a file named by one of its settings, and the Debian
package that puts it there); every engine that draws on a screen needs the shared ones too:
Xvfb with the DAMAGE and MIT-SHM extensions (the paint capture asks X what was drawn and
grabs it over shared memory), and ffmpeg (the screen video). `streamscope doctor`,
`streamscope install-deps` and the pytest plugin all read these checks, so what is checked
and what is installed are one list.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from Xlib import display as xdisplay
from Xlib.error import DisplayError

from streamscope.engines.display import Display
from streamscope.engines.settings import EngineConfig

VERSION_TIMEOUT_S = 10.0  # a browser's --version; Chromium's wrapper script reads its config
EXTENSIONS = ("DAMAGE", "MIT-SHM")


@dataclass(frozen=True)
class Part:
    """A file an engine runs, at the path one of its settings names."""

    role: str  # "browser" or "driver"
    setting: str  # the engine setting that holds its path, e.g. "system_executable"
    package: str  # the Debian package that puts it at the setting's default path
    version_flag: bool = True  # whether `FILE --version` prints its version


@dataclass(frozen=True)
class Check:
    """One need, as found on this machine."""

    need: str  # what it is, e.g. "browser", "display"
    found: str  # what is there, e.g. "/usr/bin/chromium (Chromium 156.0)"; "" where nothing
    problem: str = ""  # why it cannot be used; "" where it can
    package: str = ""  # the Debian package that puts it in place
    setting: str = ""  # where the path is not the package's: the setting to correct

    @property
    def ok(self) -> bool:
        return not self.problem

    def __str__(self) -> str:
        return f"{self.need} {self.problem}" if self.problem else f"{self.need} {self.found}"


def _owner_version(path: str) -> str:
    """The version of the Debian package that installed `path` ("" where dpkg cannot say)."""
    if shutil.which("dpkg-query") is None:
        return ""
    owner = subprocess.run(["dpkg-query", "-S", os.path.realpath(path)], capture_output=True,
                           text=True, check=False).stdout.partition(":")[0]
    if not owner:
        return ""
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", owner],
                             capture_output=True, text=True, check=False).stdout
    return f"{owner} {version}".strip()


def _first_line(args: list[str]) -> str:
    try:
        out = subprocess.run(args, capture_output=True, text=True, check=False,
                             timeout=VERSION_TIMEOUT_S, stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return next((line.strip() for line in out.splitlines() if line.strip()), "")


def check_file(part: Part, path: str, default: str) -> Check:
    """The part at `path`, with its version; if missing, what puts it there."""
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        # Where the setting moved it off the package's path, installing cannot help.
        setting = part.setting if path != default else ""
        return Check(part.role, "", f"{path} is missing", part.package, setting)
    version = _first_line([path, "--version"]) if part.version_flag else _owner_version(path)
    return Check(part.role, f"{version} ({path})" if version else path, package=part.package)


def check_ffmpeg() -> Check:
    path = shutil.which("ffmpeg")
    if path is None:
        return Check("ffmpeg", "", "ffmpeg is not on PATH (it films the screen)", "ffmpeg")
    version = _first_line([path, "-version"]).removeprefix("ffmpeg version ").split(" ")[0]
    return Check("ffmpeg", version or path, package="ffmpeg")


def check_display(config: EngineConfig) -> tuple[Check, Check]:
    """The display the engine would open (Xvfb, started for a moment; this machine's own when
    headed and there is one), and the X extensions the paint capture uses on it."""
    host = os.environ.get("DISPLAY", "") if config.headed else ""
    if not host and shutil.which("Xvfb") is None:
        missing = "Xvfb is not on PATH (engines draw on a virtual display)"
        return (Check("display", "", missing, "xvfb"),
                Check("X extensions", "", "not checked: no Xvfb", "xvfb"))
    xvfb = shutil.which("Xvfb") or ""
    found = f"{host} (this machine's)" if host else _owner_version(xvfb) or xvfb
    try:
        screen = Display.open(config)
    except RuntimeError as exc:
        return (Check("display", found, f"Xvfb did not start: {exc}", "xvfb"),
                Check("X extensions", "", "not checked: no display", "xvfb"))
    try:
        client = xdisplay.Display(screen.name)
        try:
            absent = [name for name in EXTENSIONS if not client.query_extension(name)]
        finally:
            client.close()
    except DisplayError as exc:
        return (Check("display", found, f"Xvfb did not answer: {exc}", "xvfb"),
                Check("X extensions", "", "not checked: no display", "xvfb"))
    finally:
        screen.close()
    extensions = Check("X extensions", ", ".join(EXTENSIONS), package="xvfb")
    if absent:
        extensions = Check("X extensions", "", f"Xvfb lacks {', '.join(absent)} (the paint "
                           "capture needs both)", "xvfb")
    return Check("display", found, package="xvfb"), extensions
