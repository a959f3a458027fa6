"""Paint: what the screen showed, when, on the page's clock.

ScreenFilm films the headed browser's X display; its clock pins the video to the page
clock (Alignment), and the marker the page paints shows where the page is and where the
blank baseline begins; analyze() turns the video into the PaintTimeline of a Recording;
filmstrip() and final_screenshot() give stills of it for the report and the test artifacts.
"""

from streamscope.paint.alignment import Alignment
from streamscope.paint.filmstrip import (
    content_box,
    filmstrip,
    filmstrip_times,
    final_screenshot,
    reading_region,
)
from streamscope.paint.marker import (
    BLANK_CSS,
    MARKER_CSS,
    MARKER_RGB,
    PLAYWRIGHT_PAINT,
    SELENIUM_PAINT,
    MarkerNotFound,
    find_marker,
)
from streamscope.paint.screen_film import FilmError, Grab, ScreenFilm, ffmpeg_command
from streamscope.paint.video_frames import VideoFrames, decode
from streamscope.paint.visual_progress import BaselineNotFound, analyze, paint_timeline

__all__ = [
    "BLANK_CSS",
    "MARKER_CSS",
    "MARKER_RGB",
    "PLAYWRIGHT_PAINT",
    "SELENIUM_PAINT",
    "Alignment",
    "BaselineNotFound",
    "Grab",
    "MarkerNotFound",
    "FilmError",
    "ScreenFilm",
    "VideoFrames",
    "analyze",
    "decode",
    "ffmpeg_command",
    "content_box",
    "filmstrip",
    "reading_region",
    "filmstrip_times",
    "final_screenshot",
    "find_marker",
    "paint_timeline",
]
