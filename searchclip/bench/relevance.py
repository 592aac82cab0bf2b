"""Relevance benchmark: load a test set, index it per configuration, run its queries, score them.

Three inputs: a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv), a SQuAD-format JSON
file read as retrieval (each paragraph a document, each question's paragraph its one relevant
document; converted in memory, never stored) and a folder of clippings with a queries/qrels pair
whose corpus ids are clipping paths relative to the folder.

Every document becomes a `Clipping`, so the `searchclip` and `morph` configurations index it with
the real `make_documents` → `IndexWriter` path and query it with the real `QueryParser` →
`searcher.find` path. Test questions are natural language, not keyword lists, so they run
with match_all=False (any word may match, BM25 ranks), as `searchclip search --any` does.

BM25's k1 and b cannot be varied: Tantivy hard-codes k1=1.2, b=0.75 (private constants of its
bm25.rs) and tantivy-py 0.27 offers no other similarity, so only field weights are compared.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from searchclip.analyzers import Analyzer, Token, bigrams
from searchclip.analyzers.normalize import normalize
from searchclip.analyzers.script import Script, runs
from searchclip.errors import BenchmarkDataError, ClippingError, QuerySyntaxError
from searchclip.ingest.clippings import Clipping, Meta, Post, read_clipping
from searchclip.ingest.markup import prose_mask
from searchclip.search.hybrid import DEFAULT_FUSION, Fusion
from searchclip.search.query import QueryParser
from searchclip.search.ranking import Weights

DEPTH = 100  # documents ranked per query: enough for Recall@100
MEASURE_NAMES = ("nDCG@10", "RR@10", "R@100")
# Progress callback: (task label, done, total).
Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class Collection:
    """A test set in memory: documents as clippings keyed by corpus id, queries and judgments."""

    name: str
    kind: str  # "beir", "squad" or "clippings"
    docs: dict[str, Clipping]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]

    @property
    def posts(self) -> int:
        return sum(len(c.posts) for c in self.docs.values())


@dataclass(frozen=True, slots=True)
class Config:
    """One ranking setup to compare: which index it reads and with which field weights."""

    name: str
    index: str  # "searchclip": the real index; "plain": the baseline index of index/plain.py
    weights: Weights
    description: str
    expand: bool = False  # query expansion from the first results (`search --expand`)
    mode: str = "lexical"  # "hybrid" or "semantic": with the vectors of the bundled model
    fusion: Fusion = DEFAULT_FUSION


CONFIGS: dict[str, Config] = {
    c.name: c
    for c in (
        Config(
            "tantivy-default",
            "plain",
            Weights(body=1.0, title=1.0, bigrams=0.0, proximity=0.0),
            "Tantivy's `default` tokenizer on title and body, Tantivy's query parser (no boosts).",
        ),
        Config(
            "bigrams",
            "plain",
            Weights(body=1.0, title=2.0, bigrams=0.0, proximity=0.0),
            "CJK character bigrams alone, plus lowercased words for Latin text; title and body fields.",
        ),
        Config(
            "morph",
            "searchclip",
            Weights(body=1.0, title=2.0, bigrams=0.0, proximity=0.0),
            "searchclip's analysis alone (Kiwi, Sudachi, Snowball): no bigram field, no proximity bonus.",
        ),
        Config(
            "searchclip",
            "searchclip",
            Weights(),
            "What `searchclip search` runs: analysis + bigrams + proximity bonus, default weights.",
        ),
        Config(
            "searchclip-expand",
            "searchclip",
            Weights(),
            "`searchclip search --expand`: searchclip plus words of the 10 best posts (RM3 with Anserini's defaults).",
            expand=True,
        ),
        Config(
            "dense",
            "searchclip",
            Weights(),
            "The bundled model's vectors alone (`searchclip search --semantic`): exact cosine, best passage per post.",
            mode="semantic",
        ),
        Config(
            "searchclip-hybrid",
            "searchclip",
            Weights(),
            "What `searchclip search` runs when the index has vectors: searchclip's BM25 and the vectors, fused.",
            mode="hybrid",
        ),
    )
}


@dataclass(slots=True)
class ConfigResult:
    config: str
    description: str
    weights: dict[str, float]
    measures: dict[str, float]
    queries: int
    empty: int  # queries that matched no document at all
    missed: int  # queries without a relevant document in the top DEPTH
    requoted: int  # queries with an unbalanced quote, run again with quotes removed
    analysis_s: float
    indexing_s: float
    querying_s: float
    empty_ids: list[str] = field(default_factory=list)
    missed_ids: list[str] = field(default_factory=list)
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)


# ---------------------------------------------------------------- loading


def load_collection(
    path: Path,
    queries: Path | None = None,
    qrels: Path | None = None,
    distractors: Sequence[Path] = (),
) -> Collection:
    """Load a test set, detecting its format from the path; distractor documents are mixed in."""
    if path.is_dir() and (path / "corpus.jsonl").is_file():
        coll = load_beir(path, queries, qrels)
    elif path.is_file() and path.suffix.lower() == ".json":
        if bool(queries) != bool(qrels):
            raise BenchmarkDataError("name both --queries and --qrels, or neither, with a SQuAD file")
        coll = load_squad(path)
        if queries and qrels:  # other questions about its paragraphs (ids `title#N`): in other languages
            coll = _checked(replace(coll, queries=read_queries(queries), qrels=read_qrels(qrels)))
    elif path.is_dir():
        if not (queries and qrels):
            raise BenchmarkDataError(f"{path} is a folder of clippings: name its queries with --queries and --qrels")
        coll = load_clippings(path, queries, qrels)
    else:
        raise BenchmarkDataError(f"{path}: not a BEIR folder, a SQuAD .json file or a folder of clippings")
    for number, extra in enumerate(distractors, 1):
        add_distractors(coll, extra, f"~distractor{number}/")
    return coll


def load_beir(folder: Path, queries: Path | None = None, qrels: Path | None = None) -> Collection:
    docs = load_beir_corpus(folder)
    texts = read_queries(queries or folder / "queries.jsonl")
    judged = read_qrels(qrels or folder / "qrels" / "test.tsv")
    # BEIR downloads keep each set in a folder of its own name, or under <name>/beir.
    name = folder.resolve().parent.name if folder.name.lower() == "beir" else folder.name
    return _checked(Collection(name, "beir", docs, texts, judged))


def load_squad(file: Path) -> Collection:
    """SQuAD JSON as retrieval: paragraph `title#N` is the one relevant document of its questions."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BenchmarkDataError(f"{file}: not a SQuAD-format JSON file ({exc})") from exc
    docs: dict[str, Clipping] = {}
    texts: dict[str, str] = {}
    judged: dict[str, dict[str, int]] = {}
    numbers: Counter[str] = Counter()
    for a, article in enumerate(data if isinstance(data, list) else [], 1):
        for p, paragraph in enumerate(_squad_list(article, "paragraphs", file, f"article {a}"), 1):
            where = f"article {a}, paragraph {p}"
            title, text = _split_sep_title(
                str(article.get("title", "")), str(_squad_field(paragraph, "context", file, where))
            )
            numbers[title] += 1
            doc_id = f"{title}#{numbers[title]}"
            docs[doc_id] = text_clipping(doc_id, title, text)
            for qa in _squad_list(paragraph, "qas", file, where):
                qid = str(_squad_field(qa, "id", file, where))
                texts[qid] = str(_squad_field(qa, "question", file, f"{where}, question {qid}"))
                judged[qid] = {doc_id: 1}
    if not docs:
        raise BenchmarkDataError(f"{file}: a SQuAD file without paragraphs (no 'data' list of articles)")
    return _checked(Collection(file.stem, "squad", docs, texts, judged))


