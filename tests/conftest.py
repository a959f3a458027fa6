"""Fixtures for the fast tests: the demo app without the write-up's pacing, and
`python -m server` run as a user runs it."""

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from streamscope.demo_server import create_app
from tests.live_servers import ServerProcess


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": True, "STREAM_DELAY_S": 0})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """werkzeug's log, captured from INFO up: a line per request, and any error."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    return caplog


@pytest.fixture
def python_m_server() -> Iterator[ServerProcess]:
    """`python -m server` on a free port; a test stops it (.stop()) to see how it ended."""
    server = ServerProcess()
    try:
        yield server
    finally:
        server.end()
