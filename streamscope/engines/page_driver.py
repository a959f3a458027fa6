"""What the recorder asks of a page, whatever automation library drives it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class NavigationResponse:
    status: int
    content_type: str
    url: str = ""  # the response's own URL: after redirects, the last one


class ScriptTimeout(TimeoutError):
    """A script did not answer within its time: the page's main thread is busy (a script that
    runs for seconds), so nothing can run in the page until it is done."""


class PageDriver(Protocol):
    """The few page operations the recorder needs, whatever automation library runs them."""

    def add_init_script(self, script: str) -> bool:
        """Run `script` in every new document before its first byte is parsed.

        Returns False where the engine cannot; the recorder then injects it as soon as the
        document exists and states the error bound that costs.
        """

    def navigate(self, url: str, timeout_s: float) -> NavigationResponse | None:
        """Start loading `url`; return once the navigation has started or committed.

        Returns the response's status and type where the library reports them.
        """

    def evaluate(self, body: str, timeout_s: float | None = None) -> Any:
        """Run a JavaScript function body (it may `return` a JSON value) in the page.

        With `timeout_s`, raise ScriptTimeout once that has passed without an answer; the
        automation libraries' own calls wait for as long as the page's main thread is busy.
        """

    def evaluate_async(self, body: str) -> Any:
        """Like evaluate, for a body that returns a Promise; returns what it resolves to."""

    def screenshot(self, path: Path) -> None: ...

    def close(self) -> None: ...
