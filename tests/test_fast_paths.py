"""Indexing's fast paths give exactly what the slow ones give: the parser's shortcuts (plain prose,
linkify, inline Markdown parsed only in posts), the prose mask, markup ranges, the highlights
encoding, and files analyzed several to a task in the worker processes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import ANALYZER, analyze
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt

from searchclip.index.highlights import decode_highlights, encode_highlights, stored_term_counts
from searchclip.index.store import FileState, Manifest
from searchclip.ingest import markup
from searchclip.ingest.clippings import parse_clipping
from searchclip.ingest.documents import analyzed
from searchclip.ingest.markup import markup_ranges
from searchclip.ingest.update import MAX_FILE_BYTES
from searchclip.ingest.workers import PARALLEL_MIN_FILES, SourceFile, analyze_file, analyze_files

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REFERENCE = markup.markdown_it()  # markdown-it itself, no shortcuts

# Pieces of clippings: prose in three scripts, every kind of Markdown the parser knows, bare URLs
# and e-mail addresses, thread headers and breaks, odd white space and characters.
PIECES = [
    *("코딩을 배웠다", "裏切られた", "models and more", "v1.2.3.", "a.b", "100% $5 {x} ^y =z= #tag", "İ", "Ａ"),
    *("**bold**", "*it*", "_under_", "snake_case", "`code`", "~~del~~", "\\*", "\\", "&amp;", "&copy", "<b>", "</b>"),
    *("[link](https://a.example/x)", "![img](i.png)", "[ref]", "[ref]: https://r.example", "]", "!", "<https://a.b>"),
    *("https://bare.example/p?q=1", "www.example.org", "example.com", "me@example.com", "ftp://f.example", "://"),
    *(
        "localhost",
        "http:",
        "//",
        "@user_name",
        "# ",
        "## ",
        "- ",
        "* ",
        "+ ",
        "1. ",
        "2) ",
        "> ",
        "    ",
        "|",
        "|---|",
    ),
    *(
        "---",
        "***",
        "===",
        "```",
        "~~~",
        "<!-- c -->",
        "<div>",
        " ",
        "  ",
        "\t",
        "\u3000",
        "\xa0",
        "\n",
        "\n\n",
        "\x00",
    ),
    *("**Name** @handle [2024-06-03](https://x.com/h/status/1)", "**Ad** @ad_shop", "\n\n---\n\n"),
]
MARKDOWN = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
HEADER = st.sampled_from(["**Name** @handle [2024-06-03](https://x.com/h/status/1)", "**Ad** @ad_shop"])
# Threads: a header line, then the post's Markdown on the next line or after a blank one, between breaks.
THREAD = st.lists(
    st.tuples(HEADER, st.sampled_from(["\n", "\n\n"]), MARKDOWN).map("".join), min_size=1, max_size=4
).map("\n\n---\n\n".join)
# Content without inline syntax, with everything else the inline parser sees: breaks, spaces, tabs.
PLAIN = st.lists(
    st.sampled_from([*"가나다 アイ abc 123 .,!]:/@#-+=>|$%^{}()\n\t", "\u3000", "\xa0", "  \n", "  "]), max_size=60
).map("".join)
LINKISH = st.lists(
    st.sampled_from(
        [
            *("http", "https", "HTTP", "ftp", "mailto", ":", "//", "/", "www", "WWW", ".", "com", "org", "kr", "co"),
            *("@", "localhost", "\u017f", "\u212a", "127", "0", "1", "a", "b", " ", "\n", "(", ")", "<", ">", "\uff5c"),
            *("_", "-", "%", "한", "例", "xn--", "?", "#", "'", '"'),
        ]
    ),
    max_size=20,
).map("".join)


@SETTINGS
@given(MARKDOWN)
@example("코딩을 배웠다  \n裏切られた\n\t  models\n\n# Title\n- item me@b.example")
@example(
    "a `b` c\n\na ~~b~~ c\n\na *b* c\n\na _b_ c\n\na [b](c) d\n\na <b> c\n\na &amp; c\n\na \\* c\n\na http://b.c d"
)
def test_parser_shortcuts_give_markdown_its_own_tokens(text: str) -> None:
    assert markup.parse(text) == REFERENCE.parse(text)


@SETTINGS
@given(PLAIN)
@example("a  \n\t b \n c\n  ")
def test_plain_inline_is_the_inline_parser_on_content_without_syntax(content: str) -> None:
    assume(not markup._INLINE_SYNTAX.search(content))
    assert markup.plain_inline(content) == REFERENCE.inline.parse(content, REFERENCE, {}, [])


@SETTINGS
@given(LINKISH)
def test_quick_linkify_answers_as_linkify_it(text: str) -> None:
    quick, plain = markup._parser().linkify, LinkifyIt()
    assert quick.pretest(text) == plain.pretest(text)
    assert quick.test(text) == plain.test(text)


def test_quick_linkify_finds_links_where_linkify_it_does() -> None:
    quick = markup._parser().linkify
    assert quick.test("see https://a.example/x") and quick.test("www.example.org") and quick.test("me@example.com")
    assert not quick.pretest("코딩을 배웠다. 裏切られた。 plain words")


@SETTINGS
@given(MARKDOWN)
def test_prose_mask_is_the_mask_of_markdown_its_own_tokens(text: str) -> None:
    assert markup.prose_mask(text) == markup.prose_mask(text, REFERENCE.parse(text))


@SETTINGS
@given(st.one_of(MARKDOWN, THREAD))
def test_posts_prose_is_the_mask_of_the_whole_parse(body: str) -> None:
    """Inline Markdown parsed only where posts are leaves every post's prose as a full parse does."""
    body = "intro\n\n" + body  # no front matter: post lines count from the body's first line
    clip = parse_clipping(body, "x.md")
    full = markup.prose_mask(body, REFERENCE.parse(body))
    starts = [0, *(m.end() for m in re.finditer("\n", body)), len(body)]  # a post may start past the end
    for post in clip.posts:
        start = starts[post.line - 1]
        assert post.prose == full[start : start + len(post.text)]


