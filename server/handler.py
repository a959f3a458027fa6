"""The demo server's request handler: size limits on a request's head, and short error replies.

http.server reads a request line of up to 64 KiB and 100 header lines of up to 64 KiB each
(6.4 MiB a connection), and answers what it refuses with an HTML page that quotes the
request line. This handler refuses much earlier, at the limits common servers use, and says
why in one line of text.
"""

from __future__ import annotations

import io
from http import HTTPStatus

from werkzeug.serving import WSGIRequestHandler

# Apache's LimitRequestLine and nginx's large_client_header_buffers: 8 KiB, the CRLF included.
MAX_REQUEST_LINE_BYTES = 8 * 1024
# Each header line, as Apache's LimitRequestFieldSize; all of them, as Node's max header size.
MAX_HEADER_LINE_BYTES = 8 * 1024
MAX_HEADER_BYTES = 16 * 1024
# http.server's messages quote a refused request line: cut to this many characters.
_QUOTED_CHARS = 60


class _HeadersTooLarge(Exception):
    """Raised while the headers are read; not an http.client error, so http.server lets it out
    to RequestHandler.parse_request, which answers 431 with this message."""


class _HeaderReader(io.BufferedIOBase):
    """The connection's input as http.server reads the headers: refuses past the limits."""

    def __init__(self, rfile: io.BufferedIOBase) -> None:
        self._rfile = rfile
        self._left = MAX_HEADER_BYTES

    def readline(self, size: int | None = -1) -> bytes:
        # One byte over a limit is enough to know it is exceeded; the rest is never read.
        cap = min(MAX_HEADER_LINE_BYTES, self._left) + 1
        line = self._rfile.readline(cap if size is None or size < 0 else min(size, cap))
        if len(line) > MAX_HEADER_LINE_BYTES:
            raise _HeadersTooLarge(f"a header line over {MAX_HEADER_LINE_BYTES} bytes")
        self._left -= len(line)
        if self._left < 0:
            raise _HeadersTooLarge(f"headers over {MAX_HEADER_BYTES} bytes in all")
        return line


class RequestHandler(WSGIRequestHandler):
    """Each chunk sent as it is written; a request's head within limits; errors as one line."""

    # werkzeug sends a chunk as three writes (size line, data, CRLF). With Nagle's algorithm
    # the later writes wait for the client's ACK of the first, which a delayed ACK can hold
    # back for 40 ms: the chunk would reach the client later than the server sent it.
    disable_nagle_algorithm = True
    # A line that is not HTTP (a TLS hello sent to the http port) would otherwise be taken for
    # HTTP/0.9 and get its 400 as a bare body, without a status line.
    default_request_version = "HTTP/1.0"
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s: %(explain)s\n"

    def parse_request(self) -> bool:
        if len(self.raw_requestline) > MAX_REQUEST_LINE_BYTES:
            # As http.server does past its own limit: nothing of the line is parsed or logged.
            self.requestline, self.request_version, self.command = "", "", ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        rfile = self.rfile
        self.rfile = _HeaderReader(rfile)
        try:
            parsed = super().parse_request()
        except _HeadersTooLarge as error:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, str(error))
            return False
        finally:
            self.rfile = rfile
        if parsed and not self.raw_requestline.isascii():
            # A URL's other bytes must be percent-encoded; werkzeug would read raw ones as
            # Latin-1, so a raw UTF-8 "ë" would reach a page as "Ã«".
            self.send_error(
                HTTPStatus.BAD_REQUEST, "request line must be ASCII, other bytes percent-encoded"
            )
            return False
        return parsed

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server makes message the status line's reason phrase, and its own messages can
        # quote a whole request line: the phrase stays the standard one, the detail is cut.
        if code == HTTPStatus.REQUEST_URI_TOO_LONG:
            # The same words whether this handler's limit refused the line or http.server's.
            message = f"request line over {MAX_REQUEST_LINE_BYTES} bytes"
        detail = message or explain or self.responses[code][1]
        if len(detail) > _QUOTED_CHARS:
            detail = detail[:_QUOTED_CHARS] + "..."
        super().send_error(code, HTTPStatus(code).phrase, detail)


class QuietRequestHandler(RequestHandler):
    """For a server inside the harness, whose output is the verdict table, not an access log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass
