"""Captured frames made into a WebM for people, each at the time it was captured.

PyAV encodes in this process: each spooled BMP is shown from its capture until the next
one's, as on screen. Times are whole ms from the first frame, WebM's own unit. The encoder
and its settings are the screen film's (VP8, realtime), and each frame is converted to
YUV as the ffmpeg command line would (CONVERT_FLAGS).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from streamscope.paint.screen_film import ENCODER, ENCODER_OPTIONS
from streamscope.paint.video_frames import CONVERT_FLAGS

if TYPE_CHECKING:
    import av.filter
    import av.video.frame

# The last frame stays on screen this long at least, so that a player shows it.
LAST_FRAME_MS = 100
MS = Fraction(1, 1000)


def video_times_ms(times_ms: Sequence[float]) -> list[int]:
    """Whole ms from the first frame, strictly increasing: WebM stores ms, and a frame with
    the time of the one before would be dropped (a later one moves by 1 ms at most)."""
    out: list[int] = []
    for t in times_ms:
        whole = round(t - times_ms[0])
        out.append(whole if not out else max(whole, out[-1] + 1))
    return out


def frame_spans_ms(times_ms: Sequence[float], end_ms: float) -> list[tuple[int, int]]:
    """(start, duration) of each frame shown from its time (epoch ms) until the next one's,
    the last until `end_ms`, in whole ms from the first."""
    starts = video_times_ms(times_ms)
    ends = [*starts[1:], max(round(end_ms - times_ms[0]), starts[-1] + LAST_FRAME_MS)]
    return [(start, end - start) for start, end in zip(starts, ends, strict=True)]


def encode(frames: Sequence[Path], times_ms: Sequence[float], end_ms: float, video: Path) -> None:
    """Writes `frames` (spooled BMPs, captured at `times_ms`, epoch ms) to `video` as WebM.

    Raises ValueError when there is no frame or a frame cannot be read or encoded."""
    import av
    from av.video.frame import PictureType

    if not frames:
        raise ValueError("no frames to make a video of")
    video.parent.mkdir(parents=True, exist_ok=True)
    try:
        first = _picture(frames[0])
        with av.open(str(video), "w", format="webm") as container:
            stream = container.add_stream(ENCODER, options=dict(ENCODER_OPTIONS))
            assert isinstance(stream, av.video.stream.VideoStream)
            stream.width, stream.height, stream.pix_fmt = first.width, first.height, "yuv420p"
            stream.time_base = stream.codec_context.time_base = MS
            to_yuv = _to_yuv(first)
            for frame_path, (start, duration) in zip(
                frames, frame_spans_ms(times_ms, end_ms), strict=True
            ):
                picture = first if frame_path == frames[0] else _picture(frame_path)
                picture.pts, picture.time_base = start, MS
                to_yuv.vpush(picture)
                yuv = to_yuv.vpull()
                # Each image read is a key frame: the encoder places its own instead, as on
                # the command line (150 frames apart; every frame one would take 5 times the
                # bytes).
                yuv.pts, yuv.time_base, yuv.pict_type = start, MS, PictureType.NONE
                for packet in stream.encode(yuv):
                    # The encoder gives a packet the duration of a frame at its default rate,
                    # where the frame shows until the next one's time.
                    packet.duration = duration
                    container.mux(packet)
            container.mux(stream.encode(None))
    except av.FFmpegError as error:
        raise ValueError(f"could not encode the frames: {error}") from error


def _picture(path: Path) -> av.video.frame.VideoFrame:
    """A spooled BMP, decoded by FFmpeg's BMP decoder as the command line read it."""
    import av

    with av.open(str(path)) as image:
        return next(image.decode(video=0))


def _to_yuv(first: av.video.frame.VideoFrame) -> av.filter.Graph:
    """The graph converting frames like `first` to the encoder's YUV, as the command line."""
    import av.filter

    graph = av.filter.Graph()
    graph.link_nodes(
        graph.add_buffer(width=first.width, height=first.height, format=first.format,
                         time_base=MS),
        graph.add("scale", f"flags={CONVERT_FLAGS}"),
        graph.add("format", "yuv420p"),
        graph.add("buffersink"),
    ).configure()
    return graph
