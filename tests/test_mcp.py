"""`searchclip mcp`: the MCP SDK's own client, in-process and over a real stdio subprocess."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from helpers import update_index
from mcp import Client, StdioServerParameters

from searchclip.app.mcp_server import Backend, create_server

FIXTURES = Path(__file__).parent / "fixtures" / "clippings"


@pytest.fixture(scope="module")
def vault_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture clippings inside an Obsidian vault, indexed by words; the index folder."""
    base = tmp_path_factory.mktemp("mcp")
    (base / "Vault" / ".obsidian").mkdir(parents=True)
    shutil.copytree(FIXTURES, base / "Vault" / "Clippings")
    update_index(base / "index", [base / "Vault" / "Clippings"])
    return base / "index"


def call(server: Any, tool: str, arguments: dict[str, Any]) -> Any:
    async def go() -> Any:
        async with Client(server) as client:
            return await client.call_tool(tool, arguments)

    return anyio.run(go)


def test_the_tools_are_listed_read_only_with_instructions(vault_index: Path) -> None:
    async def go() -> Any:
        async with Client(create_server(Backend(vault_index))) as client:
            return await client.list_tools()

    tools = {t.name: t for t in anyio.run(go).tools}
    assert set(tools) == {"search", "show", "status"}
    assert all(t.annotations and t.annotations.read_only_hint for t in tools.values())
    assert {"query", "any", "author", "tag", "lang", "since", "until", "limit"} <= set(
        tools["search"].input_schema["properties"]
    )
    assert "초성" in (create_server(Backend(vault_index)).instructions or "")


def test_search_returns_posts_with_highlights_and_an_obsidian_link(vault_index: Path) -> None:
    result = call(create_server(Backend(vault_index)), "search", {"query": "코딩을", "limit": 3})
    assert not result.is_error
    hits = result.structured_content["hits"]
    best = hits[0]
    assert best["id"] == "articles/바이브 코딩 정리.md#1"
    start, end = best["highlights"][0]
    assert best["snippet"][start:end] == "코딩"
    assert best["obsidian"].startswith("obsidian://open?vault=Vault&file=Clippings%2Farticles%2F")
    assert {"title", "author", "date", "url"} <= set(best)


def test_filters_and_recent_listing(vault_index: Path) -> None:
    server = create_server(Backend(vault_index))
    japanese = call(server, "search", {"query": "", "lang": ["ja"]}).structured_content["hits"]
    assert japanese and {h["lang"] for h in japanese} == {"ja"}
    newest = call(server, "search", {"sort": "date", "limit": 1}).structured_content["hits"]
    assert newest[0]["date"] == "2025-06-01"


def test_show_gives_a_post_or_its_whole_thread_and_one_line_errors(vault_index: Path) -> None:
    server = create_server(Backend(vault_index))
    post = call(server, "show", {"id": "threads/Thread by @hana_dev.md#2"}).structured_content
    assert post["id"] == "threads/Thread by @hana_dev.md#2" and post["text"]
    thread = call(server, "show", {"id": "threads/Thread by @hana_dev.md#2", "thread": True}).structured_content
    assert [p["post"] for p in thread["posts"]] == [1, 2, 3, 4]
    missing = call(server, "show", {"id": "nope.md#9"})
    assert missing.is_error and "no post 'nope.md#9'" in missing.content[0].text
    bad = call(server, "search", {"query": "x", "since": "yesterday"})
    assert bad.is_error and bad.content[0].text.count("\n") == 0 and "not a date" in bad.content[0].text
    too_many = call(server, "search", {"query": "x", "limit": 100_000})
    assert too_many.is_error


def test_status_reports_the_index(vault_index: Path) -> None:
    status = call(create_server(Backend(vault_index)), "status", {}).structured_content
    assert status["exists"] and status["clippings"] == 4 and status["posts"] >= 8
    assert status["service"] is False and status["posts_with_vectors"] == 0
    missing = call(create_server(Backend(vault_index.parent / "none")), "status", {}).structured_content
    assert missing["exists"] is False


@pytest.mark.slow
def test_over_a_real_stdio_subprocess(vault_index: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "searchclip", "mcp", "--index", str(vault_index)], env=dict(os.environ)
    )

    async def go() -> tuple[Any, Any]:
        async with Client(params) as client:
            found = await client.call_tool("search", {"query": "関西", "limit": 2})
            status = await client.call_tool("status", {})
            return found, status

    found, status = anyio.run(go)
    assert not found.is_error
    assert found.structured_content["hits"][0]["path"] == "threads/Thread by @kenji_writes.md"
    assert json.loads(found.content[0].text)["hits"]  # the same answer as text, for clients without structure
    assert status.structured_content["posts"] >= 8
