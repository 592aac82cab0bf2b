"""`searchclip mcp`: the archive as tools for AI agents, over the Model Context Protocol.

Three read-only tools, `search`, `show` and `status`, answer with the same records as the HTTP
service and `searchclip search --json` (answers.py). Each call goes to the warm service when one
runs for this index (its analyzers and vectors are loaded, and its watcher keeps the index fresh),
and runs in this process otherwise; this process keeps what it loaded, so only its first call
pays for Kiwi and the model. Errors are one line, returned as the tool's error result.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from searchclip import __version__
from searchclip.app.answers import SearchParams, post_answer, search_answer, status_answer
from searchclip.app.commands import Session
from searchclip.errors import SearchclipError

INSTRUCTIONS = """\
searchclip searches the user's own archive of web clippings (X/Twitter threads, articles, posts saved
as Markdown by the Obsidian Web Clipper) in Korean, Japanese and English. One hit is one post.

How to search well:
- Words match in any inflected form: 코딩 finds 코딩을, 裏切る finds 裏切られた, model finds models.
- By default a search is hybrid: by words and by meaning, so a question in one language finds posts
  in another (an English query finds a Korean thread). mode="lexical" matches words only (exact
  recall, like grep); mode="semantic" matches meaning only.
- All words must match unless any=true. "Quoted phrases" match as phrases.
- Korean initial consonants (초성) find words: ㅋㄷ ㅇㅅㅅㅌ finds 코딩 어시스턴트.
- A Japanese word typed in kana is matched as a reading: とうきょう finds 東京.
- Filters: author (name or @handle), tag, lang (ko, ja, zh, en, ...), since/until (YYYY-MM-DD).
- sort="date" lists matches newest first; an empty query with since or sort="date" lists recent posts.
- Hits carry an id (path.md#N): pass it to `show` for the whole post, or with thread=true for the
  whole clipping. `obsidian` is a link that opens the clipping in Obsidian when it lies in a vault.
"""
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
MAX_QUERY_CHARS = 50_000  # a pasted paragraph is a query; a pasted book is not


class Backend:
    """Answers from the warm service of the index when one answers, else from this process."""

    def __init__(self, index_path: Path | None = None, current: Callable[[], Session] | None = None) -> None:
        self._index_path = index_path
        self._session: Session | None = None
        self._current = current  # inside the service: its own session, and no service to ask

    def session(self) -> Session:
        if self._current is not None:
            return self._current()
        if self._session is None:
            self._session = Session.open(self._index_path)
        else:
            self._session = self._session.current()
        return self._session

    def via_service(self, url: str) -> dict[str, Any] | None:
        """The service's JSON answer to `GET url`, or None when no service answers (or it refuses)."""
        from searchclip.app.client import NoAnswer, request
        from searchclip.app.config import service_socket

        if self._current is not None:
            return None
        try:
            path = service_socket(self.session().root)
            if not path.exists():
                return None
            answer = request(path, "GET", url)
        except (OSError, NoAnswer, ValueError):
            return None
        return answer if isinstance(answer, dict) else None

    def search(self, params: SearchParams) -> dict[str, Any]:
        query = {k: v for k, v in asdict(params).items() if v not in (None, (), False, "")}
        if "any_word" in query:
            query["any"] = query.pop("any_word")
        url = "/v1/search?" + urllib.parse.urlencode(query, doseq=True)
        return self.via_service(url) or search_answer(self.session(), params)

    def show(self, post_id: str, thread: bool) -> dict[str, Any] | None:
        url = f"/v1/posts/{urllib.parse.quote(post_id, safe='')}?thread={'true' if thread else 'false'}"
        return self.via_service(url) or post_answer(self.session(), post_id, thread)

    def status(self) -> dict[str, Any]:
        answer = self.via_service("/v1/status")
        if answer is not None:
            return {**answer, "service": True}
        return {**status_answer(self.session()), "service": False}


def create_server(backend: Backend) -> MCPServer:
    """The MCP server. Its tools are coroutines that search without awaiting: the SDK would run
    plain functions in threads, and one process's analyzers (Sudachi's above all) serve one
    search at a time, so every call runs in the event loop, one after another."""
    server = MCPServer("searchclip", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")

    @server.tool(annotations=READ_ONLY)
    async def search(
        query: Annotated[str, Field(max_length=MAX_QUERY_CHARS, description="Words, phrases, 초성 or kana.")] = "",
        any: Annotated[bool, Field(description="Match posts with any word, not all.")] = False,
        author: Annotated[list[str] | None, Field(description="Only posts by these names or @handles.")] = None,
        tag: Annotated[list[str] | None, Field(description="Only clippings with these tags.")] = None,
        lang: Annotated[list[str] | None, Field(description="Only posts in these languages: ko, ja, en…")] = None,
        since: Annotated[str | None, Field(description="Only posts dated on or after YYYY-MM-DD.")] = None,
        until: Annotated[str | None, Field(description="Only posts dated on or before YYYY-MM-DD.")] = None,
        limit: Annotated[int, Field(ge=1, le=100, description="How many hits.")] = 10,
        mode: Annotated[str, Field(pattern="^(auto|lexical|semantic)$", description="auto: hybrid.")] = "auto",
        sort: Annotated[str, Field(pattern="^(relevance|date)$", description="date: newest first.")] = "relevance",
        posts: Annotated[bool, Field(description="Every matching post, not one per clipping.")] = False,
    ) -> dict[str, Any]:
        """Search the clippings; the best posts first, each with its id, title, author, date, URL, a
        snippet with highlight offsets, and an obsidian:// link when the clipping is in a vault."""
        params = SearchParams(
            query, any, tuple(author or ()), tuple(tag or ()), tuple(lang or ()), since, until, limit,
            posts=posts, mode=mode, sort=sort,
        )  # fmt: skip
        return _answer(lambda: backend.search(params))

    @server.tool(annotations=READ_ONLY)
    async def show(
        id: Annotated[str, Field(max_length=4096, description="A post id from search: path.md#N.")],
        thread: Annotated[bool, Field(description="The whole clipping (every post), not one post.")] = False,
    ) -> dict[str, Any]:
        """One whole post with its clipping's metadata, or with thread=true every post of its clipping."""
        found = _answer(lambda: backend.show(id, thread))
        if found is None:
            raise ToolError(f"no post {id!r}; ids come from search, as path.md#N")
        return found

    @server.tool(annotations=READ_ONLY)
    async def status() -> dict[str, Any]:
        """The index: its folder, clippings and posts, when it last changed, and how many posts can
        be found by meaning (have vectors)."""
        return _answer(backend.status)

    return server


def _answer(call: Any) -> Any:
    """The call's answer; a library error becomes the tool's one-line error."""
    try:
        return call()
    except (SearchclipError, ValueError) as exc:
        raise ToolError(" ".join(str(exc).split())) from exc


def run_stdio(index_path: Path | None = None) -> None:
    create_server(Backend(index_path)).run("stdio")


def http_endpoint(current: Callable[[], Session]) -> tuple[Any, Callable[[], Any]]:
    """The ASGI endpoint of MCP for the HTTP service (streamable HTTP, stateless, JSON answers) and
    the context manager that must run around its use (the SDK's session manager, which runs once:
    each start of the service makes a new one). Host, Origin and token are checked by the
    service's own guard, in front of every route."""
    from mcp.server.transport_security import TransportSecuritySettings

    server = create_server(Backend(current=current))
    app = server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )  # fmt: skip
    return app.routes[0].endpoint, server.session_manager.run
