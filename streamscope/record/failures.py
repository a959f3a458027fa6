"""Why a recording failed, in plain words: the raw client's account before the engine's code.

An engine says "net::ERR_TOO_MANY_REDIRECTS", "Protocol error (browsingContext.navigate):
unknown error", "Download is starting", or nothing at all (WebKitGTK keeps showing the page it
was on); the raw client beside it saw the redirect loop, the untrusted certificate, the
attachment. The engine's own words follow in brackets. Pure: what the recording and the raw
client saw in, the recording's error (or never_ended) out.
"""

from __future__ import annotations

from streamscope.recording import Recording

UNTRUSTED = ("the server's certificate is not trusted: accept it with --ignore-https-errors "
             "(ignore_https_errors under [recording])")
# What automation libraries say, for recordings with no raw client beside them (replays, the
# bench) or a raw client that saw nothing wrong.
ENGINE_WORDS = (
    ("ERR_TOO_MANY_REDIRECTS", "the URL redirects in a loop"),
    ("REDIRECT_LOOP", "the URL redirects in a loop"),
    ("Download is starting", "the response is a download, not a page"),
    ("ERR_CERT_", UNTRUSTED),
    ("SEC_ERROR_", UNTRUSTED),
    ("SSL_ERROR_", UNTRUSTED),
)


def explain(recording: Recording, no_page: str | None, timeout_s: float) -> None:
    """Puts a failed recording's error in plain words. `no_page`: the raw client's reason why
    no browser shows a page of this URL, where it found one.

    A recording that timed out before any document came is an error, unless the response was
    still arriving then: a response that never ended, of which nothing was shown.
    """
    engine = recording.browser
    if recording.error is not None:
        plain = no_page or _engine_words(recording.error)
        if plain is not None and plain not in recording.error:
            recording.error = f"{plain} ({engine} said: {recording.error})"
        return
    if not recording.timed_out or recording.time_origin_epoch_ms is not None:
        return
    wire = recording.wire
    if no_page is not None:
        recording.error = no_page
    elif wire is not None and not wire.ended:
        recording.never_ended = True
    else:
        recording.error = f"{engine} showed no page of it within the {timeout_s:g} s time limit"


def _engine_words(error: str) -> str | None:
    return next((plain for code, plain in ENGINE_WORDS if code in error), None)
