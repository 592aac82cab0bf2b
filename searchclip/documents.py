"""Posts → index documents: each post with its analyzed fields, ready for the index writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from searchclip.analyzers import Token, analyze_texts
from searchclip.clippings import Clipping
from searchclip.markup import prose_mask


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    """A stored original text and the tokens indexed for it."""

    text: str
    tokens: tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class PostDocument:
    id: str
    path: str
    file: str
    post: int
    line: int
    title: AnalyzedText
    body: AnalyzedText
    author: AnalyzedText
    bigrams: tuple[AnalyzedText, ...]
    handle: str
    url: str
    source: str
    lang: str
    tags: tuple[str, ...]
    date: dt.date | None


def make_documents(clipping: Clipping, file: str) -> list[PostDocument]:
    """Analyze every post of a clipping (title, bodies, authors in one batch) into index documents."""
    posts = clipping.posts
    title = clipping.meta.title
    prose = [p.prose or prose_mask(p.text) for p in posts]
    analyzed = analyze_texts([title, *prose, *(p.author for p in posts)])
    title_text = AnalyzedText(title, tuple(analyzed[0].tokens))
    title_bigrams = AnalyzedText(title, tuple(analyzed[0].bigrams))
    bodies = analyzed[1 : 1 + len(posts)]
    authors = analyzed[1 + len(posts) :]
    tags = tuple(t.lower() for t in clipping.meta.tags)
    return [
        PostDocument(
            id=post.id,
            path=post.path,
            file=file,
            post=post.number,
            line=post.line,
            title=title_text,
            body=AnalyzedText(post.text, tuple(body.tokens)),
            author=AnalyzedText(post.author, tuple(author.tokens)),
            bigrams=(title_bigrams, AnalyzedText(post.text, tuple(body.bigrams))),
            handle=post.handle.lower(),
            url=post.url,
            source=clipping.meta.source,
            lang=body.language or analyzed[0].language,
            tags=tags,
            date=post.date,
        )
        for post, body, author in zip(posts, bodies, authors, strict=True)
    ]
