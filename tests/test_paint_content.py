"""What counts as page content on screen, on hand-drawn analysis frames: no video, no browser.

The decisions (README, "How it measures"): text, images, skeleton blocks and spinners are
content; a background colour alone and a scroll bar are not; content the final picture does
not keep is a loading state, and it counts as shown.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from streamscope.judge.shown import first_shown, loading_state
from streamscope.paint.alignment import Alignment
from streamscope.paint.content import SCROLL_BAR_EDGE, content_mask, content_share, kept_share
from streamscope.paint.marker import MARKER_RGB
from streamscope.paint.video_frames import VideoFrames
from streamscope.paint.visual_progress import paint_timeline
from streamscope.recording import DomSample

H, W = 90, 160  # the analysis frame of a 1280x720 page
WHITE = (255, 255, 255)


def screen(colour: tuple[int, int, int] = WHITE) -> npt.NDArray[np.uint8]:
    return np.full((H, W, 3), colour, dtype=np.uint8)


def with_text(frame: npt.NDArray[np.uint8], row: int, cols: range,
              ink: tuple[int, int, int] = (40, 40, 40)) -> npt.NDArray[np.uint8]:
    """A line of "text": every other pixel of a row inked, as glyphs average at this size."""
    frame = frame.copy()
    frame[row, cols.start:cols.stop:2] = ink
    return frame


BLANK = screen()


def share(frame: npt.NDArray[np.uint8]) -> float:
    return content_share(content_mask(frame, BLANK))


def test_a_blank_page_shows_no_content() -> None:
    assert share(BLANK) == 0.0


def test_a_background_colour_alone_is_not_content() -> None:
    assert share(screen((20, 40, 160))) == 0.0


def test_text_is_content_on_any_background() -> None:
    assert share(with_text(BLANK, 5, range(10, 30))) > 0
    on_blue = with_text(screen((20, 40, 160)), 5, range(10, 30), ink=WHITE)
    assert share(on_blue) == share(with_text(BLANK, 5, range(10, 30)))  # the fill not counted


def test_a_skeleton_block_and_a_spinner_image_are_content() -> None:
    skeleton = BLANK.copy()
    skeleton[10:14, 10:100] = (230, 230, 230)  # a light grey bar, 4 px tall at this size
    assert share(skeleton) > 0
    spinner = BLANK.copy()
    spinner[40:46, 77:83] = (30, 120, 220)  # 48 px at 1280 wide is 6 here
    assert share(spinner) > 0


def test_a_scroll_bar_is_not_content() -> None:
    bar = BLANK.copy()
    bar[:, W - SCROLL_BAR_EDGE:] = (190, 190, 190)
    bar[H - SCROLL_BAR_EDGE:, :] = (190, 190, 190)
    assert share(bar) == 0.0


def test_a_change_below_the_noise_level_is_not_content() -> None:
    assert share(screen((245, 245, 245))) == 0.0
    faint = BLANK.copy()
    faint[5, 10:30] = (247, 247, 247)
    assert share(faint) == 0.0


def test_kept_share_tells_a_replaced_loading_state_from_content_that_stays() -> None:
    loading = with_text(BLANK, 5, range(10, 26))
    final = with_text(with_text(BLANK, 20, range(10, 150)), 30, range(10, 150))
    assert kept_share(loading, final, content_mask(loading, BLANK)) == 0.0
    header = with_text(BLANK, 20, range(10, 150))
    assert kept_share(header, final, content_mask(header, BLANK)) == 1.0
    assert kept_share(BLANK, final, content_mask(BLANK, BLANK)) == 1.0


def test_a_timeline_of_a_loading_state_then_the_page() -> None:
    """Marker, blank, "Loading…" at 100 ms, the page at 3,000 ms: the frames say what each
    showed, and the loading state is found with its time and the DOM's characters."""
    marker = screen(MARKER_RGB)
    loading = with_text(BLANK, 5, range(10, 26))
    final = with_text(with_text(BLANK, 20, range(10, 150)), 30, range(10, 150))
    times_s = np.array([0.0, 0.1, 0.3, 3.2])
    frames = VideoFrames(times_s, np.stack([marker, BLANK, loading, final]))
    alignment = Alignment(marker_index=0, offset_ms=-200.0)
    timeline = paint_timeline(frames, alignment, error_ms=20.0, method="test")
    assert [f.t_ms for f in timeline.frames] == [100.0, 3000.0]
    loading_frame, page = timeline.frames
    assert loading_frame.content > 0 and loading_frame.kept == 0.0
    assert loading_frame.progress == 0.0  # no closer to the final picture, yet shown
    assert page.kept == 1.0 and page.progress == 1.0
    first = first_shown(timeline)
    assert first is not None and first.t_ms == 100.0
    dom = [DomSample(50.0, 8, 1), DomSample(2990.0, 900, 20)]
    state = loading_state(timeline, dom)
    assert state is not None
    assert (state.shown_ms, state.replaced_ms, state.visible_chars) == (100.0, 3000.0, 8)
