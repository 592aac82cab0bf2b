"""Posts → index documents: each post with its analyzed fields, ready for the index writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from searchclip.analyzers import Token, analyze_batch, bigrams, detect_language
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
    """Analyze every post of a clipping (Korean in one Kiwi batch) into index documents."""
    posts = clipping.posts
    title = clipping.meta.title
    masks = [prose_mask(p.text) for p in posts]
    authors = [p.author for p in posts]
    analyzed = analyze_batch([title, *masks, *authors])
    title_tokens = analyzed[0]
    body_tokens = analyzed[1 : 1 + len(posts)]
    author_tokens = analyzed[1 + len(posts) :]
    title_text = AnalyzedText(title, tuple(title_tokens))
    title_bigrams = AnalyzedText(title, tuple(bigrams(title)))
    docs = []
    for post, mask, tokens, a_tokens in zip(posts, masks, body_tokens, author_tokens, strict=True):
        docs.append(
            PostDocument(
                id=post.id,
                path=post.path,
                file=file,
                post=post.number,
                line=post.line,
                title=title_text,
                body=AnalyzedText(post.text, tuple(tokens)),
                author=AnalyzedText(post.author, tuple(a_tokens)),
                bigrams=(title_bigrams, AnalyzedText(post.text, tuple(bigrams(mask)))),
                handle=post.handle.lower(),
                url=post.url,
                source=clipping.meta.source,
                lang=detect_language(mask) or detect_language(title),
                tags=tuple(t.lower() for t in clipping.meta.tags),
                date=post.date,
            )
        )
    return docs
