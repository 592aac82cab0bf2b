"""Posts → index documents: each post with its analyzed fields, ready for the index writer."""

from __future__ import annotations

from operator import attrgetter

from searchclip.analyzers import Analyzer, Token
from searchclip.index.documents import AnalyzedText, PostDocument
from searchclip.index.highlights import encode_highlights, term_offsets
from searchclip.ingest.clippings import Clipping
from searchclip.ingest.markup import markup_ranges, prose_mask

_INDEX_TERM = attrgetter("term", "position", "start", "end")
# What one file may make searchable. Analysis holds about 300 bytes per character at its peak, so a
# 20 MB single-line file would need 6 GB; past this budget a file's text is stored and shown but
# not searched (and the file gets a warning). Two million characters are several books.
MAX_SEARCHABLE_CHARS = 2_000_000


def analyzed(text: str, tokens: list[Token]) -> AnalyzedText:
    return AnalyzedText(text, tuple(map(_INDEX_TERM, tokens)))


def analysis_inputs(clipping: Clipping) -> list[str]:
    """The texts indexing analyzes for a clipping, in one batch: its title, every post's prose (the
    text with Markdown blanked, within the file's MAX_SEARCHABLE_CHARS), every post's author."""
    posts = clipping.posts
    budget = MAX_SEARCHABLE_CHARS
    prose = []
    for post in posts:
        text = post.prose or prose_mask(post.text)
        prose.append(text[: max(0, budget)])
        budget -= len(text)
    return [clipping.meta.title, *prose, *(p.author for p in posts)]


def searchable_chars(clipping: Clipping) -> tuple[int, int]:
    """How many of the clipping's post characters are searchable, and how many it has."""
    total = sum(len(p.text) for p in clipping.posts)
    return min(total, MAX_SEARCHABLE_CHARS), total


def make_documents(clipping: Clipping, file: str, analyzer: Analyzer) -> list[PostDocument]:
    """Analyze every post of a clipping (title, bodies, authors in one batch) into index documents."""
    posts = clipping.posts
    title = clipping.meta.title
    texts = analysis_inputs(clipping)
    prose = texts[1 : 1 + len(posts)]
    results = analyzer.analyze_for_index(texts)
    title_text = analyzed(title, results[0].tokens)
    title_bigrams = analyzed(title, results[0].bigrams)
    title_initials = analyzed(title, results[0].initials)
    title_readings = analyzed(title, results[0].readings)
    bodies = results[1 : 1 + len(posts)]
    authors = results[1 + len(posts) :]
    tags = tuple(t.lower() for t in clipping.meta.tags)
    return [
        PostDocument(
            id=post.id,
            path=post.path,
            file=file,
            post=post.number,
            line=post.line,
            title=title_text,
            body=analyzed(post.text, body.tokens),
            author=analyzed(post.author, author.tokens),
            bigrams=(title_bigrams, analyzed(post.text, body.bigrams)),
            initials=(title_initials, analyzed(post.text, body.initials)),
            readings=(title_readings, analyzed(post.text, body.readings)),
            handle=post.handle,
            handle_key=post.handle.lower(),
            url=post.url,
            source=clipping.meta.source,
            lang=body.language or results[0].language,
            tags=tags,
            date=post.date,
            date_text=post.date_text,
            date_kind=post.date_kind,
            highlights=encode_highlights(
                term_offsets(body.tokens, body.initials, body.readings), markup_ranges(post.text, mask)
            ),
        )
        for post, mask, body, author in zip(posts, prose, bodies, authors, strict=True)
    ]
