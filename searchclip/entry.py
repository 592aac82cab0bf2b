"""The `searchclip` executable. Kept to the standard library so that a search answered by the warm
service (`searchclip serve`) starts no more than Python itself; everything else goes to the CLI."""

from __future__ import annotations

import sys
import time

import searchclip


def main() -> None:
    searchclip.started_at = time.perf_counter()  # for --timings
    argv = sys.argv[1:]
    if argv[:1] == ["search"] and "--no-service" not in argv:
        from searchclip.client import run_via_service

        code = run_via_service(argv)
        if code is not None:
            sys.exit(code)
    from searchclip.cli import main as cli_main

    cli_main()
