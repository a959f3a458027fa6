"""WebKitGTK's engine when a new session cannot start: no browser, the launch fails for real."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from streamscope.config import load_config
from streamscope.engines import EngineError
from streamscope.engines.webkitgtk import WebKitGTKEngine


def test_every_page_after_a_failed_session_restart_says_why_it_failed(tmp_path: Path) -> None:
    # A busy page wedged the session, and MiniBrowser is gone by the time a new one starts.
    path = tmp_path / "playwright.config.toml"
    path.write_text('[engines.webkit]\nsystem_browser = "/nonexistent/MiniBrowser"\n')
    engine = WebKitGTKEngine(load_config(path).engine("webkit"))
    engine._driver = SimpleNamespace()  # type: ignore[assignment]  # the session that wedged
    engine._page = SimpleNamespace(wedged=True)  # type: ignore[assignment]
    for _ in range(2):  # the page that met the failure, and every one after it
        with pytest.raises(EngineError, match="/nonexistent/MiniBrowser is missing"):
            engine.new_page()
    engine.stop()
