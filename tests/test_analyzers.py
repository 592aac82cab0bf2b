"""Exact token lists per analyzer: what is indexed, and where it stands in the original text."""

from __future__ import annotations

import unicodedata

from helpers import analyze

from searchclip.analyzers import bigrams, detect_language


def terms(text: str) -> list[tuple[str, str]]:
    return [(t.term, text[t.start : t.end]) for t in analyze(text)]


def test_korean_keeps_content_morphemes_and_drops_particles() -> None:
    assert terms("지능이 거의 공짜가 되면 무엇이 남을까?") == [
        ("지능", "지능"),
        ("공짜", "공짜"),
        ("되다", "되"),
        ("남다", "남"),
    ]


def test_korean_model_keeps_tech_words_whole() -> None:
    # Kiwi's model choice is pinned here: `코딩` must never split into `코` + `딩`.
    assert terms("나의 최애 코딩 어시스턴트") == [("애", "애"), ("코딩", "코딩"), ("어시스턴트", "어시스턴트")]
    assert terms("코딩을") == [("코딩", "코딩")]
    assert terms("반복적인 코딩 작업을 대체하고") == [
        ("반복", "반복"),
        ("코딩", "코딩"),
        ("작업", "작업"),
        ("대체", "대체"),
    ]


def test_mixed_korean_and_latin_each_by_its_analyzer() -> None:
    assert terms("Claude Code를 써보니 코딩이 달라졌다") == [
        ("claud", "Claude"),
        ("code", "Code"),
        ("쓰다", "써"),
        ("코딩", "코딩"),
        ("달라지다", "달라졌"),
    ]


def test_korean_name_joined_across_a_space_is_split_into_words() -> None:
    assert terms("깃허브 코파일럿으로 코딩했다") == [("깃허브", "깃허브"), ("코파일럿", "코파일럿"), ("코딩", "코딩")]


def test_japanese_normalized_forms_without_particles() -> None:
    assert terms("友人に裏切られた少年の物語。") == [
        ("友人", "友人"),
        ("裏切る", "裏切ら"),
        ("少年", "少年"),
        ("物語", "物語"),
    ]
    assert terms("カッコイイ附属") == [("カッコイイ", "カッコイイ"), ("付属", "附属")]


def test_english_is_lowercased_and_stemmed() -> None:
    assert terms("Trained models") == [("train", "Trained"), ("model", "models")]


def test_full_width_latin_matches_ascii() -> None:
    assert [t.term for t in analyze("ＣＬＡＵＤＥ")] == [t.term for t in analyze("Claude")]


def test_decomposed_hangul_matches_and_offsets_stay_on_original() -> None:
    nfd = unicodedata.normalize("NFD", "코딩을 배웠다")
    tokens = analyze(nfd)
    assert [t.term for t in tokens] == ["코딩", "배우다"]
    assert unicodedata.normalize("NFC", nfd[tokens[0].start : tokens[0].end]) == "코딩"


def test_positions_follow_text_order() -> None:
    tokens = analyze("Claude 코딩 東京")
    assert [t.position for t in tokens] == [0, 1, 2]
    assert [t.analyzer for t in tokens] == ["en", "ko", "ja"]


def test_long_japanese_run_is_chunked_under_sudachis_limit() -> None:
    text = "東京へ" * 20_000  # 60,000 characters, 180,000 bytes: far over Sudachi's 49,149-byte limit
    tokens = analyze(text)
    assert tokens and all(text[t.start : t.end] in ("東京", "東", "京") for t in tokens)


def test_bigrams_bridge_korean_spaces_but_not_scripts() -> None:
    text = "바이브 코딩 ok 裏切る"
    assert [(t.term, text[t.start : t.end]) for t in bigrams(text)] == [
        ("바이", "바이"),
        ("이브", "이브"),
        ("브코", "브 코"),
        ("코딩", "코딩"),
        ("裏切", "裏切"),
        ("切る", "切る"),
    ]


def test_detect_language() -> None:
    assert detect_language("코딩 어시스턴트를 써보니 좋다") == "ko"
    assert detect_language("友人に裏切られた") == "ja"
    assert detect_language("language models for search") == "en"
    assert detect_language("  !!  ") == ""


def test_installed_versions_match_importlib_metadata() -> None:
    from importlib.metadata import version

    from searchclip.analyzers.version import ANALYZER_PACKAGES, installed_version

    assert {p: installed_version(p) for p in ANALYZER_PACKAGES} == {p: version(p) for p in ANALYZER_PACKAGES}
    assert installed_version("no-such-package-searchclip") is None
