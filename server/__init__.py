"""The demo server: the write-up's streams, /probe and the loading states, built by
create_app()."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from . import index, loading, probe, shapes, writeup
from .params import BadParameter, check_text, shown

DEFAULT_CONFIG: dict[str, Any] = {
    # The write-up's pacing: /hello-world sends one comment, /hello-world-with-template one
    # chunk of five, every STREAM_DELAY_S; /stream pauses that long between its parts.
    "STREAM_DELAY_S": 0.5,
    "STREAM_COUNT": 10,
    "TEMPLATE_COMMENT_COUNT": 20,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The demo app: DEFAULT_CONFIG, then the caller's overrides (tests shorten the delay)."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULT_CONFIG)
    if config:
        app.config.from_mapping(config)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(HTTPException, _http_error)
    app.before_request(_check_query_text)
    app.register_blueprint(index.bp)
    app.register_blueprint(writeup.bp)
    app.register_blueprint(probe.bp)
    app.register_blueprint(loading.bp)
    app.register_blueprint(shapes.bp)
    return app


def _bad_parameter(error: BadParameter) -> Response:
    # Handled, so Flask logs no traceback for bad input; a normal response, so no partial body.
    return Response(f"{error}\n", status=400, mimetype="text/plain")


def _http_error(error: HTTPException) -> WerkzeugResponse:
    # Flask's own reply to an unknown path or method is an HTML page; one line says as much.
    # error's own response keeps its headers, such as a 405's Allow.
    response = error.get_response()
    response.set_data(f"{error.code} {error.name}: {request.method} {shown(request.path)}\n")
    response.mimetype = "text/plain"
    return response


def _check_query_text() -> None:
    check_text(request.query_string)
