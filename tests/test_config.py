"""The config file names the folders a bare `searchclip index` indexes, for cron."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from searchclip.cli import app
from searchclip.config import ConfigError, index_root, load_config


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
    config.write_text(f'folders = ["{clippings}"]\nindex = "{tmp_path / "index"}"\n', encoding="utf-8")
    env = {"SEARCHCLIP_CONFIG": str(config), "SEARCHCLIP_INDEX": None}
    result = CliRunner().invoke(app, ["index", "--quiet"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output == ""  # --quiet: nothing unless a file fails
    found = CliRunner().invoke(app, ["search", "공짜", "--json"], env=env)
    assert found.exit_code == 0 and '"post": 1' in found.stdout
