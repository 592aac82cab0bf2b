"""Query text → ranked, highlighted hits: `query` (text → plan) → `ranking` (plan → index query)
→ `expansion` (RM3, on request) → `searcher` (runs it on the index) → `snippets`."""