def _squad_field(item: object, name: str, file: Path, where: str) -> object:
    if not isinstance(item, dict) or name not in item:
        raise BenchmarkDataError(f"{file}: {where} has no {name!r}: not a SQuAD-format JSON file")
    return item[name]


def _squad_list(item: object, name: str, file: Path, where: str) -> list[Any]:
    found = item.get(name, []) if isinstance(item, dict) else None
    if not isinstance(found, list):
        raise BenchmarkDataError(f"{file}: {where}: {name!r} is not a list: not a SQuAD-format JSON file")
    return found


def load_clippings(folder: Path, queries: Path, qrels: Path) -> Collection:
    """A folder of clippings; corpus ids are paths relative to it, with "/" separators."""
    docs = read_clipping_folder(folder, prefix="")
    return _checked(Collection(folder.name, "clippings", docs, read_queries(queries), read_qrels(qrels)))


def add_distractors(coll: Collection, path: Path, prefix: str) -> None:
    """Mix the documents of another folder or data set into the corpus, under ids no qrels name."""
    if path.is_dir() and (path / "corpus.jsonl").is_file():
        found = {prefix + k: v for k, v in load_beir_corpus(path).items()}
    elif path.is_file() and path.suffix.lower() == ".json":
        found = {prefix + k: v for k, v in load_squad(path).docs.items()}
    elif path.is_dir():
        found = read_clipping_folder(path, prefix)
    else:
        raise BenchmarkDataError(f"distractor {path}: not a BEIR folder, a SQuAD .json file or a folder")
    coll.docs.update(found)


