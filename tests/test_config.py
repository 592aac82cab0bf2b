"""The config file names the folders a bare `searchclip index` indexes, for cron."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import cli

from searchclip.app.config import Config, ConfigError, index_root, load_config


def test_config_folders_and_index(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text('folders = ["~/Clippings", "/data/clips"]\nindex = "/data/index"\n', encoding="utf-8")
    config = load_config(file)
    assert config.folders == (Path("~/Clippings").expanduser(), Path("/data/clips"))
    assert index_root(None, config) == Path("/data/index")
    assert index_root(tmp_path / "explicit", config) == tmp_path / "explicit"


def test_missing_config_is_empty_and_bad_config_is_an_error(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.toml").folders == ()
    bad = tmp_path / "bad.toml"
    bad.write_text('folders = "~/Clippings"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'folders' must be a list of paths"):
        load_config(bad)


def test_bare_index_command_uses_the_config(tmp_path: Path, clippings: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'folders = ["{clippings}"]\nindex = "{tmp_path / "index"}"\nembed = false\n', encoding="utf-8")
    env = {"SEARCHCLIP_CONFIG": str(config), "SEARCHCLIP_INDEX": None}
    result = cli("index", "--quiet", env=env)
    assert result.exit_code == 0, result.output
    assert result.output == ""  # --quiet: nothing unless a file fails
    found = cli("search", "공짜", "--json", env=env)
    assert found.exit_code == 0 and '"post": 1' in found.stdout


def test_search_expand_from_the_config_and_bad_flags(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text("[search]\nexpand = true\n[serve]\nautostart = true\n", encoding="utf-8")
    config = load_config(file)
    assert (config.expand, config.autostart) == (True, True)
    assert load_config(tmp_path / "none.toml").expand is False
    file.write_text('[search]\nexpand = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'search\.expand' must be true or false"):
        load_config(file)
    file.write_text('search = "expand"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[search\] must be a table"):
        load_config(file)


def test_expand_in_the_config_applies_to_search_unless_no_expand(tmp_path: Path, topic_archive: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'folders = ["{topic_archive}"]\nindex = "{tmp_path / "index"}"\nembed = false\n', encoding="utf-8"
    )
    env = {"SEARCHCLIP_CONFIG": str(config), "SEARCHCLIP_INDEX": None}
    assert cli("index", "--quiet", env=env).exit_code == 0

    def found(*args: str) -> list[str]:
        out = cli("search", "--any", "borrow", "--json", *args, env=env).stdout
        return [json.loads(line)["path"] for line in out.splitlines()]

    plain, expanded = found(), found("--expand")
    assert plain == ["borrow.md"] and expanded[:2] == ["borrow.md", "lifetimes.md"]
    config.write_text(config.read_text(encoding="utf-8") + "[search]\nexpand = true\n", encoding="utf-8")
    assert found() == expanded
    assert found("--no-expand") == plain


def test_serve_settings_default_to_a_watching_autostarted_service_and_bad_ones_are_errors(tmp_path: Path) -> None:
    assert (Config().autostart, Config().watch, Config().events, Config().polling) == (True, True, True, False)
    file = tmp_path / "c.toml"
    file.write_text("[serve]\nwatch = false\nevents = false\nreconcile_seconds = 30\n", encoding="utf-8")
    config = load_config(file)
    assert (config.watch, config.events, config.reconcile_seconds) == (False, False, 30.0)
    for bad in ("reconcile_seconds = 0", "reconcile_seconds = true", 'reconcile_seconds = "5"', "watch = 1"):
        file.write_text(f"[serve]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=r"serve\."):
            load_config(file)
