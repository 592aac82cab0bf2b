"""searchclip: find a post again in a folder of web clippings, in Korean, Japanese or English.

Layers, each importing only those below it (ARCHITECTURE.md):
`analyzers` (text → tokens) → `index` (Tantivy) → `ingest` (files → documents) and `search`
(query → highlighted hits) → `bench` → `app` (CLI, service, client). `errors` is for everyone.
"""

__version__ = "0.1.0"
