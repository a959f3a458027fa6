"""The demo pages whose first chunk a fix must respect, through Flask's test client."""

from __future__ import annotations

from flask.testing import FlaskClient

# libsoup's content sniffer holds this many bytes (SoupContentSniffer's buffer): the pages are
# meant to stay under it before their last part, so WebKitGTK holds them.
LIBSOUP_SNIFF_BYTES = 512


def _parts(client: FlaskClient, path: str) -> list[bytes]:
    response = client.get(path, buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/html"
    return list(response.response)


def test_closed_early_sends_the_whole_document_first_then_hono_style_boundaries(
        client: FlaskClient) -> None:
    first, *rest = _parts(client, "/closed-early")
    assert first.endswith(b'<template id="H:1"></template><p>Loading\xe2\x80\xa6</p>'
                          b"<!--/$--></body></html>")
    assert [part.split(b">")[0] for part in rest] == [b'<template data-hono-target="H:1"',
                                                      b'<template data-hono-target="H:2"']
    assert all(part.endswith(b"(document)</script>") for part in rest)
    assert b'<template id="H:2">' in rest[0]  # nested: the first boundary holds the second
    assert len(first) + len(rest[0]) < LIBSOUP_SNIFF_BYTES


def test_open_list_leaves_its_list_open_then_streams_an_item_a_part(
        client: FlaskClient) -> None:
    first, *items, last = _parts(client, "/open-list")
    assert first.endswith(b"<body><h1>Items</h1><ul>")
    assert items == [b"<li>Item %d</li>" % n for n in range(1, 6)]
    assert last == b"</ul></body></html>"
    assert len(first) + sum(map(len, items)) < LIBSOUP_SNIFF_BYTES


def test_the_shapes_take_no_parameters(client: FlaskClient) -> None:
    response = client.get("/open-list?count=3")
    assert response.status_code == 400
