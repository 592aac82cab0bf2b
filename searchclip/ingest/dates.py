"""Dates as clippings write them and users type them. Its own module: searches need it without
the Markdown and YAML parsers that clippings.py brings."""

from __future__ import annotations

import datetime as dt

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%b %d, %Y", "%d %b %Y", "%B %d, %Y")


def parse_date(text: str) -> dt.date | None:
    """Parse the date formats found in clippings and typed by users; None if none fits."""
    text = text.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        if fmt == "%Y%m%d" and not (len(text) == 8 and text.isdigit()):
            continue  # strptime would read "202511" as 2025-01-01
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
