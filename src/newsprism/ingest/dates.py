"""Dates in the forms news text and metadata use, parsed to timezone-aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import dateparser

from newsprism.models import DatePrecision

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# A full date (day, month and year) in the usual English and ISO forms.
DATE_PATTERN = re.compile(
    r"\b(?:"
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}"
    r")\b",
    re.IGNORECASE,
)
_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "PREFER_DAY_OF_MONTH": "first",
}
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def parse_date(
    text: str, now: datetime | None = None
) -> tuple[datetime, DatePrecision, bool] | None:
    """Parse one date or datetime string.

    Returns (UTC datetime, precision, timezone_assumed) or ``None`` when the text is not a
    complete, plausible date (before 1900 or more than a day in the future).
    """
    raw = text.strip()
    if not raw or len(raw) > 100:
        return None
    parsed = _iso(raw)
    if parsed is None:
        try:
            value = dateparser.parse(raw, languages=None, settings=_SETTINGS)
        except (ValueError, OverflowError, TypeError):
            return None
        if value is None:
            return None
        has_time = bool(re.search(r"\d{1,2}:\d{2}", raw))
        parsed = (
            value.astimezone(UTC),
            DatePrecision.DATETIME if has_time else DatePrecision.DAY,
            not re.search(r"(Z|[+-]\d{2}:?\d{2}|UTC|GMT|[ECMP][SD]T)\s*$", raw),
        )
    return parsed if plausible(parsed[0], now) else None


def plausible(stamp: datetime, now: datetime | None = None) -> bool:
    """A publication time can be true: from 1900 to a day after ``now`` (UTC)."""
    return _EARLIEST <= stamp <= (now or datetime.now(UTC)) + timedelta(days=1)


def _iso(raw: str) -> tuple[datetime, DatePrecision, bool] | None:
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            return datetime(d.year, d.month, d.day, tzinfo=UTC), DatePrecision.DAY, False
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    assumed = value.tzinfo is None
    if assumed:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC), DatePrecision.DATETIME, assumed


def find_dates(text: str) -> list[tuple[int, str]]:
    """Full-date expressions in ``text`` as (offset, matched text), in order."""
    return [(m.start(), m.group(0)) for m in DATE_PATTERN.finditer(text)]
