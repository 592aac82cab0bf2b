"""The layers of ARCHITECTURE.md, held by the code's own imports (parsed, never run).

analyzers → index → ingest, search → bench → app: each layer imports only the layers below it
(ingest and search never each other), `searchclip.errors` is below everything, nothing imports in
a circle, only index/ imports tantivy, and only app/ the terminal and web libraries.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Source folder → the module prefix it installs as (pyproject.toml's package-dir).
ROOTS = {
    REPO / "searchclip": "searchclip",
    REPO / "analyzers": "searchclip.analyzers",
    REPO / "index": "searchclip.index",
}
LAYERS = {  # module prefix → rank; a module may import only from lower ranks or its own layer
    "searchclip.errors": 0,
    "searchclip.analyzers": 1,
    "searchclip.embed": 1,  # text → vectors, as analyzers/ is text → tokens
    "searchclip.index": 2,
    "searchclip.ingest": 3,
    "searchclip.search": 3,
    "searchclip.bench": 4,
    "searchclip.app": 5,
    "searchclip.__main__": 6,  # `python -m searchclip`: runs the app
    "searchclip": 0,  # the package's face: a docstring and a version
}
ONLY_IN = {  # third-party package → the only layer that may import it
    "tantivy": "searchclip.index",
    "typer": "searchclip.app",
    "rich": "searchclip.app",
    "click": "searchclip.app",
    "fastapi": "searchclip.app",
    "uvicorn": "searchclip.app",
    "pydantic": "searchclip.app",
    "mcp": "searchclip.app",
    "watchfiles": "searchclip.ingest",
}


def modules() -> dict[str, Path]:
    found = {}
    for folder, prefix in ROOTS.items():
        for file in folder.rglob("*.py"):
            if prefix == "searchclip" and file.relative_to(folder).parts[0] in ("analyzers", "index"):
                continue
            parts = file.relative_to(folder).with_suffix("").parts
            name = ".".join([prefix, *(p for p in parts if p != "__init__")])
            found[name] = file
    return found


MODULES = modules()


def imports(file: Path) -> Iterator[tuple[str, int]]:
    """Every module a file imports, at module level or inside functions, with its line."""
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield (submodule if submodule in MODULES else node.module), node.lineno


def layer(module: str) -> str:
    return max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)


def internal_imports() -> dict[str, set[str]]:
    return {m: {i for i, _ in imports(f) if i in MODULES} for m, f in MODULES.items()}


def test_modules_are_found() -> None:
    assert {"searchclip.analyzers.pipeline", "searchclip.index.reader", "searchclip.app.cli"} <= set(MODULES)
    assert all(layer(m) for m in MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    own = layer(module)
    wrong = []
    for imported, line in imports(MODULES[module]):
        if imported in MODULES:
            other = layer(imported)
            below = LAYERS[other] < LAYERS[own] or other == own
            if not below or (other != own and LAYERS[other] == LAYERS[own]):
                wrong.append(f"line {line}: {imported} ({other}) from {own}")
        top = imported.split(".")[0]
        if top in ONLY_IN and own != ONLY_IN[top]:
            wrong.append(f"line {line}: {imported} outside {ONLY_IN[top]}")
    assert wrong == [], "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph = internal_imports()
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    # A package's __init__ re-exporting its own modules is not a cycle of design.
    found = [c for c in cycles if not _package_face(c)]
    assert found == [], "\n".join(found)


def _package_face(cycle: str) -> bool:
    names = cycle.split(" → ")
    return any(a != b and b.startswith(a + ".") for a, b in itertools.pairwise(names))


def test_the_rules_catch_a_bad_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test itself: an index module that imports the search layer or typer is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("import typer\nfrom searchclip.search.query import Filters\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "searchclip.index.bad", bad)
    with pytest.raises(AssertionError, match=r"searchclip\.search\.query"):
        test_imports_point_down("searchclip.index.bad")
    sibling = tmp_path / "sibling.py"
    sibling.write_text("from searchclip.ingest.update import scan\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "searchclip.search.sibling", sibling)
    with pytest.raises(AssertionError, match="ingest"):
        test_imports_point_down("searchclip.search.sibling")
