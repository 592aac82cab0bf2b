"""Real vaults' formats, parsed and shown right: thread headers and what stands before them, file
names as words, callouts, math and comments, dates, authors, languages, kana readings, snippets,
one result per clipping, pasted paragraphs. Fixtures in tests/fixtures/vault, written in the
formats Web Clipper templates and vaults produce."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from helpers import cli, run_search, update_index

from searchclip.ingest.clippings import post_header, read_clipping
from searchclip.ingest.dates import When, parse_when
from searchclip.ingest.markup import markup_ranges, prose_mask
from searchclip.search.query import Filters
from searchclip.search.snippets import make_snippet

VAULT = Path(__file__).parent / "fixtures" / "vault"


@pytest.fixture(scope="module")
def vault_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("vault")
    shutil.copytree(VAULT, base / "vault")
    root = base / "index"
    report = update_index(root, [base / "vault"])
    assert report.failed == [] and report.warnings == []
    return root


def posts(name: str) -> list[tuple[object, ...]]:
    clipping = read_clipping(VAULT / name, VAULT)
    return [(p.number, p.author, p.handle, p.date_text, p.date_kind, p.text.split("\n")[0]) for p in clipping.posts]


def search(root: Path, *args: str) -> list[dict[str, object]]:
    result = cli("search", *args, "--json", "--index", str(root))
    assert result.exit_code in (0, 1), result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def shown(record: dict[str, object]) -> str:
    """The snippet with its highlights in [brackets]."""
    text, out, last = str(record["snippet"]), [], 0
    for start, end in record["highlights"]:  # type: ignore[attr-defined]
        out += [text[last:start], "[", text[start:end], "]"]
        last = end
    return "".join([*out, text[last:]])


# ---- parsing ----------------------------------------------------------------------------------


def test_a_callout_before_the_thread_is_its_preamble_and_the_first_header_starts_post_1() -> None:
    assert posts("Thread by @kim_summary.md") == [
        (0, "", "", "2025-04-15", "published", "> [!summary] 요약"),
        (
            1,
            "Kim Summary",
            "kim_summary",
            "2025-04-15",
            "posted",
            "검색엔진을 직접 만들어 보니 형태소 분석이 제일 어려웠다.",
        ),
        (2, "Lee Reply", "LeeReply", "2025-04-16", "posted", "저도 색인 만들 때 형태소 분석기 때문에 고생했어요."),
    ]


def test_header_variants_split_and_parse_like_linked_headers() -> None:
    assert posts("Thread by @plain_dates.md") == [
        (
            1,
            "Plain Dates",
            "plain_dates",
            "2026-04-07",
            "posted",
            "첫 글은 날짜가 링크가 아니다. 고양이 사진을 올렸다.",
        ),
        (2, "Plain Dates", "plain_dates", "2026-04-08", "saved", "둘째 글에는 날짜가 없다. 강아지 사진을 올렸다."),
        (3, "표시이름만", "", "2026-04-09", "posted", "셋째 글은 핸들 없이 이름과 날짜만 있다. 토끼 사진이다."),
        (4, "", "threads.user", "2026-04-10", "posted", "넷째 글은 스레드 형식이다. 거북이 사진이다."),
    ]


@pytest.mark.parametrize(
    "line",
    ["**Important** this is bold text", "**Bold** [a link](https://x.com)", "**Name** @handle said hello", "**x**"],
)
def test_bold_lines_that_are_not_headers(line: str) -> None:
    assert post_header(line) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026년 5월 18일", When(dt.date(2026, 5, 18), "2026-05-18")),
        ("2026년 5월 18일 (월) 오후 3:00", When(dt.date(2026, 5, 18), "2026-05-18")),
        ("2006年3月11日", When(dt.date(2006, 3, 11), "2006-03-11")),
        ("2025/02/22", When(dt.date(2025, 2, 22), "2025-02-22")),
        ("2025.02.22.", When(dt.date(2025, 2, 22), "2025-02-22")),
        ("2024-09", When(dt.date(2024, 9, 1), "2024-09")),
        ("2024년 9월", When(dt.date(2024, 9, 1), "2024-09")),
        ("2024年9月", When(dt.date(2024, 9, 1), "2024-09")),
        ("2025-02-25T23:10:00+09:00", When(dt.date(2025, 2, 25), "2025-02-25")),
        ("2025-03-01T23:10:00Z", When(dt.date(2025, 3, 1), "2025-03-01")),
        ("Feb 22, 2025", When(dt.date(2025, 2, 22), "2025-02-22")),
        ("2025-13-01", None),
        ("someday", None),
        ("202511", None),
    ],
)
def test_dates_as_vaults_write_them(text: str, expected: When | None) -> None:
    assert parse_when(text) == expected


def test_authors_as_wikilinks_and_handles_keep_their_case() -> None:
    assert read_clipping(VAULT / "Karpathy on LLMs.md", VAULT).posts[0].author == "Andrej Karpathy"
    assert read_clipping(VAULT / "Thread by @0xSero.md", VAULT).posts[0].handle == "0xSero"


# ---- what is prose ----------------------------------------------------------------------------


def prose_snippet(text: str) -> str:
    mask = prose_mask(text)
    return make_snippet(text, [], markup_ranges(text, mask), width=10_000).text


def test_file_names_are_words_and_only_real_links_are_markup() -> None:
    text = (
        "invest in CLAUDE.md, AGENTS.md, config.py and main.rs; see example.com, https://a.example/x, www.example.org"
    )
    assert prose_snippet(text) == "invest in CLAUDE.md, AGENTS.md, config.py and main.rs; see example.com, ,"
    assert prose_snippet("(see https://x.com/a) and [the guide](https://g.example) and ![](i.png) end") == (
        "(see ) and the guide and end"
    )
    assert prose_snippet("links (https://x.com/a) [https://y.com/b]") == "links"  # no empty () or []


def test_callout_markers_math_and_comments_are_not_prose() -> None:
    text = "> [!note]- 읽기 전에\n> 본문\n\n> [!tip]+ 팁\n\n$x^2$ 와 $$y$$ 그리고 $5 and $10 <!-- 비밀 --> 끝"
    assert prose_snippet(text) == "읽기 전에 본문 팁 와 그리고 $5 and $10 끝"
    assert prose_snippet("**요소**가 중요하다") == "요소가 중요하다"  # no space where markup was


# ---- search -----------------------------------------------------------------------------------


def test_the_preamble_and_the_first_post_are_found_and_shown(vault_index: Path) -> None:
    assert [r["id"] for r in search(vault_index, "경험담")] == ["Thread by @kim_summary.md#0"]
    (first,) = search(vault_index, "어려웠다")
    assert first["id"] == "Thread by @kim_summary.md#1"
    assert first["author"] == "Kim Summary" and first["date"] == "2025-04-15" and first["date_kind"] == "posted"
    (record,) = search(vault_index, "형태소")  # in both posts: one result per clipping
    both = {"Thread by @kim_summary.md#1", "Thread by @kim_summary.md#2"}
    assert {record["id"], *record["more_posts"]} == both and len(record["more_posts"]) == 1
    every = search(vault_index, "형태소", "--posts")
    assert {r["id"] for r in every} == both and all(r["more_posts"] == [] for r in every)


def test_one_result_per_clipping_in_the_terminal(vault_index: Path) -> None:
    result = cli("search", "형태소", "--index", str(vault_index))
    assert "   + 1 more matching post: #" in result.stdout
    assert result.stdout.rstrip().endswith("1 clipping shown, of 2 matching posts (--posts: every post)")


def test_file_names_and_words_of_bare_hosts_are_found(vault_index: Path) -> None:
    for query in ("CLAUDE.md", "config.py", "main.rs", "README.md"):
        (record,) = search(vault_index, query)
        assert record["id"] == "Harness engineering notes.md#1", query
    (record,) = search(vault_index, "AGENTS.md")
    assert shown(record).startswith("…invest heavily in CLAUDE.md, create [AGENTS].[md] and a README.md") or (
        "[AGENTS].[md]" in shown(record)
    )
    assert "[!note]" not in str(record["snippet"]) and "[!tip]" not in str(record["snippet"])
    assert search(vault_index, "secretword") == []  # in an HTML comment
    assert search(vault_index, "mc") == []  # in display math


def test_dates_fall_back_and_say_which_they_are(vault_index: Path) -> None:
    (month,) = search(vault_index, "기린")
    assert (month["date"], month["date_kind"]) == ("2024-09", "published")
    (saved,) = search(vault_index, "코끼리")
    assert (saved["date"], saved["date_kind"]) == ("2025-03-01", "saved")
    assert [r["id"] for r in search(vault_index, "코끼리", "--since", "2025-03-01")] == ["Saved only.md#1"]
    assert [r["id"] for r in search(vault_index, "기린", "--until", "2024-09-30")] == ["Month only.md#1"]
    shown_line = cli("search", "코끼리", "--index", str(vault_index)).stdout.splitlines()[1]
    assert "saved 2025-03-01" in shown_line


def test_author_names_and_handles_are_searchable(vault_index: Path) -> None:
    assert [r["id"] for r in search(vault_index, "Catherine Boeckmann")] == ["Harness engineering notes.md#1"]
    assert [r["id"] for r in search(vault_index, "Karpathy")] == ["Karpathy on LLMs.md#1"]
    (record,) = search(vault_index, "0xsero")
    assert record["handle"] == "0xSero"
    assert [r["id"] for r in search(vault_index, "quantization", "--author", "@0XSERO")] == ["Thread by @0xSero.md#1"]


def test_languages_beyond_korean_japanese_and_english(vault_index: Path) -> None:
    (chinese,) = search(vault_index, "机器学习")
    assert chinese["id"] == "机器学习入门.md#1" and chinese["lang"] == "zh"
    assert "[机器学习]" in shown(chinese)
    assert [r["lang"] for r in search(vault_index, "русском")] == ["other"]
    assert [r["lang"] for r in search(vault_index, "svenska")] == ["sv"]
    assert [r["id"] for r in search(vault_index, "机器学习", "--lang", "zh")] == ["机器学习入门.md#1"]
    assert search(vault_index, "机器学习", "--lang", "ja") == []


@pytest.mark.parametrize(
    ("query", "highlighted"),
    [
        ("とうけい", "[統計]の勉強"),  # not と + うけい
        ("きかいがくしゅう", "[機械学習]の能力"),  # not 奇怪 + 学習
        ("のうりょく", "の[能力]を"),
        ("とうきょう", "[東京]駅から[東京]都庁"),  # the compounds' parts have their readings
    ],
)
def test_a_kana_query_is_a_reading(vault_index: Path, query: str, highlighted: str) -> None:
    (record,) = search(vault_index, query)
    assert record["id"] == "読みの検索.md#1"
    assert highlighted in shown(record)


def test_a_kana_word_no_post_reads_so_falls_back_to_its_words(vault_index: Path) -> None:
    plan, _, _ = run_search(vault_index, "ほげほげ")
    assert all(not c.fallback for c in plan.clauses)  # resolved against the index


def test_initials_highlight_the_word_not_its_particle(vault_index: Path) -> None:
    (record,) = search(vault_index, "ㅋㅍㅋ")
    assert shown(record).startswith("[카프카]에 메시지를 쌓는다. 분산 로그 시스템으로서 [카프카]를 쓴다.")


def test_the_snippet_prefers_rare_words(vault_index: Path) -> None:
    (record,) = search(vault_index, "--any", "data", "zeppelin")
    assert "[zeppelin]" in shown(record)
    words = (VAULT / "Long article.md").read_text(encoding="utf-8").split()
    snippet = str(record["snippet"])
    assert snippet.lstrip("…").split()[0] in words and snippet.rstrip("…").split()[-1] in words  # whole words


def test_a_pasted_paragraph_is_a_query(vault_index: Path) -> None:
    paragraph = (VAULT / "Long article.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    pasted = (paragraph + " ") * (20_000 // len(paragraph) + 1)
    assert len(pasted) >= 20_000
    results = search(vault_index, pasted[:20_500])
    assert results[0]["id"] == "Long article.md#1"


def test_analyze_markdown_shows_what_the_index_holds(tmp_path: Path) -> None:
    file = tmp_path / "note.md"
    file.write_text("**요소**가 [링크](https://x.com/y) CLAUDE.md\n", encoding="utf-8")
    for source in (str(file), "**요소**가 [링크](https://x.com/y) CLAUDE.md"):
        result = cli("analyze", "--markdown", source, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        assert "요소" in result.stdout and "claud" in result.stdout and "https" not in result.stdout


def test_the_api_post_has_the_fields_show_prints(vault_index: Path) -> None:
    from searchclip.app.cli import parse_search_argv
    from searchclip.app.commands import Session
    from searchclip.app.config import Config
    from searchclip.app.service import create_app

    app = create_app(Session(Config(), vault_index), parse_search_argv)
    with TestClient(app, client=("127.0.0.1", 5000)) as client:
        post = client.get("/v1/posts/" + quote("Thread by @0xSero.md#1", safe="")).json()
    assert {k: post[k] for k in ("author", "handle", "date", "date_kind", "url", "tags", "lang")} == {
        "author": "Sero",
        "handle": "0xSero",
        "date": "2025-02-22",
        "date_kind": "posted",
        "url": "https://x.com/0xSero/status/1893000000000000001",
        "tags": [],
        "lang": "en",
    }
    assert post["text"].startswith("A reply by a handle with capitals")


def test_filters_keep_clippings_dated_only_by_saving(vault_index: Path) -> None:
    _, results, _ = run_search(vault_index, "코끼리", filters=Filters(since=dt.date(2025, 1, 1)))
    assert [h.id for h in results.hits] == ["Saved only.md#1"]
