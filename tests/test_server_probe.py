"""/probe through Flask's test client and its pieces: the body, gzip, the parameters' bounds."""

import gzip
import logging
import re
import zlib

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from streamscope.demo_server.params import BadParameter
from streamscope.demo_server.probe import body, gzipped, item_bytes
from streamscope.demo_server.probe_params import GIB, MIB, ContentType, Gzip, ProbeParams, parse

# No probe test waits: the default delay is the write-up's half second.
FAST = {"delay": "0"}


def probe_body(client: FlaskClient, **query: object) -> bytes:
    response = client.get("/probe", query_string={**FAST, **query})
    assert response.status_code == 200, response.text
    data: bytes = response.data
    return data


def test_parse_gives_the_documented_defaults() -> None:
    assert parse(MultiDict()) == ProbeParams(
        count=10,
        delay=0.5,
        prefix=0,
        item_bytes=64,
        content_type=ContentType.HTML,
        nosniff=False,
        gzip=Gzip.OFF,
    )


def test_parse_reads_every_parameter() -> None:
    args = MultiDict(
        {
            "count": "3",
            "delay": "0.25",
            "prefix": "600",
            "item_bytes": "100",
            "content_type": "plain",
            "nosniff": "1",
            "gzip": "flush",
        }
    )
    assert parse(args) == ProbeParams(3, 0.25, 600, 100, ContentType.PLAIN, True, Gzip.FLUSH)


def test_parse_allows_1_gib_and_exactly_4_gib() -> None:
    one_gib = parse(MultiDict({"count": "1024", "item_bytes": str(MIB), "delay": "0"}))
    assert one_gib.total_bytes == GIB
    assert parse(MultiDict({"count": "4096", "item_bytes": str(MIB)})).total_bytes == 4 * GIB


@pytest.mark.parametrize("content_type", ["html", "plain"])
@pytest.mark.parametrize("prefix", [0, 1, 6, 7, 600])
@pytest.mark.parametrize("size", [16, 64, 1000])
def test_body_is_exactly_prefix_plus_count_items(
    client: FlaskClient, content_type: str, prefix: int, size: int
) -> None:
    data = probe_body(client, count=3, prefix=prefix, item_bytes=size, content_type=content_type)
    assert len(data) == prefix + 3 * size
    items = data[prefix:]
    assert [items[i : i + size] for i in range(0, 3 * size, size)] == [items[:size]] * 3


def test_html_items_are_list_items_of_visible_text(client: FlaskClient) -> None:
    response = client.get("/probe", query_string={**FAST, "count": 2, "item_bytes": 40})
    assert response.mimetype == "text/html"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.text == "<li>streamed streamed streamed str</li>\n" * 2


def test_plain_items_are_lines_of_text(client: FlaskClient) -> None:
    response = client.get("/probe", query_string={**FAST, "count": 2, "content_type": "plain"})
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines(keepends=True)
    assert len(lines) == 2
    assert all(len(line) == 64 and line.startswith("streamed ") for line in lines)


def test_html_prefix_is_one_comment(client: FlaskClient) -> None:
    data = probe_body(client, count=1, prefix=600)
    assert re.fullmatch(rb"<!-- {593}-->", data[:600])
    assert data[600:].startswith(b"<li>")


def test_a_prefix_too_short_for_a_comment_is_spaces(client: FlaskClient) -> None:
    assert probe_body(client, count=0, prefix=6) == b" " * 6


def test_plain_prefix_is_a_blank_line(client: FlaskClient) -> None:
    assert probe_body(client, count=0, prefix=5, content_type="plain") == b"    \n"


def test_count_zero_is_an_empty_body(client: FlaskClient) -> None:
    assert probe_body(client, count=0) == b""


def test_nosniff_adds_its_header_only_when_asked(client: FlaskClient) -> None:
    with_it = client.get("/probe", query_string={**FAST, "count": 1, "nosniff": 1})
    without = client.get("/probe", query_string={**FAST, "count": 1, "nosniff": 0})
    assert with_it.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Content-Type-Options" not in without.headers


def test_body_yields_one_item_object_again_and_again() -> None:
    pieces = list(body(ProbeParams(count=3, delay=0, prefix=10, item_bytes=MIB)))
    assert len(pieces) == 4
    assert pieces[1] is pieces[2] is pieces[3]


