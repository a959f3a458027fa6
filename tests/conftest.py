"""Fixtures for the fast tests: the demo app without the write-up's pacing."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": True, "STREAM_DELAY_S": 0})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
