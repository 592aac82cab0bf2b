"""Posts → index documents: each post with its analyzed fields, ready for the index writer."""

from __future__ import annotations

from operator import attrgetter

from searchclip.analyzers import Analyzer, Token
from searchclip.index.documents import AnalyzedText, PostDocument
from searchclip.index.highlights import encode_highlights, term_offsets
from searchclip.ingest.clippings import Clipping
from searchclip.ingest.markup import markup_ranges, prose_mask

_INDEX_TERM = attrgetter("term", "position", "start", "end")


def analyzed(text: str, tokens: list[Token]) -> AnalyzedText:
    return AnalyzedText(text, tuple(map(_INDEX_TERM, tokens)))


def analysis_inputs(clipping: Clipping) -> list[str]:
    """The texts indexing analyzes for a clipping, in one batch: its title, every post's prose (the
    text with Markdown blanked), every post's author."""
    posts = clipping.posts
    return [clipping.meta.title, *(p.prose or prose_mask(p.text) for p in posts), *(p.author for p in posts)]


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
            handle=post.handle.lower(),
            url=post.url,
            source=clipping.meta.source,
            lang=body.language or results[0].language,
            tags=tags,
            date=post.date,
            highlights=encode_highlights(
                term_offsets(body.tokens, body.initials, body.readings), markup_ranges(post.text, mask)
            ),
        )
        for post, mask, body, author in zip(posts, prose, bodies, authors, strict=True)
    ]
