"""Loanwords across scripts: does `카프카` find a post about Kafka, `Kafka` one about 카프카?

Fifteen technology words (Kafka, Kotlin, cloud, Docker, …), each in a one-sentence post in English,
in Korean (written in Hangul: 카프카) and in Japanese (in katakana: カフカ); benchmarks/queries/loanwords.
For each language's fifteen posts, the queries are the fifteen words as the two other languages
spell them, and each query's one relevant post is the post of its word. Measured for the lexical,
dense and hybrid configurations of `searchclip bench relevance`, with its code.

    .venv/bin/python benchmarks/loanwords.py benchmarks/queries/loanwords
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from searchclip.bench.relevance import CONFIGS, Collection, run_benchmark, text_clipping

LANGS = ("en", "ko", "ja")


def collections(folder: Path) -> list[Collection]:
    posts = [json.loads(line) for line in (folder / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    words = [json.loads(line) for line in (folder / "words.jsonl").read_text(encoding="utf-8").splitlines()]
    out = []
    for lang in LANGS:
        docs = {p["_id"]: text_clipping(p["_id"], "", p["text"]) for p in posts if p["lang"] == lang}
        queries, qrels = {}, {}
        for word in words:
            for other in LANGS:
                if other != lang:
                    qid = f"{other}:{word['term']}→{lang}"
                    queries[qid] = word[other]
                    qrels[qid] = {f"{lang}-{word['term']}": 1}
        out.append(Collection(f"loanwords-{lang}", "loanwords", docs, queries, qrels))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--vector-cache", type=Path)
    args = parser.parse_args()
    configs = [CONFIGS[n] for n in ("searchclip", "dense", "searchclip-hybrid")]
    print(f"{'posts in':10} {'queries':>7} " + " ".join(f"{c.name + ' hit@1':>24} {'RR@10':>6}" for c in configs))
    totals = {c.name: [0.0, 0.0, 0] for c in configs}
    for coll in collections(args.folder):
        results = run_benchmark(coll, configs, vector_cache=args.vector_cache)
        cells = []
        for result in results:
            first = sum(1 for q in result.per_query.values() if q["RR@10"] == 1.0)
            cells.append(f"{first:>18}/{result.queries:<5} {result.measures['RR@10']:6.3f}")
            total = totals[result.config]
            total[0] += first
            total[1] += result.measures["RR@10"] * result.queries
            total[2] += result.queries
        print(f"{coll.name[10:]:10} {len(coll.queries):7} " + " ".join(cells))
    cells = [f"{t[0]:>18.0f}/{t[2]:<5} {t[1] / t[2]:6.3f}" for t in totals.values()]
    print(f"{'all':10} {sum(t[2] for t in totals.values()) // len(totals):7} " + " ".join(cells))


if __name__ == "__main__":
    main()
