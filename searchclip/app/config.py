"""Settings: --index, then $SEARCHCLIP_INDEX, then the config file, then the platform's folders.

The config file is TOML at `$SEARCHCLIP_CONFIG`, else `config.toml` in the platform's config
folder (`~/.config/searchclip/config.toml` on Linux):

    folders = ["~/Obsidian/Clippings", "~/Notes/Clips"]   # what a bare `searchclip index` indexes
    index = "~/.local/share/searchclip/index"             # optional
    embed = false         # no vectors: `searchclip index` as with --no-embed, searches by words only

    [serve]               # the defaults are true, true, false
    autostart = false     # `searchclip search` starts the warm search service when none runs
    watch = false         # the service keeps the index fresh as clippings change
    polling = true        # ... by polling the folders (network folders that send no events)
    events = false        # ... by reconcile passes alone (default true: events and passes)
    reconcile_seconds = 60   # a pass that looks at every file's size and time (default 300)

    [search]
    expand = true         # every search as with --expand (--no-expand turns it off once)

    [analysis]            # changing any of these rebuilds the index on the next `searchclip index`
    korean_tags = ["NNG", "NNP", "NR", "XR", "W_HASHTAG", "VV", "VA"]   # Kiwi tags kept
    japanese_pos = ["名詞", "動詞", "形容詞", "形状詞", "副詞"]          # Sudachi parts of speech kept
    user_dictionary = "~/.config/searchclip/words.toml"

    [synonyms]            # applied to queries: any member finds the others
    groups = [["AI", "인공지능", "人工知能"], ["LLM", "대규모 언어 모델"]]

The user dictionary names new words and names for Kiwi and Sudachi:

    korean = [{ word = "바이브코딩", tag = "NNP" }]
    japanese = [{ word = "生成AI", reading = "セイセイエーアイ" }]
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from searchclip.errors import ConfigError, ServiceFolderError

if TYPE_CHECKING:
    from searchclip.analyzers.settings import AnalysisSettings, JapaneseWord, KoreanWord

ENV_INDEX = "SEARCHCLIP_INDEX"
ENV_CONFIG = "SEARCHCLIP_CONFIG"


@dataclass(frozen=True, slots=True)
class Config:
    folders: tuple[Path, ...] = ()
    index: Path | None = None
    autostart: bool = True  # `searchclip search` starts `searchclip serve` when none runs
    watch: bool = True  # the service keeps the index fresh as clippings change
    polling: bool = False  # ... by polling the folders (network folders, where events never come)
    events: bool = True  # ... by events; false: by the reconcile passes alone
    reconcile_seconds: float = 300.0  # a pass without events, for what the events missed
    expand: bool = False  # searches add words of their best matches unless --no-expand
    embed: bool = True  # `searchclip index` embeds the posts (vectors for searches by meaning)
    # The [analysis] table as written; `analysis_settings` turns it into settings. Kept raw so that
    # reading the config (which every search does) never imports the analyzers.
    analysis: tuple[tuple[str, object], ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    path: Path | None = None


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
    autostart = _flag(raw, "serve", "autostart", path, default=True)
    watch = _flag(raw, "serve", "watch", path, default=True)
    polling = _flag(raw, "serve", "polling", path)
    events = _flag(raw, "serve", "events", path, default=True)
    reconcile = dict(_table(raw.get("serve", {}), "serve", path)).get("reconcile_seconds", 300.0)
    if isinstance(reconcile, bool) or not isinstance(reconcile, int | float) or not 1 <= reconcile <= 86_400:
        raise ConfigError(f"{path}: 'serve.reconcile_seconds' must be a number of seconds from 1 to 86400")
    expand = _flag(raw, "search", "expand", path)
    embed = raw.get("embed", True)
    if not isinstance(embed, bool):
        raise ConfigError(f"{path}: 'embed' must be true or false")
    folders_paths = tuple(Path(f).expanduser() for f in folders)
    return Config(
        folders_paths,
        Path(index).expanduser() if index else None,
        autostart,
        watch,
        polling,
        events,
        float(reconcile),
        expand,
        embed,
        _table(raw.get("analysis", {}), "analysis", path),
        _synonyms(raw.get("synonyms", {}), path),
        path,
    )


def _flag(raw: dict[str, object], table: str, key: str, path: Path, default: bool = False) -> bool:
    value = dict(_table(raw.get(table, {}), table, path)).get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: '{table}.{key}' must be true or false")
    return value


def _table(raw: object, name: str, path: Path) -> tuple[tuple[str, object], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return tuple(raw.items())


def _string_list(value: object, what: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{path}: '{what}' must be a list of strings")
    return tuple(value)


def analysis_settings(config: Config) -> AnalysisSettings:
    """The analysis settings of the config's [analysis] table (defaults where it is silent)."""
    from searchclip.analyzers.settings import AnalysisSettings

    raw = dict(config.analysis)
    path = config.path or Path("config.toml")
    settings = AnalysisSettings()
    if "korean_tags" in raw:
        settings = replace(settings, korean_tags=_string_list(raw["korean_tags"], "analysis.korean_tags", path))
    if "japanese_pos" in raw:
        settings = replace(settings, japanese_pos=_string_list(raw["japanese_pos"], "analysis.japanese_pos", path))
    if "user_dictionary" in raw:
        korean, japanese = load_user_dictionary(Path(str(raw["user_dictionary"])).expanduser())
        settings = replace(settings, korean_words=korean, japanese_words=japanese)
    return settings


