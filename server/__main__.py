"""python -m server: the demo app on werkzeug's threaded server until Ctrl+C."""

from __future__ import annotations

import signal

import click

from .serve import base_url, make_demo_server


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8800,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
def main(host: str, port: int) -> None:
    """Serve the streamscope demo: the write-up's streams and /probe."""
    # Started as a background job of a non-interactive shell, Python finds SIGINT ignored and
    # leaves it so; Ctrl+C (or a test's SIGINT) must stop the server however it was started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    server = make_demo_server(host, port)
    click.echo(f"Serving the streamscope demo on {base_url(server)}/ (Ctrl+C stops it)")
    # werkzeug's serve_forever returns quietly on Ctrl+C and closes the socket.
    server.serve_forever()


if __name__ == "__main__":
    main()
