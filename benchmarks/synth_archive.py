"""Generate a synthetic clipping archive in the real Obsidian Web Clipper format, for rebuild benchmarks.

    python benchmarks/synth_archive.py OUT_DIR --data ../shared/data --files 20000

Paragraphs come from the QA sets and real clippings under --data (KorQuAD, JSQuAD, Cranfield and the
clipping folders). The archive is written to OUT_DIR only, never into the repository: KorQuAD's
licence allows no stored modified copies, so delete OUT_DIR after the benchmark. Seeded: the same
arguments give the same archive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = (("ko-thread", 0.40), ("ja-thread", 0.25), ("en-article", 0.20), ("mixed-thread", 0.15))
FILES_PER_FOLDER = 200
MAX_PARAGRAPH = 700


@dataclass(frozen=True)
class Pools:
    ko: list[str]
    ja: list[str]
    en: list[str]


def load_pools(data: Path) -> Pools:
    ko = _squad(data / "korquad_v1_dev" / "KorQuAD_v1.0_dev.json")
    ja = [c.split(" [SEP] ", 1)[-1] for c in _squad(data / "jsquad_v1.3_valid" / "valid-v1.3.json")]
    en = [json.loads(line)["text"] for line in (data / "cranfield" / "beir" / "corpus.jsonl").open(encoding="utf-8")]
    for folder, pool in (
        ("clippings_ko_digital_garden", ko),
        ("notes_ko_digital_garden", ko),
        ("clippings_ja_open_clippings", ja),
    ):
        pool.extend(_clipping_paragraphs(data / folder))
    return Pools(ko, ja, [p for p in en if len(p) > 80])


def _squad(path: Path) -> list[str]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [p["context"] for article in raw["data"] for p in article["paragraphs"]]


def _clipping_paragraphs(folder: Path) -> list[str]:
    paragraphs = []
    for file in sorted(folder.rglob("*.md")):
        body = re.sub(r"\A---\n.*?\n---\n", "", file.read_text(encoding="utf-8", errors="replace"), flags=re.S)
        paragraphs.extend(p.strip() for p in body.split("\n\n") if len(p.strip()) > 60)
    return paragraphs


def generate(out: Path, pools: Pools, files: int, seed: int = 7) -> tuple[int, int]:
    rng = random.Random(seed)
    posts = 0
    kinds, weights = zip(*KINDS, strict=True)
    for i in range(files):
        kind = rng.choices(kinds, weights)[0]
        folder = out / f"folder{i // FILES_PER_FOLDER:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        text, count = _clipping(i, kind, pools, rng)
        name = f"Thread by @user{i:05d}.md" if "thread" in kind else f"Article {i:05d}.md"
        (folder / name).write_text(text, encoding="utf-8")
        posts += count
    return files, posts


def _clipping(i: int, kind: str, pools: Pools, rng: random.Random) -> tuple[str, int]:
    date = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
    if kind == "en-article":
        body = "\n\n".join(_paragraph(pools.en, rng) for _ in range(rng.randint(3, 8)))
        meta = _front_matter(f"Article {i}", f"https://example.com/a/{i}", f"[[Author {i % 97}]]", date)
        return meta + f"# Article {i}\n\n{body}\n", 1
    lang_pool = pools.ko if kind in ("ko-thread", "mixed-thread") else pools.ja
    handle = f"user{i:05d}"
    posts = []
    for n in range(rng.randint(4, 9)):
        pool = lang_pool
        if kind == "mixed-thread" and n % 3 == 1:
            pool = pools.ja  # a Japanese ad or reply inside a Korean thread
        elif kind == "mixed-thread" and n % 3 == 2:
            pool = pools.en
        who = handle if n == 0 else f"reply{rng.randrange(5000):04d}"
        header = f"**Name {who}** @{who} [{date}](https://x.com/{who}/status/{i * 10 + n})"
        image = f"\n\n![Image](https://pbs.twimg.com/media/{i}_{n}?format=jpg)" if rng.random() < 0.3 else ""
        posts.append(f"{header}\n\n{_paragraph(pool, rng)}{image}")
    meta = _front_matter(f"Thread by @{handle}", f"https://x.com/{handle}/status/{i}", f"[[@{handle}]]", date)
    return meta + "\n\n---\n\n".join(posts) + "\n", len(posts)


def _paragraph(pool: list[str], rng: random.Random) -> str:
    return pool[rng.randrange(len(pool))][:MAX_PARAGRAPH]


def _front_matter(title: str, source: str, author: str, date: dt.date) -> str:
    created = date + dt.timedelta(days=1)
    return (
        f'---\ntitle: "{title}"\nsource: "{source}"\nauthor:\n  - "{author}"\npublished: {date}\n'
        f'created: {created}\ndescription: ""\ntags:\n  - "clippings"\n---\n'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files, posts = generate(args.out, load_pools(args.data), args.files, args.seed)
    print(f"wrote {files:,} clippings with {posts:,} posts to {args.out}")


if __name__ == "__main__":
    main()
