"""Clipping files → index documents: `textfile` (bytes → text) → `clippings` (text → posts, with
`markup` and `dates`) → `documents` (posts → analyzed documents) → `workers` (on every core) →
`update` (what changed, committed at once)."""
