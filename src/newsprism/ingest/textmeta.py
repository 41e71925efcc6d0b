"""Metadata read from the words of a plain text: headline, dateline, byline, outlet.

Plain-text articles carry no fields, so we read what the text itself says, and record for every
value how it was found and how sure we are. Nothing is guessed from outside the text: an outlet
that the text does not name stays unknown.

Methods (stored as provenance, with confidence):

- ``dateline``       a short header line that starts with a date or labels one ("date 2025-12-13")
- ``lead-date``      no dateline: the first full date in the opening paragraph (often the day of
                     the event rather than of publication, hence the low confidence)
- ``first-line``     a first line shaped like a headline
- ``lead-sentence``  no headline: the opening words of the first sentence
- ``byline``         "By NAME for OUTLET" at the top or bottom
- ``author-bio``     "NAME is the ... editor at OUTLET"
- ``name-line``      a header line holding only a person's name
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from newsprism.ingest.dates import find_dates, parse_date
from newsprism.models import DatePrecision, Provenance

METHOD_VERSION = "textmeta.v1"

_CAP_WORD = r"(?:[A-Z][\w'’-]+|[A-Z]\.)"
_NAME = rf"{_CAP_WORD}(?:[ \t]+{_CAP_WORD}){{1,3}}"
_OUTLET = rf"(?:The[ \t]+)?{_CAP_WORD}(?:[ \t]+(?:of|the|and|&|for|{_CAP_WORD})){{0,5}}"
_BYLINE = re.compile(
    rf"^\s*By\s+(?P<name>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)"
    rf"(?:\s*(?:,|for|at|of|\||—|-)\s*(?P<outlet>{_OUTLET}))?\s*\.?\s*$"
)
_ROLE = (
    r"(?:editor|reporter|correspondent|writer|journalist|producer|anchor|columnist|"
    r"contributor|editor-in-chief|host|author|analyst|photographer)"
)
_BIO = re.compile(
    rf"(?P<name>{_NAME})\s+is\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,4}}{_ROLE}\s+"
    rf"(?:at|for|with|of)\s+(?P<outlet>{_OUTLET})"
)
_NAME_LINE = re.compile(rf"^{_NAME}$")
_DATE_LABEL = re.compile(r"^\W*(?:date|dated|published|posted|updated|last updated)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"”’]?\s+(?=[\"“‘A-Z0-9])")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "ms",
        "mrs",
        "dr",
        "st",
        "jr",
        "sr",
        "gen",
        "gov",
        "sen",
        "rep",
        "no",
        "vs",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
    ]
)
_HEADER_LINES = 4
_TAIL_LINES = 8
_TITLE_WORDS = 12


@dataclass
class TextMeta:
    """What the text says about itself, and the body left after header lines are taken off."""

    body: str
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    precision: DatePrecision | None = None
    provenance: dict[str, Provenance] = field(default_factory=dict)


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence-ending mark, skipping abbreviations and initials."""
    ends = []
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start()].rsplit(None, 1)
        word = before[-1].lower().strip('("“‘') if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        ends.append(match.start() + 1)
    return ends


def first_sentence(text: str) -> str:
    """The first sentence of a text's first paragraph."""
    para = text.strip().split("\n", 1)[0]
    ends = sentence_ends(para)
    return para[: ends[0]] if ends else para


def read_text_metadata(text: str, now: datetime | None = None) -> TextMeta:
    """Infer headline, date, author and outlet from a cleaned plain text."""
    lines = text.split("\n")
    numbered = [(i, ln) for i, ln in enumerate(lines) if ln.strip()]
    header = numbered[:_HEADER_LINES]
    consumed: set[int] = set()
    meta = TextMeta(body=text)

    _dateline(meta, header, consumed, now)
    _byline(meta, header + numbered[-_TAIL_LINES:], consumed, text)
    _title(meta, header, consumed, len(numbered))

    body_lines = [ln for i, ln in enumerate(lines) if i not in consumed]
    meta.body = "\n".join(body_lines).strip()
    if meta.published is None:
        _lead_date(meta, now)
    if meta.title is None and meta.body:
        _lead_title(meta)
    return meta


def _dateline(
    meta: TextMeta, header: list[tuple[int, str]], consumed: set[int], now: datetime | None
) -> None:
    for idx, line in header:
        dates = find_dates(line)
        if not dates or len(line.split()) > 14:
            continue
        offset, found = dates[0]
        labelled = bool(_DATE_LABEL.match(line))
        if not (labelled or offset <= 2):
            continue
        parsed = parse_date(found, now)
        if parsed is None:
            continue
        meta.published, meta.precision, _ = parsed
        meta.provenance["published"] = Provenance(
            "dateline", 0.95 if labelled else 0.9, line.strip()[:120]
        )
        consumed.add(idx)
        return


def _byline(meta: TextMeta, lines: list[tuple[int, str]], consumed: set[int], text: str) -> None:
    for idx, line in lines:
        match = _BYLINE.match(line)
        if match:
            meta.author = match.group("name").strip()
            meta.provenance["author"] = Provenance("byline", 0.85, line.strip()[:120])
            if match.group("outlet"):
                meta.outlet = match.group("outlet").strip()
                meta.provenance["outlet"] = Provenance("byline", 0.8, line.strip()[:120])
            consumed.add(idx)
            return
    bio = _BIO.search(text)
    if bio:
        meta.author = bio.group("name").strip()
        meta.outlet = bio.group("outlet").strip()
        evidence = bio.group(0)[:160]
        meta.provenance["author"] = Provenance("author-bio", 0.75, evidence)
        meta.provenance["outlet"] = Provenance("author-bio", 0.75, evidence)
        consumed.update(i for i, ln in lines[:_HEADER_LINES] if ln.strip() == meta.author)
        return
    for idx, line in lines[:_HEADER_LINES]:
        if idx not in consumed and _NAME_LINE.match(line.strip()) and idx > lines[0][0]:
            meta.author = line.strip()
            meta.provenance["author"] = Provenance("name-line", 0.5, line.strip())
            consumed.add(idx)
            return


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    if not 3 <= len(words) <= 25 or len(line) > 250:
        return False
    if line.rstrip().endswith((".", ",", ";", ":")) and not line.rstrip().endswith("..."):
        return False
    return not sentence_ends(line)


def _title(meta: TextMeta, header: list[tuple[int, str]], consumed: set[int], n_lines: int) -> None:
    for idx, line in header:
        if idx in consumed:
            continue
        if n_lines > 1 and _looks_like_headline(line.strip()):
            meta.title = line.strip()
            meta.provenance["title"] = Provenance("first-line", 0.8)
            consumed.add(idx)
        return


def _lead_date(meta: TextMeta, now: datetime | None) -> None:
    lead = meta.body[:800].split("\n\n", 1)[0]
    for _, found in find_dates(lead):
        parsed = parse_date(found, now)
        if parsed is not None:
            meta.published, meta.precision, _ = parsed
            meta.provenance["published"] = Provenance("lead-date", 0.4, found)
            return


def _lead_title(meta: TextMeta) -> None:
    sentence = first_sentence(meta.body)
    words = sentence.split()
    title = " ".join(words[:_TITLE_WORDS])
    if len(words) > _TITLE_WORDS:
        title = title.rstrip(",;:") + "…"
    meta.title = title
    meta.provenance["title"] = Provenance("lead-sentence", 0.3)
