"""Run the relevance benchmark from a checkout: the same code as `searchclip bench relevance`.

.venv/bin/python benchmarks/relevance.py /work/shared/data/cranfield/beir --plot cranfield.png
"""

from __future__ import annotations

import sys

from searchclip.app.cli import main

if __name__ == "__main__":
    sys.argv = ["searchclip", "bench", "relevance", *sys.argv[1:]]
    main()
