"""Numbers as news text states them, normalised to a value, a qualifier and an interval.

"123", "1,100", "1100", "1.2 million", "fifty-two", "a dozen", "over 1,100", "nearly 1,200",
"$2.5 billion", "45%": each becomes a :class:`NumberMention` with its character span in the
text. A qualifier (over, nearly, about, at least...) is kept as a word and as an interval of
the values a writer would round that way: "over 1,100" is above 1,100 but under 1,150 (someone
with 1,180 in mind writes "nearly 1,200"), "about 120" is within half a rounding step of 120.

Pure regular expressions, no model: calendar years ("in 2020"), days of the month
("Dec. 13") and list markers ("1.") are recognised and left out, and so are numbers that are
only part of a longer token (decimal commas, numeric dates, ranges, exponents) and numbers too
large for a float.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

NUMBERS_METHOD = "newsprism.numbers.v2"  # v2: no figure from a decimal comma, date or range
_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "one": 1,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 10**9,
           "trillion": 10**12, "bn": 10**9, "m": 10**6, "k": 1_000}  # fmt: skip
_COLLECTIVE = {"dozen": 12, "score": 20}
_VAGUE = {"dozens": (24.0, 99.0), "hundreds": (200.0, 999.0), "thousands": (2_000.0, 9_999.0),
          "millions": (2e6, 9.99e8)}  # fmt: skip

# Qualifier -> (lower bound kind, upper bound kind): "open"/"closed" around the stated value,
# "round-" for half a rounding step on that side, "inf" for unbounded.
QUALIFIERS: dict[str, tuple[str, str]] = {
    "more than": ("open", "round+"), "over": ("open", "round+"), "above": ("open", "round+"),
    "upwards of": ("open", "round+"), "just over": ("open", "round+"),
    "nearly": ("round-", "open"), "almost": ("round-", "open"), "just under": ("round-", "open"),
    "close to": ("round-", "open"), "under": ("round-", "open"), "fewer than": ("round-", "open"),
    "less than": ("round-", "open"), "below": ("round-", "open"),
    "about": ("round-", "round+"), "around": ("round-", "round+"), "roughly": ("round-", "round+"),
    "approximately": ("round-", "round+"), "some": ("round-", "round+"),
    "an estimated": ("round-", "round+"), "estimated": ("round-", "round+"),
    "at least": ("closed", "inf"), "no fewer than": ("closed", "inf"),
    "as many as": ("round-", "closed"), "up to": ("zero", "closed"), "at most": ("zero", "closed"),
}  # fmt: skip

_WORD_NUM = "|".join(sorted(_UNITS, key=len, reverse=True))
_SCALE = r"hundred|thousand|million|billion|trillion"
_WORDS = (
    rf"(?:{_WORD_NUM})(?:[-\s](?:{_WORD_NUM}))?"
    rf"(?:\s+(?:{_SCALE})(?:\s+(?:and\s+)?(?:{_WORD_NUM}))?)*"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Digits that go on ("1,2 million", "31/02/2025", "10-15", "3.5.2", "1e9") are part of a decimal
# comma, a date, a range, a version or an exponent: reading their first part alone gives a wrong
# figure, so they are not read at all.
_NOT_PART = r"(?![.,/–-]\d|\d|[eE][-+]?\d)"
_QUAL = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))
NUMBER_RE = re.compile(
    rf"(?<![\w.,/–-])(?:(?P<qual>{_QUAL})\s+)?"
    rf"(?P<cur>[$€£])?\s?"
    rf"(?:(?P<digits>{_DIGITS}){_NOT_PART}(?:\s?(?P<dscale>{_SCALE})\b|(?P<abbr>bn|m|k)\b)?"
    rf"|(?P<words>{_WORDS})\b"
    r"|(?P<coll>a\s+dozen|a\s+score|dozens|hundreds|thousands|millions)\b)"
    r"(?P<pct>\s?%|\s+per\s?cent\b)?",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_MONTH_BEFORE = re.compile(rf"\b{_MONTH}\s*$", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}(?![a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class NumberMention:
    """One number in a text: where it is, what it says and how sure the writer was."""

    start: int
    end: int
    text: str
    value: float
    low: float
    high: float  # math.inf when unbounded
    qualifier: str | None
    unit: str | None  # "%", "USD", "EUR", "GBP" or None for a plain count
    spelled: bool  # written in words ("fifty-two", "a dozen")

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def overlaps(self, other: NumberMention) -> bool:
        """Whether both can describe the same true value."""
        if self.unit != other.unit:
            return False
        if self.exact and other.exact:
            return self.value == other.value
        return max(self.low, other.low) < min(self.high, other.high) or (
            self.exact and other.low <= self.value <= other.high
        ) or (other.exact and self.low <= other.value <= self.high)  # fmt: skip


def words_to_number(words: str) -> float | None:
    """ "fifty-two" -> 52, "two hundred and five" -> 205, "1.2 million" is not words."""
    total, current = 0.0, 0.0
    seen = False
    for word in re.split(r"[-\s]+", words.lower()):
        if not word or word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _SCALES and seen:
            scale = _SCALES[word]
            if scale == 100:
                current *= scale
            else:
                total += current * scale
                current = 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


def _rounding_step(value: float) -> float:
    """The place of the last significant digit: 1,100 -> 100, 123 -> 1, 1.2 -> 0.1."""
    if value == 0:
        return 1.0
    if value != int(value):
        decimals = len(f"{value:.6f}".rstrip("0").split(".")[1])
        return 10.0**-decimals
    step = 1.0
    n = int(value)
    while n % 10 == 0:
        n //= 10
        step *= 10
    return step


def _interval(value: float, qualifier: str | None) -> tuple[float, float]:
    if qualifier is None:
        return value, value
    lower, upper = QUALIFIERS[qualifier]
    half = _rounding_step(value) / 2
    low = {"open": value, "closed": value, "round-": value - half, "zero": 0.0}[lower]
    high = {"open": value, "closed": value, "round+": value + half, "inf": math.inf}[upper]
    # Open ends are nudged inwards so that "over 1,100" and "nearly 1,100" do not touch.
    if lower == "open":
        low += half * 1e-6
    if upper == "open":
        high -= half * 1e-6
    return low, high


def _is_calendar(text: str, m: re.Match[str], digits: str | None) -> bool:
    if digits is None or m.group("cur") or m.group("pct") or m.group("dscale") or m.group("abbr"):
        return False
    if re.fullmatch(r"1[89]\d\d|20\d\d", digits) and not m.group("qual"):
        return True  # a year ("in 2020"; a count of 2,020 is written with a comma)
    before, after = text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 16]
    day = re.fullmatch(r"\d{1,2}", digits) is not None
    return day and (bool(_MONTH_BEFORE.search(before)) or bool(_MONTH_AFTER.match(after)))


def _is_list_marker(text: str, m: re.Match[str]) -> bool:
    line_start = text.rfind("\n", 0, m.start()) + 1
    return (
        not text[line_start : m.start()].strip()
        and re.match(r"[.)]\s", text[m.end() : m.end() + 2] + " ") is not None
        and m.group("digits") is not None
    )


def find_numbers(text: str) -> list[NumberMention]:
    """Every stated quantity in ``text``, in order (calendar years and days left out)."""
    out: list[NumberMention] = []
    for m in NUMBER_RE.finditer(text):
        digits, words, coll = m.group("digits"), m.group("words"), m.group("coll")
        if _is_calendar(text, m, digits) or _is_list_marker(text, m):
            continue
        qualifier = m.group("qual").lower() if m.group("qual") else None
        if qualifier and re.search(r"(?:total|toll|tally|number|count)\s+$", text[: m.start()]):
            qualifier = None if qualifier == "up to" else qualifier
        if digits is not None:
            value = float(digits.replace(",", ""))
            scale = m.group("dscale") or m.group("abbr")
            if scale:
                value *= _SCALES[scale.lower()]
        elif words is not None:
            if words.lower() == "one":
                continue  # "one of the prisoners": rarely a stated quantity
            parsed = words_to_number(words)
            if parsed is None:
                continue
            value = parsed
        else:
            key = re.sub(r"\s+", " ", coll.lower()).removeprefix("a ")
            if key in _VAGUE:
                low, high = _VAGUE[key]
                out.append(_mention(m, (low + high) / 2, None, (low, high), spelled=True))
                continue
            value = float(_COLLECTIVE[key])
        if not math.isfinite(value):
            continue  # hundreds of digits: no float holds it, and no news figure is that large
        out.append(_mention(m, value, qualifier, _interval(value, qualifier), digits is None))
    return out


def _mention(
    m: re.Match[str], value: float, qualifier: str | None, bounds: tuple[float, float],
    spelled: bool,
) -> NumberMention:  # fmt: skip
    unit = None
    if m.group("pct"):
        unit = "%"
    elif m.group("cur"):
        unit = {"$": "USD", "€": "EUR", "£": "GBP"}[m.group("cur")]
    return NumberMention(
        start=m.start(), end=m.end(), text=m.group(0), value=value, low=bounds[0],
        high=bounds[1], qualifier=qualifier, unit=unit, spelled=spelled,
    )  # fmt: skip


def figures(text: str) -> frozenset[float]:
    """The values of the numbers ``text`` states ("ten" and "10" are one figure)."""
    return frozenset(m.value for m in find_numbers(text))
