"""The demo app through Flask's test client: the write-up's endpoints, the index, the factory."""

import html
import re
from urllib.parse import parse_qsl

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from streamscope.demo_server import create_app
from streamscope.demo_server.probe_params import PARAMETERS, TOTAL_BOUND, ProbeParams, parse

TEN_COMMENTS = "".join(f"<li>Comment {number}</li>\n" for number in range(1, 11))


def test_create_app_defaults_to_the_write_ups_pacing() -> None:
    config = create_app().config
    assert config["STREAM_DELAY_S"] == 0.5
    assert config["STREAM_COUNT"] == 10
    assert config["TEMPLATE_COMMENT_COUNT"] == 20


def test_create_app_takes_overrides() -> None:
    client = create_app({"STREAM_DELAY_S": 0, "STREAM_COUNT": 2}).test_client()
    assert client.get("/hello-world").text == "<li>Comment 1</li>\n<li>Comment 2</li>\n"


def test_hello_world_is_bare_comment_items(client: FlaskClient) -> None:
    response = client.get("/hello-world")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Content-Length" not in response.headers
    assert response.text == TEN_COMMENTS
    assert len(response.data) == 191


def test_sync_is_the_same_list_with_a_content_length(client: FlaskClient) -> None:
    response = client.get("/sync")
    assert response.mimetype == "text/html"
    assert response.text == TEN_COMMENTS
    assert response.headers["Content-Length"] == "191"


def test_template_lists_twenty_comments_in_a_small_page(client: FlaskClient) -> None:
    response = client.get("/hello-world-with-template")
    body = response.text
    assert response.mimetype == "text/html"
    assert body.startswith("<!doctype html>\n<title>Comments</title>\n<ul>\n<li>Comment 1</li>\n")
    assert re.findall(r"<li>(.*?)</li>\n", body) == [f"Comment {n}" for n in range(1, 21)]
    assert body.endswith("<li>Comment 20</li>\n</ul>")
    assert len(response.data) == 441


def test_stream_greets_by_name(client: FlaskClient) -> None:
    response = client.get("/stream?name=World")
    assert response.text == "Hello World!"
    assert len(response.data) == 12


def test_stream_escapes_the_name(client: FlaskClient) -> None:
    response = client.get("/stream", query_string={"name": "<script>alert('x')</script>"})
    assert response.text == "Hello &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;!"


def test_stream_without_a_name_is_a_400_naming_it(client: FlaskClient) -> None:
    for query in ("", "?name="):
        response = client.get("/stream" + query)
        assert response.status_code == 400
        assert response.mimetype == "text/plain"
        assert response.text == (
            "name must be a non-empty query parameter, as in /stream?name=World\n"
        )
    misspelt = client.get("/stream?nom=World")
    assert misspelt.status_code == 400
    assert misspelt.text == "unknown parameter 'nom' (known: name)\n"


def test_index_links_every_endpoint(client: FlaskClient) -> None:
    page = client.get("/").text
    for href in ("/hello-world", "/hello-world-with-template", "/stream?name=World", "/sync"):
        assert f'href="{href}"' in page
    assert 'href="/probe"' in page


def test_index_documents_every_probe_parameter(client: FlaskClient) -> None:
    page = html.unescape(client.get("/").text)
    for param in PARAMETERS:
        row = f"<tr><td><code>{param.name}</code></td><td>{param.bound}</td>\n"
        assert row in page
        assert f"<td><code>{param.default_text}</code></td><td>{param.help}</td>" in page
    assert TOTAL_BOUND in page


def test_index_examples_are_valid_probe_queries(client: FlaskClient) -> None:
    page = client.get("/").text
    hrefs = [html.unescape(href) for href in re.findall(r'href="(/probe\?[^"]+)"', page)]
    assert len(hrefs) >= 5
    for href in hrefs:
        # Unbuffered: one example streams 1 GiB, which only the status is needed of.
        response = client.get(href, buffered=False)
        assert response.status_code == 200, href
        response.close()
    queries = [href.split("?", 1)[1] for href in hrefs]
    assert "content_type=plain&count=5&nosniff=1" in queries
    assert "prefix=600" in queries
    assert {"gzip=flush", "gzip=buffer"} <= set(queries)
    assert parse_query("count=1024&item_bytes=1048576&delay=0") in [
        parse_query(query) for query in queries
    ]


def parse_query(query: str) -> ProbeParams:
    return parse(MultiDict(parse_qsl(query)))
