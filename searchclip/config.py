"""Settings: --index, then $SEARCHCLIP_INDEX, then the config file, then the platform's folders.

The config file is TOML at `$SEARCHCLIP_CONFIG`, else `config.toml` in the platform's config
folder (`~/.config/searchclip/config.toml` on Linux):

    folders = ["~/Obsidian/Clippings", "~/Notes/Clips"]   # what a bare `searchclip index` indexes
    index = "~/.local/share/searchclip/index"             # optional

    [serve]
    autostart = true      # `searchclip search` starts the warm search service when none runs
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from searchclip.errors import SearchclipError

ENV_INDEX = "SEARCHCLIP_INDEX"
ENV_CONFIG = "SEARCHCLIP_CONFIG"


class ConfigError(SearchclipError):
    """The config file cannot be read or has a wrong value."""


@dataclass(frozen=True, slots=True)
class Config:
    folders: tuple[Path, ...] = ()
    index: Path | None = None
    autostart: bool = False  # `searchclip search` starts `searchclip serve` when none runs


def config_path() -> Path:
    if env := os.environ.get(ENV_CONFIG):
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("searchclip", appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    folders = raw.get("folders", [])
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise ConfigError(f"{path}: 'folders' must be a list of paths, as in folders = [\"~/Clippings\"]")
    index = raw.get("index")
    if index is not None and not isinstance(index, str):
        raise ConfigError(f"{path}: 'index' must be a path")
    autostart = raw.get("serve", {}).get("autostart", False) if isinstance(raw.get("serve"), dict) else False
    if not isinstance(autostart, bool):
        raise ConfigError(f"{path}: 'serve.autostart' must be true or false")
    folders_paths = tuple(Path(f).expanduser() for f in folders)
    return Config(folders_paths, Path(index).expanduser() if index else None, autostart)


def index_root(explicit: Path | None = None, config: Config | None = None) -> Path:
    if explicit is not None:
        return explicit.expanduser()
    if env := os.environ.get(ENV_INDEX):
        return Path(env).expanduser()
    config = config if config is not None else load_config()
    if config.index is not None:
        return config.index
    from platformdirs import user_data_path

    return user_data_path("searchclip", appauthor=False) / "index"


def service_socket(root: Path) -> Path:
    """The Unix socket of the search service for the index at `root` (one service per index)."""
    import hashlib

    digest = hashlib.sha1(str(root.expanduser().resolve()).encode()).hexdigest()[:12]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(runtime) if runtime and Path(runtime).is_dir() else Path("/tmp")
    # Socket paths are limited to about 100 bytes, so the name is short and the folder standard.
    return folder / f"searchclip-{os.getuid()}-{digest}.sock"
