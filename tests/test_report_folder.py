"""The report folder's names for URLs: file-name-safe, unique, and readable."""

from pathlib import Path

import pytest

from streamscope.report.folder import SLUG_LENGTH, ReportFolder


@pytest.mark.parametrize(("url", "slug"), [
    ("http://127.0.0.1:5000/stream?name=World", "stream-name-world"),
    ("http://127.0.0.1:5000/hello-world", "hello-world"),
    ("http://127.0.0.1:5000/", "root"),
    ("http://x/a/b_c.d?e=f&g=h", "a-b-c-d-e-f-g-h"),
    ("http://x/UPPER/Case", "upper-case"),
    ("http://x/a&amp;b", "a-amp-b"),  # a URL, not HTML: no entity
    ("http://x/café?q=ß", "cafe-q-ss"),  # spelled in ASCII, not dropped
])
def test_a_url_gets_a_file_name_safe_slug(tmp_path: Path, url: str, slug: str) -> None:
    assert ReportFolder(tmp_path).slug(url) == slug


def test_a_long_url_is_cut_and_never_ends_in_a_dash(tmp_path: Path) -> None:
    slug = ReportFolder(tmp_path).slug("http://x/" + "a" * (SLUG_LENGTH - 1) + "-b")
    assert slug == "a" * (SLUG_LENGTH - 1)


def test_each_url_has_its_own_slug_in_a_report(tmp_path: Path) -> None:
    folder = ReportFolder(tmp_path)
    assert [folder.slug(url) for url in ("http://x/a-b", "http://x/a?b", "http://y/a-b")] == [
        "a-b", "a-b-2", "a-b-3"]
