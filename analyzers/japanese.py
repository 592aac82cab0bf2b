"""Japanese with Sudachi (sudachipy, core dictionary): normalized forms of content words.

Words are taken in Sudachi's longest unit (mode C, `関西国際空港`); the compound-parts filter adds
their shortest parts (mode A: `関西`, `国際`, `空港`) at the same position, as kuromoji's search
mode does: `空港` finds `関西国際空港` while the whole compound still ranks first for itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from searchclip.analyzers.settings import JapaneseWord
from searchclip.analyzers.token import Morpheme, Piece, Token
from searchclip.errors import UserDictionaryError

# Sudachi refuses input over 49,149 bytes; kana and kanji take 3 bytes (4 beyond the BMP).
MAX_CHARS = 12_000
# Only the fields used here are loaded: faster tokenization and less memory.
_FIELDS = {"pos", "normalized_form", "reading_form", "split_a"}


class JapaneseAnalyzer:
    """Sudachi in mode C, loaded on first use, keeping the given parts of speech."""

    name = "ja"

    def __init__(self, pos: Sequence[str], words: Sequence[JapaneseWord] = ()) -> None:
        self._keep = frozenset(pos)
        self._words = tuple(words)
        self._tokenizer: Any = None

    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = _load_tokenizer(self._words)
        return self._tokenizer

    def analyze(self, pieces: Sequence[Piece]) -> list[list[Token]]:
        with SUDACHI_IN_USE:
            return [self._run(text, offset) for text, offset in pieces]

    def _run(self, text: str, offset: int) -> list[Token]:
        keep = self._keep
        tokenizer = self.tokenizer
        tokens: list[Token] = []
        for chunk_start in range(0, len(text), MAX_CHARS):
            base = offset + chunk_start
            for m in tokenizer.tokenize(text[chunk_start : chunk_start + MAX_CHARS]):
                pos = m.part_of_speech()[0]
                if pos in keep:
                    term = fold_kana(m.normalized_form().lower())
                    start, end = base + m.begin(), base + m.end()
                    tokens.append(
                        Morpheme(term, start, end, tag=pos, analyzer="ja", reading=m.reading_form(), source=m)
                    )
        return tokens

    def compound_parts(self, tokens: list[Token]) -> list[Token]:
        """Each word's mode-A units that are other words of a kept part of speech, inside it."""
        from sudachipy import SplitMode

        parts = []
        with SUDACHI_IN_USE:
            return self._parts(tokens, parts, SplitMode.A)

    def _parts(self, tokens: list[Token], parts: list[Token], mode: Any) -> list[Token]:
        for token in tokens:
            if not isinstance(token, Morpheme):
                continue
            morpheme = token.source
            shift = token.start - morpheme.begin()  # the parts' offsets are the morpheme's chunk's
            for sub in morpheme.split(mode):
                term = fold_kana(sub.normalized_form().lower())
                if term != token.term and sub.part_of_speech()[0] in self._keep:
                    begin, end = shift + sub.begin(), shift + sub.end()
                    # Parts keep their readings: `とうきょう` finds `東京駅` and `東京都庁`.
                    reading = sub.reading_form()
                    parts.append(Token(term, begin, end, tag=token.tag, analyzer="ja", part=True, reading=reading))
        return parts


# A loaded tokenizer is shared by every analyzer of the process with the same words (the cache
# below), and Sudachi refuses to be used by two threads at once: a search in the service and its
# live index's update take turns.
SUDACHI_IN_USE = threading.RLock()


# Loaded dictionaries, keyed by the user words that make them (as korean._load_kiwi).
@lru_cache(maxsize=4)
def _load_tokenizer(words: tuple[JapaneseWord, ...]) -> Any:
    from sudachipy import Config, Dictionary, SplitMode

    config = Config(user=[str(user_dictionary(words))]) if words else None
    return Dictionary(dict="core", config=config).tokenizer(mode=SplitMode.C, fields=_FIELDS)


def user_dictionary(words: Sequence[JapaneseWord]) -> Path:
    """A Sudachi user dictionary of `words`, compiled once and cached by its content."""
    import hashlib
    import os
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
    import sudachidict_core

    system = Path(sudachidict_core.__file__).parent / "resources" / "system.dic"
    build = "from sudachipy.command_line import main; main()"
    partial = target.with_suffix(f".{os.getpid()}.tmp")  # workers may build at once: publish atomically
    command = [sys.executable, "-c", build, "ubuild", "-s", str(system), "-o", str(partial), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise UserDictionaryError(f"the Japanese user dictionary does not compile: {last}")
    os.replace(partial, target)
    return target


def _lexicon_line(word: JapaneseWord) -> str:
    """Sudachi's lexicon CSV: surface, ids and cost (a proper noun's), POS, reading, normalized form."""
    reading = word.reading or word.word
    return f"{word.word},4786,4786,5000,{word.word},名詞,{word.pos},一般,*,*,*,{reading},{word.word},*,A,*,*,*,*"


_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def fold_kana(term: str) -> str:
    """A word written in kana only, in katakana: `かっこいい` and `カッコイイ` are one term."""
    if all("\u3041" <= ch <= "\u30ff" for ch in term):
        return term.translate(_HIRAGANA_TO_KATAKANA)
    return term
