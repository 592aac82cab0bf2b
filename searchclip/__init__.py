"""searchclip: find a post again in a folder of web clippings, in Korean, Japanese or English.

Data flows through the modules in this order:
clippings (file → Post) → analyzers (text → Token) → index.writer (Post → Tantivy document)
→ query (user text → Query) → index.reader (Query → Hit) → highlight (Hit → Snippet) → render.
"""

__version__ = "0.1.0"
started_at: float | None = None  # when the executable started, for `search --timings`