def load_user_dictionary(path: Path) -> tuple[tuple[KoreanWord, ...], tuple[JapaneseWord, ...]]:
    """Words from a TOML file: korean = [{word, tag}], japanese = [{word, reading, pos}]."""
    from searchclip.analyzers.settings import JapaneseWord, KoreanWord

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        korean = tuple(KoreanWord(**entry) for entry in raw.get("korean", []))
        japanese = tuple(JapaneseWord(**entry) for entry in raw.get("japanese", []))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"user dictionary {path}: {exc}") from exc
    except TypeError as exc:
        raise ConfigError(f"user dictionary {path}: entries take word, tag (Korean) or word, reading, pos") from exc
    for entry in (*korean, *japanese):
        if not all(isinstance(v, str) for v in vars_of(entry)) or not entry.word.strip() or "," in entry.word:
            raise ConfigError(f"user dictionary {path}: invalid entry {entry.word!r}")
    bad_tags = [w.tag for w in korean if w.tag not in KOREAN_USER_TAGS]
    if bad_tags:
        raise ConfigError(f"user dictionary {path}: tag {bad_tags[0]!r} is not one of {', '.join(KOREAN_USER_TAGS)}")
    bad_pos = [w.pos for w in japanese if w.pos not in ("固有名詞", "普通名詞")]
    if bad_pos:
        raise ConfigError(f"user dictionary {path}: pos {bad_pos[0]!r} must be 固有名詞 or 普通名詞")
    return korean, japanese


# Kiwi tags a user word may take: nouns, verbs, adjectives, adverbs and roots.
KOREAN_USER_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "MAG", "XR")


def vars_of(entry: object) -> tuple[object, ...]:
    return tuple(getattr(entry, name) for name in entry.__slots__)  # type: ignore[attr-defined]


def _synonyms(raw: object, path: Path) -> tuple[tuple[str, ...], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [synonyms] must be a table")
    groups = raw.get("groups", [])
    if not isinstance(groups, list):
        raise ConfigError(f"{path}: 'synonyms.groups' must be a list of lists of words")
    return tuple(_string_list(g, "synonyms.groups", path) for g in groups)


def index_root(explicit: Path | None = None, config: Config | None = None) -> Path:
    """The index folder, absolute and with symlinks resolved (one index, one name)."""
    return _index_root(explicit, config).expanduser().resolve()


def _index_root(explicit: Path | None, config: Config | None) -> Path:
    if explicit is not None:
        return explicit
    if env := os.environ.get(ENV_INDEX):
        return Path(env)
    config = config if config is not None else load_config()
    if config.index is not None:
        return config.index
    from platformdirs import user_data_path

    return user_data_path("searchclip", appauthor=False) / "index"


def service_socket(root: Path) -> Path:
    """The Unix socket of the search service for the index at `root` and this config file.

    One service per index and config: a search run with another config file (other synonyms,
    other analysis) never gets the answers of a service that runs with this one. It lives in a
    folder only this user can enter (`service_folder`): the service hands out the clippings to
    whoever can connect.
    """
    return service_folder() / f"searchclip-{service_key(root)}.sock"


def service_token_file(root: Path) -> Path:
    """Where the service's HTTP token is kept while it runs (mode 0600, beside its socket)."""
    return service_folder() / f"searchclip-{service_key(root)}.token"


def service_key(root: Path) -> str:
    import hashlib

    key = f"{root.expanduser().resolve()}\0{config_path().expanduser().absolute()}"
    # Socket paths are limited to about 100 bytes, so the name is short.
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def service_folder() -> Path:
    """A folder only this user can enter: `$XDG_RUNTIME_DIR/searchclip`, else `/tmp/searchclip-UID`.

    Refused (ServiceFolderError) if it, or `$XDG_RUNTIME_DIR`, is a link, belongs to someone else or
    is writable by others: whoever can replace the socket can answer our searches, and whoever can
    enter the folder can read the clippings through it.
    """
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        _check_private(Path(runtime), "$XDG_RUNTIME_DIR")
        folder = Path(runtime) / "searchclip"
    else:
        folder = Path("/tmp") / f"searchclip-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ServiceFolderError(f"cannot make the service folder {folder}: {exc.strerror}") from exc
    _check_private(folder, "the service folder")
    return folder


def _check_private(folder: Path, what: str) -> None:
    import stat

    try:
        info = folder.lstat()
    except OSError as exc:
        raise ServiceFolderError(f"{what} {folder} cannot be read: {exc.strerror}") from exc
    if stat.S_ISLNK(info.st_mode):
        problem = "is a symbolic link"
    elif not stat.S_ISDIR(info.st_mode):
        problem = "is not a folder"
    elif info.st_uid != os.getuid():
        problem = "belongs to another user"
    elif info.st_mode & 0o022:
        problem = "is writable by other users"
    else:
        return
    raise ServiceFolderError(f"{what} {folder} {problem}; the search service needs a private folder")
