"""Run the relevance benchmark from a checkout: the same code as `searchclip bench relevance`.

.venv/bin/python benchmarks/relevance.py /work/shared/data/cranfield/beir --plot cranfield.png
"""

from __future__ import annotations

import sys

from searchclip.bench_cli import bench_app

if __name__ == "__main__":
    bench_app(args=["relevance", *sys.argv[1:]], prog_name="benchmarks/relevance.py")
