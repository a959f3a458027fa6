"""`streamscope install-deps`: the Debian packages the configured engines lack, as one command.

Playwright's `install-deps` is the model: the system parts its browsers need, installed with
sudo where the user is not root. Ours are Debian's own browsers, driver, Xvfb and ffmpeg
(engines/needs.py), so only Debian is known; elsewhere the error lists what is needed.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Sequence
from pathlib import Path

from streamscope.engines.readiness import Readiness

OS_RELEASE = Path("/etc/os-release")
# Ubuntu is Debian-like, but ships Chromium as a snap and no firefox-esr: its names differ.
KNOWN = ("debian",)


class InstallError(RuntimeError):
    """The packages cannot be installed here: the message says what is needed, in one line."""


def packages_to_install(results: Sequence[Readiness]) -> list[str]:
    """The packages that put each missing part in place, once each, in the engines' order;
    a part that a setting moved off its package's path is not one of them."""
    wanted = [check.package for result in results for check in result.problems
              if check.package and not check.setting]
    return list(dict.fromkeys(wanted))


def misplaced(results: Sequence[Readiness]) -> list[str]:
    """What no package fixes: parts that a setting names at a path where nothing is."""
    return [f"{result.engine} {check}" for result in results for check in result.problems
            if check.setting or not check.package]


def distribution(os_release: Path = OS_RELEASE) -> tuple[str, str]:
    """This machine's distribution: its ID and its pretty name ("" where it does not say)."""
    try:
        lines = os_release.read_text().splitlines()
    except OSError:
        return "", "an unknown system"
    fields = dict(line.split("=", 1) for line in lines if "=" in line)
    return fields.get("ID", "").strip('"'), fields.get("PRETTY_NAME", "").strip('"')


def install_command(packages: Sequence[str], results: Sequence[Readiness],
                    os_release: Path = OS_RELEASE) -> list[str]:
    """The one command that installs `packages`; sudo where this user is not root."""
    ident, pretty = distribution(os_release)
    if ident not in KNOWN:
        needed = "; ".join(f"{result.engine} {check}" for result in results
                           for check in result.problems)
        raise InstallError(f"install-deps knows Debian's packages, and this is "
                           f"{pretty or ident or 'an unknown system'}: install what is "
                           f"missing yourself: {needed}")
    script = ("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
              + shlex.join(packages))
    if os.geteuid() == 0:
        return ["sh", "-c", script]
    if shutil.which("sudo") is None:
        raise InstallError(f"installing needs root, and there is no sudo: as root, run "
                           f"sh -c {shlex.quote(script)}")
    return ["sudo", "sh", "-c", script]
