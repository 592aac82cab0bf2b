"""Japanese with Sudachi (sudachipy, core dictionary): normalized forms of content words.

Words are taken in Sudachi's longest unit (mode C, `関西国際空港`) and, for indexing, also as their
shortest parts (mode A: `関西`, `国際`, `空港`) at the same position, as kuromoji's search mode
does: `空港` finds `関西国際空港` while the whole compound still ranks first for itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from searchclip.analyzers import settings
from searchclip.analyzers.token import Token

# Sudachi refuses input over 49,149 bytes; kana and kanji take 3 bytes (4 beyond the BMP).
MAX_CHARS = 12_000


@cache
def tokenizer():
    from sudachipy import Config, Dictionary, SplitMode

    # Only the fields used here are loaded: faster tokenization and less memory.
    fields = {"pos", "normalized_form", "reading_form", "split_a"}
    words = settings.current().japanese_words
    config = Config(user=[str(user_dictionary(words))]) if words else None
    return Dictionary(dict="core", config=config).tokenizer(mode=SplitMode.C, fields=fields)


def user_dictionary(words: tuple[settings.JapaneseWord, ...]) -> Path:
    """A Sudachi user dictionary of `words`, compiled once and cached by its content."""
    import hashlib
    import subprocess
    import sys

    from platformdirs import user_cache_path

    lines = [_lexicon_line(w) for w in words]
    digest = hashlib.sha1("\n".join(lines).encode()).hexdigest()[:16]
    target = user_cache_path("searchclip", appauthor=False) / f"sudachi-user-{digest}.dic"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    source = target.with_suffix(".csv")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import os

    import sudachidict_core

    system = Path(sudachidict_core.__file__).parent / "resources" / "system.dic"
    build = "from sudachipy.command_line import main; main()"
    partial = target.with_suffix(f".{os.getpid()}.tmp")  # workers may build at once: publish atomically
    command = [sys.executable, "-c", build, "ubuild", "-s", str(system), "-o", str(partial), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise RuntimeError(f"the Japanese user dictionary does not compile: {last}")
    os.replace(partial, target)
    return target


def _lexicon_line(word: settings.JapaneseWord) -> str:
    """Sudachi's lexicon CSV: surface, ids and cost (a proper noun's), POS, reading, normalized form."""
    reading = word.reading or word.word
    return f"{word.word},4786,4786,5000,{word.word},名詞,{word.pos},一般,*,*,*,{reading},{word.word},*,A,*,*,*,*"


def analyze_run(text: str, parts: bool = False) -> list[Token]:
    """Tokens of one run of Japanese text (offsets relative to the run); `parts`: compound parts too."""
    from sudachipy import SplitMode

    keep = frozenset(settings.current().japanese_pos)
    tokens: list[Token] = []
    for chunk_start in range(0, len(text), MAX_CHARS):
        chunk = text[chunk_start : chunk_start + MAX_CHARS]
        for m in tokenizer().tokenize(chunk):
            pos = m.part_of_speech()
            if pos[0] not in keep:
                continue
            start, end = chunk_start + m.begin(), chunk_start + m.end()
            term = fold_kana(m.normalized_form().lower())
            tokens.append(Token(term, start, end, tag=pos[0], analyzer="ja", reading=m.reading_form()))
            if parts:
                for sub in m.split(SplitMode.A):
                    sub_term = fold_kana(sub.normalized_form().lower())
                    if sub_term != term and sub.part_of_speech()[0] in keep:
                        begin, finish = chunk_start + sub.begin(), chunk_start + sub.end()
                        tokens.append(Token(sub_term, begin, finish, tag=pos[0], analyzer="ja", part=True))
    return tokens


_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def fold_kana(term: str) -> str:
    """A word written in kana only, in katakana: `かっこいい` and `カッコイイ` are one term."""
    if all("\u3041" <= ch <= "\u30ff" for ch in term):
        return term.translate(_HIRAGANA_TO_KATAKANA)
    return term
