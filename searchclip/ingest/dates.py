"""Dates as clippings write them and users type them. Its own module: searches need it without
the Markdown and YAML parsers that clippings.py brings.

ISO dates and timestamps (with zones), `2025/02/22`, `2025.02.22.`, `20250222`, `Feb 22, 2025`,
`22 Feb 2025`, `2026년 5월 18일`, `2006年3月11日`, and months alone (`2024-09`, `2024년 9월`,
`2024年9月`), which stand for their first day but are shown as the month they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DATE_FORMATS = ("%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%b %d, %Y", "%d %b %Y", "%B %d, %Y", "%d %B %Y", "%b %d %Y")
# 2026년 5월 18일, 2006年3月11日 (a weekday or a time may follow), or the month alone.
_CJK = re.compile(r"(\d{4})\s*[년年]\s*(\d{1,2})\s*[월月](?:\s*(\d{1,2})\s*[일日])?(?=$|[\s(（,.])")
_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})\.?")


@dataclass(frozen=True, slots=True)
class When:
    """A date and how precisely it was given: `text` is its ISO form at that precision."""

    date: dt.date
    text: str


def parse_date(text: str) -> dt.date | None:
    """Parse the date formats found in clippings and typed by users; None if none fits."""
    found = parse_when(text)
    return found.date if found else None


def parse_when(text: str) -> When | None:
    text = text.strip()
    if not text:
        return None
    day = _day(text)
    if day is not None:
        return When(day, day.isoformat())
    if (cjk := _CJK.match(text)) is not None:
        return _when(int(cjk[1]), int(cjk[2]), int(cjk[3]) if cjk[3] else None)
    if (month := _MONTH.fullmatch(text)) is not None:
        return _when(int(month[1]), int(month[2]), None)
    return None


def _day(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    trimmed = text.rstrip(".")  # 2025.02.22. as Korean pages write it
    for fmt in _DATE_FORMATS:
        if fmt == "%Y%m%d" and not (len(trimmed) == 8 and trimmed.isdigit()):
            continue  # strptime would read "202511" as 2025-01-01
        try:
            return dt.datetime.strptime(trimmed, fmt).date()
        except ValueError:
            continue
    return None


def _when(year: int, month: int, day: int | None) -> When | None:
    try:
        date = dt.date(year, month, day or 1)
    except ValueError:
        return None
    return When(date, date.isoformat() if day else f"{year:04d}-{month:02d}")
