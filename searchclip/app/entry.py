"""The `searchclip` executable. Kept to the standard library so that a search answered by the warm
service (`searchclip serve`) starts no more than Python itself; everything else goes to the CLI."""

from __future__ import annotations

import sys
import time


def main() -> None:
    started_at = time.perf_counter()  # for --timings
    argv = sys.argv[1:]
    if argv[:1] in (["search"], ["index"]) and "--no-service" not in argv and "--help" not in argv:
        from searchclip.app.client import run_via_service

        code = run_via_service(argv)
        if code is not None:
            sys.exit(code)
    from searchclip.app.cli import main as cli_main

    cli_main(argv, started_at)
