"""Japanese with Sudachi (sudachipy, core dictionary): normalized forms of content words."""

from __future__ import annotations

from functools import cache

from searchclip.analyzers.token import Token

# Sudachi refuses input over 49,149 bytes; kana and kanji take 3 bytes (4 beyond the BMP).
MAX_CHARS = 12_000
KEEP_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞"})


@cache
def tokenizer():
    from sudachipy import Dictionary, SplitMode

    # Only the fields used here are loaded: faster tokenization and less memory.
    return Dictionary(dict="core").tokenizer(mode=SplitMode.C, fields={"pos", "normalized_form"})


def analyze_run(text: str) -> list[Token]:
    """Tokens of one run of Japanese text (offsets relative to the run)."""
    tokens: list[Token] = []
    for chunk_start in range(0, len(text), MAX_CHARS):
        chunk = text[chunk_start : chunk_start + MAX_CHARS]
        for m in tokenizer().tokenize(chunk):
            pos = m.part_of_speech()
            if pos[0] not in KEEP_POS:
                continue
            start, end = chunk_start + m.begin(), chunk_start + m.end()
            tokens.append(Token(m.normalized_form().lower(), start, end, tag=pos[0], analyzer="ja"))
    return tokens