def load_beir_corpus(folder: Path) -> dict[str, Clipping]:
    docs = {}
    for n, row in _jsonl(folder / "corpus.jsonl"):
        doc_id = _field(row, "_id", folder / "corpus.jsonl", n)
        docs[doc_id] = text_clipping(doc_id, str(row.get("title") or ""), str(row.get("text") or ""))
    return docs


def read_clipping_folder(folder: Path, prefix: str) -> dict[str, Clipping]:
    """Every clipping `searchclip index` would read under `folder`, keyed by prefix + relative path."""
    from searchclip.ingest.scan import scan

    docs = {}
    for source in scan([folder]).sources:
        try:
            clipping = read_clipping(source.path, source.root)
        except ClippingError:
            continue  # `searchclip index` skips it too (and reports it)
        docs[prefix + unicodedata.normalize("NFC", clipping.path)] = clipping
    if not docs:
        raise BenchmarkDataError(f"{folder}: no clippings (*.md files) found")
    return docs


def text_clipping(doc_id: str, title: str, text: str) -> Clipping:
    """A plain document as a one-post clipping, so it takes the same path as a clipping file."""
    post = Post(id=f"{doc_id}#1", path=doc_id, number=1, text=text, line=1)
    return Clipping(doc_id, Meta(title=title), (post,))


def read_queries(file: Path) -> dict[str, str]:
    """BEIR queries.jsonl: one {"_id": ..., "text": ...} object a line."""
    return {_field(row, "_id", file, n): _field(row, "text", file, n) for n, row in _jsonl(file)}


def read_qrels(file: Path) -> dict[str, dict[str, int]]:
    """BEIR qrels TSV: query-id, corpus-id, integer score; an optional header line."""
    judged: dict[str, dict[str, int]] = {}
    for n, line in enumerate(_lines(file), 1):
        if not line.strip():
            continue
        parts = line.rstrip("\r\n").split("\t")
        if n == 1 and parts[:2] == ["query-id", "corpus-id"]:
            continue
        if len(parts) != 3 or not parts[2].strip().lstrip("-").isdigit():
            raise BenchmarkDataError(f"{file}:{n}: expected 'query-id<TAB>corpus-id<TAB>integer score', got {line!r}")
        judged.setdefault(parts[0], {})[unicodedata.normalize("NFC", parts[1])] = int(parts[2])
    if not judged:
        raise BenchmarkDataError(f"{file}: no judgments")
    return judged


def limit_queries(coll: Collection, count: int, seed: int = 0) -> Collection:
    """A random sample of `count` judged queries (the same for the same seed), corpus unchanged."""
    if count >= len(coll.qrels):
        return coll
    keep = sorted(random.Random(seed).sample(sorted(coll.qrels), count))
    return replace(coll, queries={q: coll.queries[q] for q in keep}, qrels={q: coll.qrels[q] for q in keep})


def _checked(coll: Collection) -> Collection:
    """Judgments must name known queries and documents; queries nobody judged are left out (as BEIR does)."""
    for qid, docs in coll.qrels.items():
        if qid not in coll.queries:
            raise BenchmarkDataError(f"the qrels name query {qid!r}, which is not among the queries")
        unknown = [d for d in docs if d not in coll.docs]
        if unknown:
            raise BenchmarkDataError(f"the qrels of query {qid!r} name {unknown[0]!r}, which is not in the corpus")
    coll.queries = {q: t for q, t in coll.queries.items() if q in coll.qrels}
    return coll


def _split_sep_title(title: str, context: str) -> tuple[str, str]:
    """JSQuAD contexts open with `title [SEP] `: move that into the title."""
    head, sep, rest = context.partition(" [SEP] ")
    return (head.strip() or title, rest) if sep else (title, context)


def _lines(file: Path) -> list[str]:
    try:
        return file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BenchmarkDataError(f"{file}: {exc.strerror or exc}") from exc


