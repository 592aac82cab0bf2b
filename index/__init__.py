"""The Tantivy index: the only package that imports tantivy, and it imports no search or ingest code.

`fields` (one table of a post's fields → the schema) · `documents` (what the writer takes) ·
`highlights` (the stored term offsets) · `store` (generations, manifest, lock) · `writer` ·
`plan` (a finished query, plain data) · `reader` (runs a plan → `hits`) · `plain` (benchmark baseline).
"""