def test_a_header_line_that_starts_the_posts_paragraph_is_parsed_with_it() -> None:
    body = "**Ann** @ann [2024-01-01](https://x.com/1)\n*this* https://a.example/x\n\n---\n\n**Bo** @bo\n**bold**"
    posts = parse_clipping(body, "x.md").posts
    assert [p.prose.split() for p in posts] == [["this"], ["bold"]]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from([*"ab가 \n\t*"]), st.booleans()), max_size=80))
def test_blank_replaces_exactly_the_characters_not_kept(chars: list[tuple[str, bool]]) -> None:
    text = "".join(c for c, _ in chars)
    keep = bytearray(k for _, k in chars)
    assert markup._blank(text, keep) == "".join(c if k else " " for c, k in chars)


@SETTINGS
@given(MARKDOWN)
def test_prose_mask_keeps_every_newline(text: str) -> None:
    mask = markup.prose_mask(text)
    assert [i for i, c in enumerate(mask) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from([*"ab가裏 .\n\t", "\u3000", "\xa0", "*", "]"]), st.booleans()), max_size=80))
def test_markup_ranges_as_word_by_word(chars: list[tuple[str, bool]]) -> None:
    text = "".join(c for c, _ in chars)
    mask = "".join(" " if blank and c != "\n" else c for c, blank in chars)
    assert markup_ranges(text, mask) == _markup_ranges_word_by_word(text, mask)


def _markup_ranges_word_by_word(text: str, mask: str) -> list[int]:
    """The runs the mask blanked inside each word of the text, looked for word by word."""
    runs = []
    for word in re.finditer(r"\S+", text):
        i = word.start()
        while i < word.end():
            j = i
            while j < word.end() and mask[j] == " ":
                j += 1
            runs += [i, j] if j > i else []
            i = max(j, i + 1)
    return runs


PAIRS = st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**7)), max_size=6).map(
    lambda pairs: [n for pair in pairs for n in pair]
)


# Terms as the analyzers make them: no NUL, and not the key syntax of prefixes (`x*`) and fuzzy terms (`~`).
TERMS = st.text(max_size=6).filter(
    lambda t: "\0" not in t and not t.endswith("*") and not t.startswith(("~", "\x01", "\x02"))
)


@SETTINGS
@given(st.dictionaries(TERMS, PAIRS, max_size=8), PAIRS)
def test_highlights_decode_to_what_was_encoded(offsets: dict[str, list[int]], marks: list[int]) -> None:
    data = encode_highlights(offsets, marks)
    assert decode_highlights(data, list(offsets)) == ({t: tuple(v) for t, v in offsets.items()}, tuple(marks))
    assert stored_term_counts(data) == {t: len(v) // 2 for t, v in offsets.items()}
    for term in offsets:  # one key decodes one term's block, whatever stands around it
        assert decode_highlights(data, [term])[0] == {term: tuple(offsets[term])}


def test_analyzed_terms_are_term_position_start_end() -> None:
    tokens = analyze("Claude Code를 써보니 코딩이 裏切られた models")
    assert analyzed("x", tokens).terms == tuple((t.term, t.position, t.start, t.end) for t in tokens)


@pytest.mark.slow
def test_workers_give_the_in_process_results_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "c"
    for i in range(PARALLEL_MIN_FILES // 4 + 1):
        shutil.copytree(FIXTURES, folder / f"copy{i:02d}")
    (folder / "broken.md").write_bytes(b"\x00\x01binary")
    sources = [SourceFile(str(f), folder, f) for f in sorted(folder.rglob("*.md"))]
    assert len(sources) >= PARALLEL_MIN_FILES
    unchanged = sources[5]  # its bytes hash as in the manifest: only its stat is updated
    base = Manifest("v", [str(folder)])
    digest = analyze_file(unchanged, None, MAX_FILE_BYTES, ANALYZER).state
    base.files[unchanged.key] = FileState(0, 0, digest.digest if digest else "", 7)
    monkeypatch.setenv("SEARCHCLIP_WORKERS", "2")
    pooled = list(analyze_files(sources, base, MAX_FILE_BYTES, ANALYZER))
    monkeypatch.setenv("SEARCHCLIP_WORKERS", "1")
    assert pooled == list(analyze_files(sources, base, MAX_FILE_BYTES, ANALYZER))
    assert [r.key for r in pooled] == [s.key for s in sources]
    assert [r.error for r in pooled if r.error] == ["binary file, not text"]
    assert pooled[5].state is not None and pooled[5].state.posts == 7 and not pooled[5].analyzed
    assert sum(len(r.docs) for r in pooled) > len(sources)
