"""What an engine is launched with: the shared part, and each engine's own settings.

Each engine's settings are a frozen dataclass here, whose defaults are this machine's system
browser; playwright.config.toml's `[engines.<name>]` overrides them, and config.py reads that
file. They live here, not in the engines' modules, so that reading the config imports neither
Playwright nor Selenium (as Selenium keeps a browser's options.py apart from its webdriver.py).
A value is checked against its annotation as the table is read (`section`, through
validation.py) and by its class's own __post_init__, so a typo in the file is a one-line error
naming the table and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from streamscope.validation import from_table

T = TypeVar("T")


@dataclass(frozen=True)
class Viewport:
    width: int = 1280
    height: int = 720


@dataclass(frozen=True)
class EngineConfig:
    name: str
    settings: Any  # the engine's own settings dataclass, e.g. ChromiumSettings
    headed: bool = False
    viewport: Viewport = Viewport()
    # Accept a certificate no browser trusts (self-signed, mkcert, an expired one): pages of a
    # dev server or a staging site.
    ignore_https_errors: bool = False


def remote_url(value: str, name: str, schemes: tuple[str, ...]) -> None:
    """Checks a remote endpoint setting: empty (run on this machine) or a URL of `schemes`."""
    parts = urlsplit(value)
    if value and (parts.scheme not in schemes or not parts.netloc):
        raise ValueError(f"{name} must be a {' or '.join(s + '://' for s in schemes)} URL, "
                         f"got {value!r}")


def x_display(value: str, name: str) -> None:
    """Checks an X display setting: empty, or like ":99" or "host:99.0"."""
    if value and not re.fullmatch(r"[\w.-]*:\d+(\.\d+)?", value):
        raise ValueError(f"{name} must be an X display such as :99, got {value!r}")


class RemoteBrowser:
    """What the settings of an engine that can run elsewhere say of where it runs."""

    remote_display: str  # a field of each subclass (a dataclass); a plain base adds none

    @property
    def remote_endpoint(self) -> str:
        """Where the browser runs when not on this machine; "" where it runs here."""
        raise NotImplementedError

    @property
    def remote_screen(self) -> str:
        """The remote display that is filmed, where the browser runs remotely; else ""."""
        return self.remote_display if self.remote_endpoint else ""


@dataclass(frozen=True)
class PlaywrightSettings(RemoteBrowser):
    """What every engine Playwright drives takes besides its own browser's settings."""

    # A Playwright server (`playwright run-server`) to run the browser on, instead of launching
    # it here: ws://host:port/. Empty: launch it on this machine.
    connect: str = ""
    # The X display, reachable from this machine, that the server's browsers show on (the
    # server's DISPLAY): where the page can be filmed. Empty: the remote screen is not filmed.
    remote_display: str = ""

    def __post_init__(self) -> None:
        remote_url(self.connect, "connect", ("ws", "wss"))
        x_display(self.remote_display, "remote_display")

    @property
    def remote_endpoint(self) -> str:
        return self.connect

    def concurrent_sessions(self) -> int | None:
        """How many of these browsers may run at once: no limit (a server launches one for each
        connection)."""
        return None


@dataclass(frozen=True)
class ChromiumSettings(PlaywrightSettings):
    system_executable: str = "/usr/bin/chromium"
    # Without these, Chromium keeps calling Google's services, which a closed network refuses
    # many times a second.
    args: tuple[str, ...] = ("--disable-background-networking", "--disable-component-update",
                             "--disable-sync", "--no-first-run", "--disable-quic")


@dataclass(frozen=True)
class FirefoxSettings(PlaywrightSettings):
    system_executable: str = "/usr/bin/firefox-esr"
    # Stock Firefox has no Juggler protocol; Playwright drives it over WebDriver BiDi.
    system_channel: str = "moz-firefox"
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebKitSettings(RemoteBrowser):
    # WebKitGTK, used where `playwright install` has not put Playwright's WebKit here.
    system_browser: str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
    system_driver: str = "/usr/bin/WebKitWebDriver"
    args: tuple[str, ...] = ()
    # A remote WebDriver endpoint that runs WebKitGTK sessions (a WebKitWebDriver elsewhere,
    # or a Selenium Grid relaying to one): http://host:port. Empty: WebKitWebDriver here.
    webdriver_url: str = ""
    # How many sessions webdriver_url takes at once: a WebKitWebDriver one, a Grid as many as
    # its relay's slots. `streamscope run --jobs` opens no more than this.
    webdriver_sessions: int = 1
    # The X display, reachable from this machine, that the remote MiniBrowser shows on: where
    # the page can be filmed. Empty: the remote screen is not filmed.
    remote_display: str = ""

    def __post_init__(self) -> None:
        remote_url(self.webdriver_url, "webdriver_url", ("http", "https"))
        x_display(self.remote_display, "remote_display")
        if self.webdriver_sessions < 1:
            raise ValueError(
                f"webdriver_sessions must be 1 or more, got {self.webdriver_sessions}")

    @property
    def remote_endpoint(self) -> str:
        return self.webdriver_url

    def concurrent_sessions(self) -> int | None:
        """How many of these browsers may run at once (None: no limit): what the endpoint takes."""
        return self.webdriver_sessions if self.webdriver_url else None


def section(cls: type[T], data: dict[str, Any], where: str) -> T:
    """`cls` from a table of the config file, once every key is known and every value of its
    annotated type; ValueError, one line that starts with `where`, for any other."""
    try:
        return from_table(cls, data, unknown="setting")
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
