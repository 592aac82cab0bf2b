"""Analysis at the level of nori, kuromoji and sudachi, and beyond: golden tokens and search ranks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import analyze, analyze_for_index, cli, plan_query, run_search, update_index

from searchclip.analyzers import AnalysisSettings, Analyzer, JapaneseWord, KoreanWord
from searchclip.app.config import ConfigError, analysis_settings, load_config
from searchclip.search.query import Filters, QueryParser


def indexed(text: str) -> list[tuple[str, str, int, bool]]:
    tokens = analyze_for_index(text).tokens
    return [(t.term, text[t.start : t.end], t.position, t.part) for t in tokens]


@pytest.fixture()
def clippings_dir(tmp_path: Path) -> Iterator[Path]:
    import shutil

    folder = tmp_path / "fixture-clippings"
    shutil.copytree(Path(__file__).parent / "fixtures" / "clippings", folder)
    yield folder


# ---- parity ----------------------------------------------------------------------------------


def test_korean_compound_indexed_whole_and_as_parts() -> None:
    assert indexed("인천국제공항에 도착했다") == [
        ("인천국제공항", "인천국제공항", 0, False),
        ("인천", "인천", 0, True),
        ("국제공항", "국제공항", 0, True),
        ("국제", "국제", 0, True),
        ("공항", "공항", 0, True),
        ("도착", "도착", 1, False),
    ]
    # Never split into parts that are not nouns of two syllables or more.
    assert [t for t, *_ in indexed("어시스턴트 코딩")] == ["어시스턴트", "코딩"]


def test_japanese_compound_mode_c_with_mode_a_parts() -> None:
    assert indexed("関西国際空港に着いた") == [
        ("関西国際空港", "関西国際空港", 0, False),
        ("関西", "関西", 0, True),
        ("国際", "国際", 0, True),
        ("空港", "空港", 0, True),
        ("着く", "着い", 1, False),
    ]


def test_queries_are_not_decompounded() -> None:
    assert [t.term for t in analyze("인천국제공항 関西国際空港")] == ["인천국제공항", "関西国際空港"]


def test_normalization() -> None:
    assert [t.term for t in analyze("附属 付属")] == ["付属", "付属"]
    assert [t.term for t in analyze("かっこいいとカッコイイ")] == ["カッコイイ", "カッコイイ"]
    assert [t.term for t in analyze("コンピュータとコンピューター")] == ["コンピューター", "コンピューター"]
    assert [t.term for t in analyze("ﾃｽﾄ ＡＩ")] == ["テスト", "ai"]
    assert [t.term for t in analyze("써보니 쉬웠다")] == ["쓰다", "쉽다"]


def test_kanji_in_korean_text_goes_to_sudachi_not_chinese() -> None:
    assert [(t.term, t.analyzer) for t in analyze("東京大学에서 공부했다")] == [("東京大学", "ja"), ("공부", "ko")]


def test_part_of_speech_lists_are_settings() -> None:
    nouns = Analyzer(AnalysisSettings(korean_tags=("NNG",), japanese_pos=("名詞",)))
    assert [t.term for t in nouns.analyze("코딩을 좋아하는 友人に裏切られた")] == ["코딩", "友人"]
    # Each analyzer has its own settings: building one changes no other.
    assert [t.term for t in analyze("코딩을 좋아하는")] == ["코딩", "좋아하다"]


USER_WORDS = AnalysisSettings(
    korean_words=(KoreanWord("바이브", "NNG"),), japanese_words=(JapaneseWord("バイブコーディング"),)
)


@pytest.mark.slow
def test_user_dictionary_reaches_kiwi_and_sudachi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the compiled Sudachi dictionary goes here
    assert [t.term for t in analyze("바이브코딩 バイブコーディング")] == ["바이브코딩", "バイブ", "コーディング"]
    words = Analyzer(USER_WORDS)
    assert [t.term for t in words.analyze("바이브코딩 バイブコーディング")] == ["바이브", "코딩", "バイブコーディング"]
    assert USER_WORDS.fingerprint() != AnalysisSettings().fingerprint()
    assert words.version != Analyzer().version


def test_synonyms_are_analyzed_with_the_parsers_own_settings() -> None:
    # A long-running service used to keep one process-wide cache of analyzed synonyms: after the
    # settings changed, `바이브코딩` stayed one term although the new analysis splits it.
    groups = (("바이브코딩", "vibe coding"),)
    assert plan_query("vibe coding", synonyms=groups).clauses[0].alternatives == (("바이브코딩",),)
    split = Analyzer(AnalysisSettings(korean_words=(KoreanWord("바이브", "NNG"),)))
    plan = QueryParser(split, groups).parse("vibe coding")
    assert plan.clauses[0].alternatives == (("바이브", "코딩"),)


def test_config_file_analysis_and_synonyms(tmp_path: Path) -> None:
    words = tmp_path / "words.toml"
    words.write_text(
        'korean = [{ word = "바이브", tag = "NNG" }]\njapanese = [{ word = "生成AI" }]\n', encoding="utf-8"
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f'[analysis]\nkorean_tags = ["NNG"]\nuser_dictionary = "{words}"\n[synonyms]\ngroups = [["AI", "인공지능"]]\n',
        encoding="utf-8",
    )
    loaded = load_config(config)
    settings = analysis_settings(loaded)
    assert settings.korean_tags == ("NNG",)
    assert settings.korean_words == (KoreanWord("바이브", "NNG"),)
    assert settings.japanese_words == (JapaneseWord("生成AI"),)
    assert loaded.synonyms == (("AI", "인공지능"),)
    words.write_text('korean = [{ word = "x", color = "red" }]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="entries take word, tag"):
        analysis_settings(load_config(config))
    words.write_text('korean = [{ word = "x", tag = "BAD" }]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="tag 'BAD' is not one of"):
        analysis_settings(load_config(config))
    words.write_text("korean = [{ word = 5 }]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid entry"):
        analysis_settings(load_config(config))


def test_show_uses_the_configured_analysis(tmp_path: Path, clippings_dir: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('embed = false\n[analysis]\nkorean_tags = ["NNG", "NNP"]\n', encoding="utf-8")
    env = {"SEARCHCLIP_CONFIG": str(config), "SEARCHCLIP_INDEX": str(tmp_path / "index"), "NO_COLOR": "1"}
    assert cli("index", str(clippings_dir), "-q", env=env).exit_code == 0
    shown = cli("show", "threads/Thread by @hana_dev.md#2", env=env)
    assert shown.exit_code == 0, shown.stderr
    assert "Min Seo" in shown.stdout


# ---- search ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("features") / "clips"
    folder.mkdir()
    notes = {
        "incheon.md": "인천국제공항에서 출국 수속을 마쳤다.",
        "gimpo.md": "김포 공항은 가깝다.",
        "kansai.md": "関西国際空港から大阪へ向かった。",
        "narita.md": "成田の空港は遠い。",
        "tokyo.md": "東京で勉強会に参加した。",
        "ai.md": "인공지능 연구 동향과 코딩 어시스턴트를 정리했다.",
        "llm.md": "대규모 언어 모델의 추론 비용이 내려간다.",
        "en.md": "Small language models run on laptops.",
    }
    for name, text in notes.items():
        (folder / name).write_text(f"---\ntitle: note\n---\n{text}\n", encoding="utf-8")
    root = folder.parent / "index"
    update_index(root, [folder])
    return root


def ids(root: Path, query: str, **options: object) -> list[str]:
    return [h.id for h in run_search(root, query, True, Filters(), 10, **options)[1].hits]  # type: ignore[arg-type]


def test_part_finds_compound_and_whole_ranks_first(corpus: Path) -> None:
    assert set(ids(corpus, "공항")) == {"incheon.md#1", "gimpo.md#1"}
    assert ids(corpus, "인천국제공항")[0] == "incheon.md#1"
    assert set(ids(corpus, "空港")) == {"kansai.md#1", "narita.md#1"}
    assert ids(corpus, "関西国際空港")[0] == "kansai.md#1"


def test_initial_consonants_find_words(corpus: Path) -> None:
    assert ids(corpus, "ㅇㄱㅈㄴ") == ["ai.md#1"]  # 인공지능
    assert ids(corpus, "ㅇㅊㄱㅈ") == ["incheon.md#1"]  # a prefix of 인천국제공항's initials


def test_reading_in_kana_finds_kanji(corpus: Path) -> None:
    assert ids(corpus, "とうきょう") == ["tokyo.md#1"]
    assert ids(corpus, "トウキョウ") == ["tokyo.md#1"]


def test_synonyms_at_query_time_with_split_words(corpus: Path) -> None:
    groups = (("AI", "인공지능"), ("LLM", "대규모 언어 모델"))
    assert ids(corpus, "AI", synonyms=groups) == ["ai.md#1"]
    assert ids(corpus, "LLM", synonyms=groups) == ["llm.md#1"]
    assert ids(corpus, "대규모 언어 모델", synonyms=groups) == ["llm.md#1"]
    assert ids(corpus, "LLM") == []


def test_fuzzy_finds_typos_only_when_asked(corpus: Path) -> None:
    assert ids(corpus, "어시스던트") == []
    assert ids(corpus, "어시스던트", fuzzy=True) == ["ai.md#1"]
    assert ids(corpus, "laptpos", fuzzy=True) == ["en.md#1"]
    _, _, snippets = run_search(corpus, "laptpos", True, Filters(), 10, fuzzy=True)
    assert [snippets[0].text[s:e] for s, e in snippets[0].spans] == ["laptops"]


def test_analyze_command_shows_tokens_and_analyzers() -> None:
    result = cli("analyze", "인천국제공항 とうきょう", env={"COLUMNS": "150"})
    assert result.exit_code == 0
    for expected in ("인천국제공항", "트ウキョウ"[1:], "ko", "ja", "bigram"):
        assert expected in result.stdout
