"""Where searchclip keeps its index: --index, then $SEARCHCLIP_INDEX, then the platform's data folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV_INDEX = "SEARCHCLIP_INDEX"


def index_root(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit.expanduser()
    if env := os.environ.get(ENV_INDEX):
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("searchclip", appauthor=False) / "index"