@pytest.mark.parametrize("mode", ["flush", "buffer"])
def test_gzip_decodes_to_the_plain_body(client: FlaskClient, mode: str) -> None:
    query = {"count": 20, "prefix": 100, "item_bytes": 500}
    plain = probe_body(client, **query)
    response = client.get("/probe", query_string={**FAST, **query, "gzip": mode},
                          headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == plain


def test_gzip_only_for_a_client_that_accepts_it(client: FlaskClient) -> None:
    """As compressing middleware does: the same URL uncompressed is how streamscope tells a
    compressor that holds the body from a server that does."""
    query = {"count": 3, "gzip": "buffer"}
    response = client.get("/probe", query_string={**FAST, **query})
    assert "Content-Encoding" not in response.headers
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.data == probe_body(client, count=3)


def test_gzip_flush_sends_each_piece_decodable_on_its_own() -> None:
    pieces = [b"<!--   -->", *[item_bytes(64, ContentType.HTML)] * 3]
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = [decoder.decompress(chunk) for chunk in gzipped(iter(pieces), sync_flush=True)]
    assert out == [*pieces, b""]
    assert decoder.eof


def test_gzip_buffer_lets_zlib_hold_small_pieces() -> None:
    pieces = [item_bytes(64, ContentType.HTML)] * 3
    *held, last = gzipped(iter(pieces), sync_flush=False)
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    # zlib gives out the gzip header at once, then nothing until the stream ends.
    assert [decoder.decompress(chunk) for chunk in held] == [b""]
    assert decoder.decompress(last) == b"".join(pieces)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("count=-1", "count must be an integer from 0 to 1000000 (items), got '-1'"),
        ("count=1000001", "count must be an integer from 0 to 1000000 (items), got '1000001'"),
        ("count=ten", "count must be an integer from 0 to 1000000 (items), got 'ten'"),
        ("count=1.5", "count must be an integer from 0 to 1000000 (items), got '1.5'"),
        ("count=", "count must be an integer from 0 to 1000000 (items), got ''"),
        ("delay=nan", "delay must be a number from 0 to 60 (seconds), got 'nan'"),
        ("delay=inf", "delay must be a number from 0 to 60 (seconds), got 'inf'"),
        ("delay=-inf", "delay must be a number from 0 to 60 (seconds), got '-inf'"),
        ("delay=-0.1", "delay must be a number from 0 to 60 (seconds), got '-0.1'"),
        ("delay=60.5", "delay must be a number from 0 to 60 (seconds), got '60.5'"),
        ("delay=soon", "delay must be a number from 0 to 60 (seconds), got 'soon'"),
        ("prefix=-1", "prefix must be an integer from 0 to 1048576 (bytes), got '-1'"),
        ("prefix=1048577", "prefix must be an integer from 0 to 1048576 (bytes), got '1048577'"),
        ("prefix=1e3", "prefix must be an integer from 0 to 1048576 (bytes), got '1e3'"),
        ("item_bytes=15", "item_bytes must be an integer from 16 to 1048576 (bytes), got '15'"),
        (
            "item_bytes=2097152",
            "item_bytes must be an integer from 16 to 1048576 (bytes), got '2097152'",
        ),
        ("item_bytes=big", "item_bytes must be an integer from 16 to 1048576 (bytes), got 'big'"),
        ("content_type=json", "content_type must be one of html, plain, got 'json'"),
        ("content_type=HTML", "content_type must be one of html, plain, got 'HTML'"),
        ("nosniff=2", "nosniff must be 0 or 1, got '2'"),
        ("nosniff=yes", "nosniff must be 0 or 1, got 'yes'"),
        ("gzip=on", "gzip must be one of off, flush, buffer, got 'on'"),
        ("gzip=", "gzip must be one of off, flush, buffer, got ''"),
        (
            "cuont=5",
            "unknown parameter 'cuont' "
            "(known: count, delay, prefix, item_bytes, content_type, nosniff, gzip)",
        ),
        (
            "count=5&size=2&typ=plain",
            "unknown parameters 'size', 'typ' "
            "(known: count, delay, prefix, item_bytes, content_type, nosniff, gzip)",
        ),
        ("count=1&count=2", "count is given 2 times; give it once"),
        (
            "count=4096&item_bytes=1048576&prefix=1",
            "count * item_bytes + prefix must be at most 4294967296 bytes (4 GiB), got 4294967297",
        ),
        (
            "count=1000000&item_bytes=1048576",
            "count * item_bytes + prefix must be at most 4294967296 bytes (4 GiB), "
            "got 1048576000000",
        ),
    ],
)
def test_a_bad_parameter_is_a_one_line_400_naming_it(
    client: FlaskClient, query: str, message: str
) -> None:
    response = client.get("/probe?" + query)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == message + "\n"


def test_a_long_or_multiline_value_still_gives_one_short_line(client: FlaskClient) -> None:
    long = client.get("/probe", query_string={"count": "9" * 5000}).text
    assert long == (
        "count must be an integer from 0 to 1000000 (items), "
        "got '9999999999999999999999999999999999999999'... (5000 characters)\n"
    )
    multiline = client.get("/probe", query_string={"gzip": "off\r\nX-Evil: 1"}).text
    assert multiline == (
        "query names and values must be UTF-8 text without control characters, "
        "got 'off%0D%0AX-Evil:+1'\n"
    )


def test_bad_input_logs_nothing(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for query in ("delay=nan", "count=x", "oops=1", "gzip=zip"):
        assert client.get("/probe?" + query).status_code == 400
    assert client.get("/stream").status_code == 400
    assert caplog.records == []


def test_bad_parameter_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="^delay must be a number from 0 to 60"):
        parse(MultiDict({"delay": "-1"}))
    assert issubclass(BadParameter, ValueError)
