"""Generated hostile clippings (alias bombs, deep nesting, huge lines, many headers, control
characters, odd encodings) go through decoding, parsing and analysis in bounded time and memory:
linear in the input, never a hang, never an exception but ClippingError."""

from __future__ import annotations

import math
import os
import resource
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import ANALYZER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchclip.errors import ClippingError
from searchclip.ingest.clippings import parse_clipping
from searchclip.ingest.documents import make_documents
from searchclip.ingest.textfile import decode_text

pytestmark = pytest.mark.slow

CONTROLS = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b\u202e\x00\x08\r"


def bomb(levels: int) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join(["*a" if n == 1 else f"*l{n - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\ntitle: *l{levels - 1}\n"


FRONT_MATTER = st.one_of(
    st.just("title: plain\n"),
    st.integers(2, 12).map(bomb),
    st.integers(10, 3000).map(lambda n: "title: " + "[" * n + "]" * n + "\n"),
    st.integers(1, 3000).map(lambda n: "tags:\n" + "  - t\n" * n),
    st.integers(1, 50_000).map(lambda n: "description: " + "x" * n + "\n"),
    st.just('title: "' + CONTROLS.encode("unicode_escape").decode() + '"\npublished: 0001-01-01\n'),
    st.just("published: 99999-99-99\ncreated: 2262-04-12\nauthor: [[[[[x]]]]]\n"),
)
PIECES = [
    "**Name** @handle [2024-06-03](https://x.com/h/status/1)\n\n짧은 글\n\n---\n\n",
    "**Ad** @ad_shop\n\n광고 広告\n\n---\n\n",
    "코딩을 배웠다 裏切られた models and 東京 ",
    "[" * 50,
    "*a" * 50,
    "> " * 50,
    "<!-- comment --> <div>html</div> ",
    "https://example.com/a?b=c www.example.org ",
    "`code` ~~del~~ \\* &amp; ",
    "\n\n",
    CONTROLS,
    "가" * 500,
    "漢字カタカナ" * 100,
]
BODY = st.lists(st.tuples(st.sampled_from(PIECES), st.integers(1, 200)), max_size=6).map(
    lambda parts: "".join(piece * count for piece, count in parts)
)
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp949", "shift_jis", "latin-1"])


PAGE = os.sysconf("SC_PAGE_SIZE")


def within_bounds(work: Callable[[], None], seconds: float, memory: float) -> str:
    """Run `work` in a forked child under an alarm and an address-space limit (a real bound, with none
    of a tracer's cost); "" if it finished within them, else what it ran into."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            used = int(Path("/proc/self/statm").read_text().split()[0]) * PAGE
            resource.setrlimit(resource.RLIMIT_AS, (used + int(memory), used + int(memory)))
            signal.alarm(max(1, math.ceil(seconds)))
            work()
            os._exit(0)
        except MemoryError:
            os._exit(3)
        except BaseException:
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "out of time" if os.WTERMSIG(status) == signal.SIGALRM else f"killed by {os.WTERMSIG(status)}"
    return {0: "", 3: "out of memory", 4: "an exception"}.get(os.WEXITSTATUS(status), "failed")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(FRONT_MATTER, BODY, ENCODING)
def test_hostile_clippings_are_parsed_and_analyzed_in_bounded_time_and_memory(
    front_matter: str, body: str, encoding: str
) -> None:
    data = f"---\n{front_matter}---\n{body}".encode(encoding, errors="ignore")
    ANALYZER.analyze_for_index(["코딩을 배웠다 裏切られた"])  # Kiwi and Sudachi load before the bound, not in it

    def work() -> None:
        try:
            text, _ = decode_text(data, "x.md")
            clipping = parse_clipping(text, "x.md")
            make_documents(clipping, "/x.md", ANALYZER)
        except ClippingError:
            pass  # a file that cannot be read is reported, which is fine: it must not hang or blow up

    # Linear bounds, generous for a loaded machine: 3 s + 30 µs a byte (a sixth of indexing's
    # speed), 200 MB + 2 KB a byte. A quadratic path or an expanded alias passes them by far.
    assert within_bounds(work, 3 + 30e-6 * len(data), 200e6 + 2_000 * len(data)) == ""
