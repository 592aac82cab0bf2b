"""The relevance benchmark on tiny hand-made collections: loading, metric plumbing, errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from helpers import cli

from searchclip.bench import relevance as bm
from searchclip.errors import SearchclipError


def _write_jsonl(file: Path, rows: list[dict[str, str]]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _write_qrels(file: Path, rows: list[tuple[str, str, int]]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    lines = ["query-id\tcorpus-id\tscore", *(f"{q}\t{d}\t{s}" for q, d, s in rows)]
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def beir(tmp_path: Path) -> Path:
    folder = tmp_path / "beir"
    docs = [
        {"_id": "d1", "title": "Penguins", "text": "Penguins live in Antarctica and eat fish."},
        {"_id": "d2", "title": "Camels", "text": "Camels cross the desert for days without water."},
        {"_id": "d3", "title": "Volcanoes", "text": "Volcanoes erupt molten lava and ash."},
    ]
    _write_jsonl(folder / "corpus.jsonl", docs)
    queries = [
        {"_id": "q1", "text": "where do penguins live?"},
        {"_id": "q2", "text": "camels in the desert"},
        {"_id": "q3", "text": "quantum chromodynamics"},
        {"_id": "unjudged", "text": "nobody judged this one"},
    ]
    _write_jsonl(folder / "queries.jsonl", queries)
    _write_qrels(folder / "qrels" / "test.tsv", [("q1", "d1", 1), ("q2", "d2", 2), ("q3", "d3", 1)])
    return folder


# ---------------------------------------------------------------- metric plumbing


def test_scores_follow_the_given_ranking_exactly() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"a": 2, "b": 1}, "q3": {"a": 1}}
    ranked = {"q1": ["b", "a"], "q2": ["b", "a"], "q3": []}
    per_query = bm.score_run(qrels, ranked)
    assert per_query["q1"]["nDCG@10"] == pytest.approx(1 / math.log2(3))
    assert per_query["q1"]["RR@10"] == pytest.approx(0.5)
    # trec_eval's nDCG: linear gains, so b (1) then a (2) against the ideal a then b.
    ideal = 2 + 1 / math.log2(3)
    assert per_query["q2"]["nDCG@10"] == pytest.approx((1 + 2 / math.log2(3)) / ideal)
    assert per_query["q2"]["R@100"] == pytest.approx(1.0)
    assert per_query["q3"] == {"nDCG@10": 0.0, "RR@10": 0.0, "R@100": 0.0}
    means = bm.mean_measures(per_query)
    # A query without results counts as 0 in the mean instead of being left out.
    assert means["RR@10"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)


def test_equal_scores_keep_our_order() -> None:
    # Ranks become scores, so ir-measures cannot reorder documents by their ids.
    per_query = bm.score_run({"q": {"z": 1}}, {"q": ["z", "a", "b"]})
    assert per_query["q"]["RR@10"] == 1.0


# ---------------------------------------------------------------- the three inputs, end to end


def test_beir_folder_runs_every_config(beir: Path) -> None:
    coll = bm.load_collection(beir)
    assert coll.kind == "beir"
    assert sorted(coll.queries) == ["q1", "q2", "q3"]  # the unjudged query is left out
    results = {r.config: r for r in bm.run_benchmark(coll, list(bm.CONFIGS.values()))}
    assert set(results) == set(bm.CONFIGS)
    for name in ("searchclip", "morph", "bigrams", "tantivy-default"):
        result = results[name]
        assert result.per_query["q1"]["nDCG@10"] == 1.0, name
        assert result.per_query["q2"]["nDCG@10"] == 1.0, name
        assert result.measures["nDCG@10"] == pytest.approx(2 / 3), name
        assert result.empty == 1 and result.missed == 1, name


def test_squad_file_paragraphs_are_documents(tmp_path: Path) -> None:
    data = {
        "data": [
            {
                "title": "富士山",
                "paragraphs": [
                    {
                        "context": "富士山 [SEP] 富士山は日本で最も高い山である。",
                        "qas": [{"id": "a1", "question": "日本で一番高い山は何ですか", "answers": []}],
                    },
                    {
                        "context": "富士山 [SEP] 山梨県と静岡県にまたがる活火山である。",
                        "qas": [{"id": "a2", "question": "どの県にまたがる火山か", "answers": []}],
                    },
                ],
            },
            {
                "title": "서울",
                "paragraphs": [
                    {
                        "context": "서울은 대한민국의 수도이다.",
                        "qas": [{"id": "k1", "question": "대한민국의 수도는 어디인가?", "answers": []}],
                    }
                ],
            },
        ]
    }
    file = tmp_path / "squad.json"
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    coll = bm.load_collection(file)
    assert coll.kind == "squad"
    assert list(coll.docs) == ["富士山#1", "富士山#2", "서울#1"]
    first = coll.docs["富士山#1"]
    assert first.meta.title == "富士山"
    assert first.posts[0].text == "富士山は日本で最も高い山である。"  # the [SEP] prefix went to the title
    assert coll.qrels == {"a1": {"富士山#1": 1}, "a2": {"富士山#2": 1}, "k1": {"서울#1": 1}}
    (result,) = bm.run_benchmark(coll, [bm.CONFIGS["searchclip"]])
    assert result.measures["R@100"] == 1.0
    assert result.per_query["k1"]["RR@10"] == 1.0


@pytest.mark.parametrize(
    ("paragraph", "message"),
    [
        ({"qas": []}, "article 1, paragraph 1 has no 'context'"),
        ({"context": "본문", "qas": [{"id": "q1"}]}, "article 1, paragraph 1, question q1 has no 'question'"),
        ({"context": "본문", "qas": [{"question": "무엇?"}]}, "article 1, paragraph 1 has no 'id'"),
        ({"context": "본문", "qas": "none"}, "article 1, paragraph 1: 'qas' is not a list"),
    ],
)
def test_malformed_squad_file_is_one_clear_error(tmp_path: Path, paragraph: dict[str, object], message: str) -> None:
    file = tmp_path / "squad.json"
    file.write_text(json.dumps({"data": [{"title": "t", "paragraphs": [paragraph]}]}), encoding="utf-8")
    with pytest.raises(bm.BenchmarkDataError, match=f"squad.json: {message}"):
        bm.load_collection(file)
    result = cli("bench", "relevance", str(file), env={})
    assert result.exit_code == 2
    assert result.stderr.startswith("searchclip: error: ") and result.stderr.count("\n") == 1


def test_clippings_folder_counts_a_post_hit_for_its_clipping(tmp_path: Path) -> None:
    folder = tmp_path / "clippings"
    (folder / "threads").mkdir(parents=True)
    (folder / "threads" / "alice.md").write_text(
        "---\ntitle: Thread by @alice\ntags: [clippings]\n---\n"
        "**Alice** @alice [2025-01-02](https://x.com/alice/status/1)\n\nTomatoes need full sun.\n\n---\n\n"
        "**Alice** @alice [2025-01-02](https://x.com/alice/status/2)\n\nSourdough bread rises overnight.\n",
        encoding="utf-8",
    )
    (folder / "volcano.md").write_text("---\ntitle: Volcanoes\n---\nLava flows downhill.\n", encoding="utf-8")
    _write_jsonl(tmp_path / "q.jsonl", [{"_id": "b", "text": "overnight sourdough"}])
    _write_qrels(tmp_path / "qrels.tsv", [("b", "threads/alice.md", 1)])
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "bread.md").write_text("---\ntitle: Bread\n---\nBaking bread at home.\n", encoding="utf-8")
    coll = bm.load_collection(folder, tmp_path / "q.jsonl", tmp_path / "qrels.tsv", [extra])
    assert coll.kind == "clippings"
    assert sorted(coll.docs) == ["threads/alice.md", "volcano.md", "~distractor1/bread.md"]
    assert coll.posts == 4
    for result in bm.run_benchmark(coll, [bm.CONFIGS["searchclip"], bm.CONFIGS["bigrams"]]):
        assert result.per_query["b"]["RR@10"] == 1.0, result.config


def test_gram_tokens_are_bigrams_and_plain_words() -> None:
    assert [t.term for t in bm.gram_tokens("검색엔진 Running")] == ["검색", "색엔", "엔진", "running"]


# ---------------------------------------------------------------- errors


def test_malformed_qrels_line_names_file_and_line(beir: Path) -> None:
    bad = beir / "qrels" / "bad.tsv"
    bad.write_text("query-id\tcorpus-id\tscore\nq1\td1\n", encoding="utf-8")
    with pytest.raises(bm.BenchmarkDataError, match=r"bad\.tsv:2: expected"):
        bm.load_collection(beir, qrels=bad)


def test_unknown_document_id_is_an_error(beir: Path) -> None:
    bad = beir / "qrels" / "unknown.tsv"
    _write_qrels(bad, [("q1", "d9", 1)])
    with pytest.raises(bm.BenchmarkDataError, match="'d9', which is not in the corpus"):
        bm.load_collection(beir, qrels=bad)


def test_unknown_query_id_is_an_error(beir: Path) -> None:
    bad = beir / "qrels" / "unknown.tsv"
    _write_qrels(bad, [("q9", "d1", 1)])
    with pytest.raises(bm.BenchmarkDataError, match="query 'q9'"):
        bm.load_collection(beir, qrels=bad)


def test_clippings_folder_needs_queries(tmp_path: Path) -> None:
    with pytest.raises(bm.BenchmarkDataError, match="--queries"):
        bm.load_collection(tmp_path)
    assert issubclass(bm.BenchmarkDataError, SearchclipError)


# ---------------------------------------------------------------- the command


def test_command_prints_table_and_writes_json_and_plot(beir: Path, tmp_path: Path) -> None:
    out, png = tmp_path / "out.json", tmp_path / "out.png"
    args = ["relevance", str(beir), "-c", "searchclip", "-c", "bigrams", "-w", "title=1", "--output", str(out)]
    result = cli("bench", *args, "--plot", str(png), env={})
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "searchclip" in (result.stdout + result.stderr) and "nDCG@10" in (result.stdout + result.stderr)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["config"] for r in data["results"]] == ["searchclip", "bigrams"]
    assert data["results"][0]["weights"]["title"] == 1.0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_command_reports_bad_input_in_one_line(beir: Path) -> None:
    result = cli("bench", "relevance", str(beir), "-c", "nope", env={})
    assert result.exit_code == 2
    assert "unknown config 'nope'" in (result.stdout + result.stderr)