def _jsonl(file: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(_lines(file), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise BenchmarkDataError(f"{file}:{n}: not a JSON object ({exc})") from exc
        if not isinstance(row, dict):
            raise BenchmarkDataError(f"{file}:{n}: not a JSON object")
        yield n, row


def _field(row: dict[str, Any], name: str, file: Path, n: int) -> str:
    if name not in row:
        raise BenchmarkDataError(f"{file}:{n}: the line has no {name!r}")
    return unicodedata.normalize("NFC", str(row[name]))


# ---------------------------------------------------------------- running


def run_benchmark(
    coll: Collection,
    configs: Sequence[Config],
    work: Path | None = None,
    progress: Progress | None = None,
    per_clipping: bool = True,
    vector_cache: Path | None = None,
) -> list[ConfigResult]:
    """Index the collection once per index kind the configs need, run every config, score it.
    Configs with vectors embed the collection once (reusing `vector_cache`, a folder, if given)."""
    analyzer = Analyzer()
    with tempfile.TemporaryDirectory(prefix="searchclip-bench-", dir=work) as tmp:
        built: dict[str, tuple[Any, float, float]] = {}
        vectors: Vectors | None = None
        results = []
        for config in configs:
            if config.index not in built:
                if config.index == "searchclip":
                    built[config.index] = _build_searchclip(coll, Path(tmp) / config.index, analyzer, progress)
                else:
                    built[config.index] = _build_plain(coll, Path(tmp) / config.index, progress)
            searcher, analysis_s, indexing_s = built[config.index]
            if config.mode != "lexical" and vectors is None:
                vectors = _embed(coll, Path(tmp) / config.index, vector_cache, progress)
            ranked, requoted, querying_s = _run_queries(
                coll, config, searcher, QueryParser(analyzer), progress, per_clipping, vectors
            )
            if config.mode != "lexical" and vectors is not None:
                indexing_s += vectors.seconds
            results.append(_score(coll, config, ranked, requoted, analysis_s, indexing_s, querying_s))
        if vectors is not None:
            vectors.save_queries()
        return results


@dataclass(slots=True)
class Vectors:
    """A collection's passage vectors and a cache of its query vectors (kept in `cache`, if given)."""

    dense: Any  # index.dense.DenseIndex
    embedder: Any  # embed.model.Embedder
    seconds: float  # spent embedding the passages this run
    cache: Path | None
    queries: dict[str, Any] = field(default_factory=dict)  # text hash → float32 vector
    fresh: bool = False

    def query(self, text: str) -> Any:
        import hashlib

        key = hashlib.blake2b(f"{_model(self.embedder)}\0{text}".encode(), digest_size=16).hexdigest()
        if key not in self.queries:
            self.queries[key], self.fresh = self.embedder.embed_query(text), True
        return self.queries[key]

    def save_queries(self) -> None:
        if self.cache is not None and self.fresh:
            import numpy as np

            np.savez(self.cache / "queries.npz", **self.queries)


def _model(embedder: Any) -> str:
    from searchclip.embed.model import model_id

    return model_id(embedder)


def _embed(coll: Collection, root: Path, cache: Path | None, progress: Progress | None) -> Vectors:
    """Embed the searchclip index at `root` with the bundled model, through `searchclip embed`'s code."""
    import shutil

    import numpy as np

    from searchclip.embed.model import default_embedder
    from searchclip.index.dense import DenseIndex
    from searchclip.index.vectors import STORE, VectorStore
    from searchclip.ingest.embedding import embed_index

    embedder = default_embedder()
    stored = cache / f"{_safe_name(coll.name)}.sqlite" if cache else None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    if stored is not None and stored.is_file():
        shutil.copyfile(stored, root / STORE)

    def report(done: int, total: int, _passages: int) -> None:
        if progress:
            progress("embedding", done, total)

    started = time.perf_counter()
    embed_index(root, embedder, report)
    seconds = time.perf_counter() - started
    if stored is not None:
        shutil.copyfile(root / STORE, stored)  # closed, so checkpointed: the one file holds it all
    store = VectorStore(root)
    dense = DenseIndex(store.rows(_model(embedder), embedder.dimension))
    store.close()
    queries: dict[str, Any] = {}
    if cache is not None and (cache / "queries.npz").is_file():
        with np.load(cache / "queries.npz") as saved:
            queries = {k: saved[k] for k in saved.files}
    return Vectors(dense, embedder, seconds, cache, queries)


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _build_searchclip(
    coll: Collection, root: Path, analyzer: Analyzer, progress: Progress | None
) -> tuple[Any, float, float]:
    import hashlib

    from searchclip.index.fields import index_version
    from searchclip.index.reader import IndexReader
    from searchclip.index.store import FileState, Manifest, new_generation, publish, write_manifest
    from searchclip.index.writer import IndexWriter
    from searchclip.ingest.documents import make_documents

    gen = new_generation(root)
    writer = IndexWriter(gen)
    manifest = Manifest(index_version(analyzer.version))
    analysis_s = indexing_s = 0.0
    for done, (doc_id, clipping) in enumerate(coll.docs.items(), 1):
        started = time.perf_counter()
        docs = make_documents(clipping, doc_id, analyzer)  # `file` carries the corpus id back in hits
        analysis_s += time.perf_counter() - started
        started = time.perf_counter()
        writer.add(docs)
        indexing_s += time.perf_counter() - started
        text = "\0".join([clipping.meta.title, *(p.text for p in clipping.posts)])
        digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        manifest.files[doc_id] = FileState(len(text), 0, digest, len(docs), doc_id)
        if progress:
            progress("indexing (searchclip)", done, len(coll.docs))
    started = time.perf_counter()
    writer.commit()
    write_manifest(gen, manifest)  # what `searchclip index` writes too: embedding reads it
    publish(root, gen)
    indexing_s += time.perf_counter() - started
    return IndexReader(root), analysis_s, indexing_s


def _build_plain(coll: Collection, root: Path, progress: Progress | None) -> tuple[Any, float, float]:
    from searchclip.index.plain import PlainDocument, PlainReader, write_plain_index

    started = time.perf_counter()
    docs = []
    for done, (doc_id, clipping) in enumerate(coll.docs.items(), 1):
        title = clipping.meta.title
        title_grams = tuple(gram_tokens(title))
        for post in clipping.posts:
            prose = post.prose or prose_mask(post.text)  # the text make_documents analyzes
            docs.append(PlainDocument(doc_id, title, post.text, title_grams, tuple(gram_tokens(prose))))
        if progress:
            progress("analyzing (plain)", done, len(coll.docs))
    analysis_s = time.perf_counter() - started
    started = time.perf_counter()
    write_plain_index(root, docs)
    indexing_s = time.perf_counter() - started
    return PlainReader(root), analysis_s, indexing_s


def gram_tokens(text: str) -> list[Token]:
    """The `bigrams` config's terms: CJK character bigrams and lowercased words of other scripts."""
    norm = normalize(text).text
    words = [
        Token(norm[r.start : r.end].lower(), r.start, r.end, tag="word", analyzer="word")
        for r in runs(norm)
        if r.script is Script.WORD
    ]
    return sorted([*bigrams(text), *words], key=lambda t: t.start)


def _run_queries(
    coll: Collection,
    config: Config,
    searcher: Any,
    parser: QueryParser,
    progress: Progress | None,
    per_clipping: bool = True,
    vectors: Vectors | None = None,
) -> tuple[dict[str, list[str]], int, float]:
    # Clippings have many posts each: fetch deeper, then keep each clipping's first rank.
    fetch = DEPTH if all(len(c.posts) == 1 for c in coll.docs.values()) else DEPTH * 10
    ranked: dict[str, list[str]] = {}
    requoted = 0
    started = time.perf_counter()
    for done, (qid, text) in enumerate(coll.queries.items(), 1):
        ids, fixed = _query(config, searcher, parser, text, fetch, vectors)
        requoted += fixed
        ranked[qid] = (list(dict.fromkeys(ids)) if per_clipping else every_post(ids))[:DEPTH]
        if progress:
            progress(f"querying ({config.name})", done, len(coll.queries))
    return ranked, requoted, time.perf_counter() - started


def _query(
    config: Config, searcher: Any, parser: QueryParser, text: str, fetch: int, vectors: Vectors | None = None
) -> tuple[list[str], bool]:
    w = config.weights
    if config.name == "tantivy-default":
        return searcher.parsed(text, w.title, w.body, fetch), False
    if config.index == "plain":
        return searcher.grams([t.term for t in gram_tokens(text)], w.title, w.body, fetch), False
    from searchclip.search.searcher import find, find_hybrid, prepared

    try:
        plan, fixed = parser.parse(text, match_all=False, expand=config.expand), False
    except QuerySyntaxError:
        # An unbalanced quote in a question: `searchclip search` would refuse it; a user retypes it.
        plan, fixed = parser.parse(_strip_quotes(text), match_all=False, expand=config.expand), True
    plan = prepared(plan, searcher)
    if config.mode == "lexical" or vectors is None:
        return [hit.file for hit in find(searcher, plan, w, fetch).hits], fixed
    results, _, _ = find_hybrid(
        searcher, vectors.dense, plan, vectors.query(text), w, fetch, collapse=False, fusion=config.fusion,
        semantic_only=config.mode == "semantic",
    )  # fmt: skip
    return [hit.file for hit in results.hits], fixed


def every_post(clippings: list[str]) -> list[str]:
    """A ranking of posts as `search --posts` shows them, one entry a post: a clipping's second and
    later posts are entries that find nothing new (ids no judgment names)."""
    seen: Counter[str] = Counter()
    ranked = []
    for clipping in clippings:
        seen[clipping] += 1
        ranked.append(clipping if seen[clipping] == 1 else f"{clipping}//post {seen[clipping]}")  # no path has //
    return ranked


def _strip_quotes(text: str) -> str:
    return text.translate({ord(c): " " for c in '"“”「」'})


# ---------------------------------------------------------------- scoring


def score_run(qrels: dict[str, dict[str, int]], ranked: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Per-query nDCG@10, RR@10 and R@100 by ir-measures; a query with no results scores 0."""
    import ir_measures
    from ir_measures import RR, R, nDCG

    measures = {"nDCG@10": nDCG @ 10, "RR@10": RR @ 10, "R@100": R @ 100}
    qrel_rows = [ir_measures.Qrel(q, d, rel) for q, docs in qrels.items() for d, rel in docs.items()]
    # Scores from ranks, so ir-measures keeps our order exactly (it would break score ties by doc id).
    run_rows = [
        ir_measures.ScoredDoc(q, d, float(len(ids) - rank)) for q, ids in ranked.items() for rank, d in enumerate(ids)
    ]
    per_query = {q: dict.fromkeys(measures, 0.0) for q in qrels}
    names = {str(m): name for name, m in measures.items()}
    for metric in ir_measures.iter_calc(list(measures.values()), qrel_rows, run_rows):
        if metric.query_id in per_query:
            per_query[metric.query_id][names[str(metric.measure)]] = float(metric.value)
    return per_query


def mean_measures(per_query: dict[str, dict[str, float]]) -> dict[str, float]:
    """Means over every judged query (ir-measures alone would skip queries without results)."""
    count = max(1, len(per_query))
    return {name: sum(q[name] for q in per_query.values()) / count for name in MEASURE_NAMES}


def _score(
    coll: Collection,
    config: Config,
    ranked: dict[str, list[str]],
    requoted: int,
    analysis_s: float,
    indexing_s: float,
    querying_s: float,
) -> ConfigResult:
    per_query = score_run(coll.qrels, ranked)
    missed = [q for q, ids in ranked.items() if not any(coll.qrels[q].get(d, 0) > 0 for d in ids)]
    empty = [q for q, ids in ranked.items() if not ids]
    return ConfigResult(
        config=config.name,
        description=config.description,
        weights=asdict(config.weights),
        measures=mean_measures(per_query),
        queries=len(ranked),
        empty=len(empty),
        missed=len(missed),
        requoted=requoted,
        analysis_s=analysis_s,
        indexing_s=indexing_s,
        querying_s=querying_s,
        empty_ids=empty,
        missed_ids=missed,
        per_query=per_query,
    )


# ---------------------------------------------------------------- output


def results_json(coll: Collection, results: Sequence[ConfigResult]) -> dict[str, Any]:
    return {
        "dataset": {
            "name": coll.name,
            "kind": coll.kind,
            "documents": len(coll.docs),
            "posts": coll.posts,
            "queries": len(coll.queries),
        },
        "depth": DEPTH,
        "match_all": False,
        "results": [asdict(r) for r in results],
    }


def write_plot(coll: Collection, results: Sequence[ConfigResult], file: Path) -> None:
    """A grouped bar chart, config × measure, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.2 + 1.6 * len(MEASURE_NAMES), 4.2))
    width = 0.8 / max(1, len(results))
    for i, result in enumerate(results):
        xs = [m + i * width for m in range(len(MEASURE_NAMES))]
        values = [result.measures[name] for name in MEASURE_NAMES]
        bars = ax.bar(xs, values, width, label=result.config)
        ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=2)
    ax.set_xticks([m + width * (len(results) - 1) / 2 for m in range(len(MEASURE_NAMES))], MEASURE_NAMES)
    ax.set_ylim(0, 1.08)
    ax.set_title(f"{coll.name}: {len(coll.queries):,} queries, {len(coll.docs):,} documents")
    # Below the axes: inside, it would hide the bars near 1.0.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(results), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(file, dpi=120)
    plt.close(fig)
