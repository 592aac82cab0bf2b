"""Text → vectors: the embedding model behind a small protocol (`model`), and posts cut into the
passages it embeds (`passages`). Knows nothing of files, indexes or queries, as analyzers/."""
