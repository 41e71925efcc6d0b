"""Dates mentioned inside article text, resolved to calendar dates.

Absolute forms ("Dec. 13, 2025", "13 December 2025", "2025-12-13", "July 2025", "in 1994")
and relative ones ("yesterday", "last week", "on Saturday", "in July", "three days ago") are
found with regular expressions and resolved with dateparser against the article's own
publication date. A relative date in an undated article cannot be resolved and is dropped.
Days of the week are resolved to the latest such day on or before the article's date (a
Saturday paper's "on Saturday" is that day; dateparser would say a week earlier).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import dateparser

DATING_METHOD = "newsprism.dating.v2"  # v2: a number after a label ("item 1800") is no year


class Precision(StrEnum):
    """How much of a mentioned date the text gives."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class DateMention:
    """One date in a text: where it is, the calendar date it names and how precisely."""

    start: int
    end: int
    text: str
    date: date
    precision: Precision
    relative: bool  # resolved against the article's publication date

    def label(self) -> str:
        """The date at its own precision: "2025-12-13", "2025-07", "1994"."""
        if self.precision is Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAYNUM = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUMWORD = r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)"
_LEAD = r"(?:in|since|until|till|by|from|during|of|early|late|mid-?|last|this|next|between|and)"

# Alternatives in order of preference; each names its kind.
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b\d{4}-\d{2}-\d{2}\b"),
    ("mdy", rf"\b{_MONTH}\s+{_DAYNUM},?\s+{_YEAR}\b"),
    ("dmy", rf"\b{_DAYNUM}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
    ("md", rf"\b{_MONTH}\s+{_DAYNUM}\b(?!,?\s*\d)"),
    ("dm", rf"\b{_DAYNUM}\s+(?:of\s+)?{_MONTH}(?![a-z])"),
    ("my", rf"\b{_MONTH}\s+{_YEAR}\b"),
    ("m", rf"\b{_LEAD}\s+{_MONTH}(?![a-z])(?!\s+\d)"),
    ("weekday", rf"\b(?:last\s+)?{_WEEKDAY}\b"),
    ("rel", rf"\b(?:yesterday|today|tonight|(?:earlier\s+)?(?:last|this)\s+(?:week|month|year)"
            rf"|{_NUMWORD}\s+(?:days?|weeks?|months?|years?)\s+ago)\b"),
    ("year", rf"(?<![\d,.$€£-]){_YEAR}(?![\d-]|,\d|\.\d)"),
]  # fmt: skip
_DATE_RE = re.compile("|".join(f"(?P<{k}>{p})" for k, p in _PATTERNS), re.IGNORECASE)
# A number after one of these is a label ("item 1800", "Flight 1901", "No. 2019", "Bill 1850"),
# not a year
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:no|nos|number|item|items|flight|room|route|page|pages|bill|article|"
    r"section|code|unit|model|ticket|case|file|lot|gate|highway|exit|apartment|suite|"
    r"building|platform|bus|train|line|box|zip|pin|ext|version)\.?|#)\s*$",
    re.IGNORECASE,
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MAY_MODAL = re.compile(r"^may$", re.IGNORECASE)


def find_dates(text: str, published: datetime | date | None) -> list[DateMention]:
    """The dates mentioned in ``text``, in order, resolved against ``published``."""
    base = published.date() if isinstance(published, datetime) else published
    out: list[DateMention] = []
    for m in _DATE_RE.finditer(text):
        kind = m.lastgroup or ""
        raw, start = m.group(0), m.start()
        if kind == "m":  # drop the leading "in", "since"... that told a month from "may"
            lead = re.match(rf"{_LEAD}\s+", raw, re.IGNORECASE)
            cut = lead.end() if lead else 0
            raw, start = raw[cut:], start + cut
            if _MAY_MODAL.match(raw) or not raw[:1].isupper():
                continue
        if kind == "year" and _LABEL_BEFORE.search(text, max(0, start - 20), start):
            continue
        resolved = _resolve(kind, raw, base)
        if resolved is not None:
            day, precision, relative = resolved
            out.append(DateMention(start, m.end(), raw, day, precision, relative))
    return out


def _resolve(kind: str, raw: str, base: date | None) -> tuple[date, Precision, bool] | None:
    text = re.sub(r"\s+", " ", raw.strip())
    if kind == "year":
        return date(int(text), 1, 1), Precision.YEAR, False
    if kind == "weekday":
        if base is None:
            return None
        name = text.lower().split()[-1]
        back = (base.weekday() - _WEEKDAYS.index(name)) % 7
        if text.lower().startswith("last") and back == 0:
            back = 7
        return base - timedelta(days=back), Precision.DAY, True
    relative = kind in {"md", "dm", "m", "rel"}
    if relative and base is None:
        return None
    parsed = _dateparse(re.sub(r"^(?:earlier|later)\s+", "", text), base)
    if parsed is None:
        return None
    if kind in {"my", "m"}:
        return parsed.replace(day=1), Precision.MONTH, relative
    if kind == "rel":
        lowered = text.lower()
        if "week" in lowered:
            return parsed, Precision.WEEK, True
        if "month" in lowered and "ago" not in lowered:
            return parsed.replace(day=1), Precision.MONTH, True
        if "year" in lowered and "ago" not in lowered:
            return date(parsed.year, 1, 1), Precision.YEAR, True
    return parsed, Precision.DAY, relative


@lru_cache(maxsize=4096)
def _dateparse(text: str, base: date | None) -> date | None:
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day, 12)
    try:
        value = dateparser.parse(text.rstrip("."), languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if not isinstance(value, datetime) or not 1800 <= value.year <= 2100:
        return None
    return value.date()
