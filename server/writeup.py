"""The write-up's endpoints: three streams, and the same comment list sent at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from flask import (
    Blueprint,
    Response,
    current_app,
    request,
    stream_template,
    stream_with_context,
)
from markupsafe import escape

from .pacing import pause_for
from .params import TextParam, check_known

bp = Blueprint("writeup", __name__)

# The write-up buffers its template stream five comments at a time.
COMMENTS_PER_CHUNK = 5
# A greeting's name, shown back on the page: a name, not a document.
NAME = TextParam("name", 100, "/stream?name=World")


def comment_item(number: int) -> str:
    return f"<li>Comment {number}</li>\n"


Part = TypeVar("Part")


def paced(parts: Iterable[Part]) -> Iterator[Part]:
    """`parts` one by one, STREAM_DELAY_S apart. The delay and the pause are taken from the
    request now: the parts are sent after the view has returned."""
    delay = current_app.config["STREAM_DELAY_S"]
    pause = pause_for(request.environ)

    def generate() -> Iterator[Part]:
        for index, part in enumerate(parts):
            if index:
                pause(delay)
            yield part

    return generate()


@bp.get("/hello-world")
def hello_world() -> Response:
    check_known(request.args, ())
    count = current_app.config["STREAM_COUNT"]
    return Response(paced(comment_item(number) for number in range(1, count + 1)))


@bp.get("/hello-world-with-template")
def hello_world_with_template() -> Response:
    check_known(request.args, ())
    count = current_app.config["TEMPLATE_COMMENT_COUNT"]
    numbers = range(1, count + 1)
    chunks = (numbers[start:start + COMMENTS_PER_CHUNK]
              for start in range(0, count, COMMENTS_PER_CHUNK))
    # stream_template yields each template output as it is rendered, and the template renders
    # a whole chunk of comments as one output: one network chunk per five comments.
    return Response(stream_template(
        "comment_list.html",
        chunks=paced([f"Comment {n}" for n in chunk] for chunk in chunks),
    ))


@bp.get("/stream")
def stream() -> Response:
    # Checked here, before the response starts: once the generator runs, the status is sent.
    check_known(request.args, (NAME,))
    NAME.parse(request.args)
    delay = current_app.config["STREAM_DELAY_S"]
    pause = pause_for(request.environ)

    def generate() -> Iterator[str]:
        yield "Hello "
        pause(delay)
        yield escape(request.args["name"])
        pause(delay)
        yield "!"

    # The view returns before the generator runs; stream_with_context keeps `request` alive.
    return Response(stream_with_context(generate()))


@bp.get("/sync")
def sync() -> Response:
    check_known(request.args, ())
    count = current_app.config["STREAM_COUNT"]
    return Response("".join(comment_item(number) for number in range(1, count + 1)))
