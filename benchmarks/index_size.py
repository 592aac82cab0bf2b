"""Where an index's bytes go: its files by kind, and the stored fields before compression.

    python benchmarks/index_size.py FOLDER... [--index EXISTING] [--output out.json]

Indexes the folders by words (or reads --index), then prints the index's size against the
Markdown it holds, its files by Tantivy's kinds (`.store`: the stored fields, lz4-compressed by
Tantivy; `.idx`: postings; `.pos`: positions; `.term`: the term dictionary; `.fieldnorm`, `.fast`)
and each stored field's bytes as searchclip writes them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

from searchclip.index.reader import IndexReader
from searchclip.index.store import current_generation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--index", type=Path)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    text = sum(p.stat().st_size for f in args.folders for p in f.rglob("*.md") if p.is_file())
    with tempfile.TemporaryDirectory(prefix="size-") as tmp:
        root = args.index or Path(tmp) / "index"
        if args.index is None:
            env = {**os.environ, "SEARCHCLIP_AUTOSTART": "0"}
            command = ["searchclip", "index", *map(str, args.folders), "--index", str(root), "--no-embed", "-q"]
            subprocess.run(command, check=True, env=env)
        result = measure(root, text)
    print(f"Markdown {text / 1e6:.2f} MB; index {result['index_bytes'] / 1e6:.2f} MB = {result['ratio']:.3f}×")
    for name, size in result["files"].items():
        print(f"  {name:10} {size / 1e6:8.2f} MB  {size / result['index_bytes']:6.1%}")
    print("stored fields, as written (before the doc store's lz4):")
    for name, size in result["stored"].items():
        print(f"  {name:12} {size / 1e6:8.2f} MB")
    if args.output:
        args.output.write_text(json.dumps(result, indent=2), encoding="utf-8")


def measure(root: Path, text_bytes: int) -> dict:  # type: ignore[type-arg]
    gen = current_generation(root)
    assert gen is not None, f"no index at {root}"
    files: dict[str, int] = {}
    for entry in os.scandir(gen):
        if entry.is_file():
            kind = entry.name.rsplit(".", 1)[-1] if "." in entry.name else entry.name
            files[kind] = files.get(kind, 0) + entry.stat().st_size
    total = sum(files.values())
    stored = IndexReader(root).stored_bytes()
    return {
        "text_bytes": text_bytes,
        "index_bytes": total,
        "ratio": round(total / text_bytes, 3),
        "files": dict(sorted(files.items(), key=lambda kv: -kv[1])),
        "stored": dict(sorted(stored.items(), key=lambda kv: -kv[1])),
    }


if __name__ == "__main__":
    main()
