"""Clipping files → posts: front matter, thread splitting, headers, encodings, bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from searchclip.errors import ClippingError
from searchclip.ingest.clippings import parse_clipping, read_clipping

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"
KO = "코딩을 배우는 중입니다. 한국어 문서입니다."
JA = "友人に裏切られた少年の物語です。日本語の文書です。"


def test_thread_is_split_into_posts_with_headers() -> None:
    clip = read_clipping(FIXTURES / "threads" / "Thread by @hana_dev.md", FIXTURES)
    assert clip.meta.title == "Thread by @hana_dev"
    assert clip.meta.authors == ("@hana_dev",)
    assert clip.meta.published is not None and clip.meta.published.date == dt.date(2025, 2, 25)
    assert clip.meta.tags == ("clippings", "ai")
    assert [(p.id, p.author, p.handle, p.date, p.date_kind) for p in clip.posts] == [
        ("threads/Thread by @hana_dev.md#1", "한아 Hana", "hana_dev", dt.date(2025, 2, 25), "posted"),
        ("threads/Thread by @hana_dev.md#2", "Min Seo", "minseo_k", dt.date(2025, 2, 26), "posted"),
        # An ad's header has no date: it shows the thread's.
        ("threads/Thread by @hana_dev.md#3", "漫画アプリ", "manga_ad", dt.date(2025, 2, 25), "published"),
        ("threads/Thread by @hana_dev.md#4", "Sam Park", "sam_park", dt.date(2025, 2, 27), "posted"),
    ]
    first = clip.posts[0]
    assert first.text.startswith("Claude Code를 써보니")
    assert first.url == "https://x.com/hana_dev/status/1800000000000000001"
    assert "**" not in first.text  # the header line is not part of the post text


def test_post_line_points_at_the_first_text_line() -> None:
    file = FIXTURES / "threads" / "Thread by @hana_dev.md"
    lines = file.read_text(encoding="utf-8").split("\n")
    for post in read_clipping(file, FIXTURES).posts:
        assert lines[post.line - 1] == post.text.split("\n")[0]


def test_article_with_breaks_and_fenced_dashes_is_one_post() -> None:
    clip = read_clipping(FIXTURES / "articles" / "Offline search notes.md", FIXTURES)
    assert len(clip.posts) == 1
    assert clip.posts[0].author == "Alex Rivera"
    assert "not a thread break" in clip.posts[0].text


def test_dashes_inside_a_code_fence_do_not_split_a_thread() -> None:
    text = "**A** @a [2025-01-01](https://x.com/a/1)\n\none\n\n```\n---\n```\n\n---\n\n**B** @b\n\ntwo\n"
    posts = parse_clipping(text, "t.md").posts
    assert [p.handle for p in posts] == ["a", "b"]
    assert "---" in posts[0].text


def test_bare_string_tags_and_odd_dates() -> None:
    text = "---\ntitle: T\ntags: clippings\npublished: 2025/03/04\ncreated: someday\n---\nbody\n"
    clip = parse_clipping(text, "t.md")
    assert clip.meta.tags == ("clippings",)
    assert clip.meta.published is not None and clip.meta.published.date == dt.date(2025, 3, 4)
    assert clip.meta.created is None
    assert clip.warnings == ("front matter 'created: someday' is not a date; left empty",)


def test_invalid_yaml_keeps_the_body_and_says_where() -> None:
    text = "---\ntitle: [unclosed\n---\nthe body survives\n"
    clip = parse_clipping(text, "dir/Bad.md")
    assert clip.meta.title == "Bad"
    assert clip.posts[0].text == "the body survives"
    assert len(clip.warnings) == 1 and clip.warnings[0].startswith("front matter is not valid YAML at line")


def test_no_front_matter_and_empty_file() -> None:
    clip = parse_clipping("just text\n", "notes/plain.md")
    assert clip.meta.title == "plain"
    assert [p.text for p in clip.posts] == ["just text"]
    assert parse_clipping("", "empty.md").posts == ()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("---\ntitle: 코딩\n---\n본문\r\n둘째 줄\r\n".encode(), "본문\n둘째 줄"),
        (b"\xef\xbb\xbf" + "---\ntitle: t\n---\n본문\n".encode(), "본문"),
        (
            "---\ntitle: t\n---\n코딩을 배우는 중입니다. 한국어 문서입니다.\n".encode("cp949"),
            "코딩을 배우는 중입니다. 한국어 문서입니다.",
        ),
        (
            "---\ntitle: t\n---\n友人に裏切られた少年の物語です。日本語の文書です。\n".encode("shift_jis"),
            "友人に裏切られた少年の物語です。日本語の文書です。",
        ),
    ],
    ids=["crlf", "bom", "cp949", "shift_jis"],
)
def test_encodings_and_line_endings(tmp_path: Path, data: bytes, expected: str) -> None:
    file = tmp_path / "c.md"
    file.write_bytes(data)
    assert read_clipping(file, tmp_path).posts[0].text == expected


def test_binary_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    file = tmp_path / "image.md"
    file.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(ClippingError) as err:
        read_clipping(file, tmp_path)
    assert err.value.reason == "binary file, not text"


def test_front_matter_without_body_is_found_by_its_description() -> None:
    text = "---\ntitle: 21st.dev\ndescription: Craft UI with AI\nsource: https://example.com\n---\n"
    (post,) = parse_clipping(text, "t.md").posts
    assert (post.id, post.text, post.url) == ("t.md#1", "Craft UI with AI", "https://example.com")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    file = tmp_path / "c.md"
    file.write_bytes(f"---\ntitle: 제목\n---\n{KO}\n".encode(encoding))  # Python writes the BOM
    clip = read_clipping(file, tmp_path)
    assert (clip.meta.title, clip.posts[0].text) == ("제목", KO)


def test_impossible_date_is_a_warning_not_a_failure() -> None:
    clip = parse_clipping("---\ntitle: t\npublished: 2025-02-30\n---\nbody\n", "t.md")
    assert clip.meta.title == "t" and clip.meta.published is None
    assert clip.warnings == ("front matter 'published: 2025-02-30' is not a date; left empty",)
