import numpy as np

from streamscope.paint import content_box, reading_region
from streamscope.paint.marker import MARKER_RGB, marker_box


def white(width=200, height=100):
    return np.full((height, width, 3), 255, dtype=np.uint8)


def test_the_marker_box_is_where_the_page_is_on_screen():
    frame = np.zeros((100, 200, 3), dtype=np.uint8)  # a black desktop
    frame[38:100, 0:180] = MARKER_RGB  # the page, below a toolbar, narrower than the screen
    assert marker_box(frame) == (0, 38, 180, 62)
    assert marker_box(white()) is None


def test_content_is_what_differs_from_the_background():
    frame = white()
    frame[10:20, 30:60] = 0
    assert content_box(frame) == (30, 10, 30, 10)
    assert content_box(white()) is None


def test_the_reading_region_holds_all_content_from_the_top_left_in_the_stills_shape():
    region = reading_region([(8, 8, 100, 180), (8, 8, 120, 40)], aspect=16 / 10, min_width=360)
    x, y, width, height = region
    assert (x, y) == (0, 0)
    assert height >= 8 + 180 + 16 and width >= 8 + 120
    assert abs(width / height - 16 / 10) < 0.01


def test_without_content_the_region_is_the_smallest_one():
    assert reading_region([], aspect=2.0, min_width=360) == (0, 0, 376, 188)
