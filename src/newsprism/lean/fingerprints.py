"""Remove what tells an article's outlet apart without saying anything about its politics.

A text-only lean estimate must not be an outlet look-up: news texts name their own outlet,
carry bylines, datelines, newsletter and copyright footers, and house-style marks (curly or
straight quotes, "Mr." before every surname). :func:`strip_fingerprints` removes them so the
model sees the wording of the report itself. Signature phrases of single outlets are handled
at training time: a term enters the model's vocabulary only when many outlets use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

FINGERPRINT_METHOD = "newsprism.fingerprints.v1"

# Names of widely read English-language outlets and wire services (facts, not texts). The
# article's own outlet name, domain and author are removed too when they are known.
OUTLET_NAMES: tuple[str, ...] = tuple(
    """ABC News|Al Jazeera|AlterNet|American Conservative|American Spectator|AP News|
    Associated Press|Axios|BBC News|BBC|Bloomberg News|Bloomberg|Breitbart News|Breitbart|
    Business Insider|BuzzFeed News|BuzzFeed|CBS News|Chicago Sun-Times|Chicago Tribune|
    Christian Science Monitor|CNBC|CNN|Daily Beast|Daily Caller|Daily Kos|Daily Mail|
    Daily Signal|Daily Wire|Democracy Now|Deseret News|Epoch Times|FiveThirtyEight|Forbes|
    Fox Business|Fox News|Free Beacon|Guardian|HotAir|Hot Air|HuffPost|Huffington Post|
    Independent Journal Review|International Business Times|Jacobin|LA Times|
    Los Angeles Times|MarketWatch|Media Matters|Miami Herald|Mother Jones|MSNBC|
    National Public Radio|National Review|NBC News|New Republic|New York Daily News|
    New York Magazine|New York Post|New York Times|New Yorker|Newsbusters|Newsmax|Newsweek|
    NPR|NY Times|NYT|One America News|PBS NewsHour|PBS|Pew Research Center|Politico|
    ProPublica|RealClearPolitics|RealClear Politics|Reason|Reuters|Salon|Scientific American|
    Slate|The 360|The Atlantic|The Blaze|TheBlaze|The Economist|The Federalist|The Flip Side|
    The Hill|The Intercept|The Nation|The Week|ThinkProgress|Time Magazine|Townhall|
    USA Today|USA TODAY|Vanity Fair|Vice News|Vox|Wall Street Journal|Washington Examiner|
    Washington Free Beacon|Washington Post|Washington Times|WSJ|Yahoo News|Yahoo""".replace(
        "\n", ""
    ).split("|")
)

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u2022": " ",
        "\u2026": "...",
    }
)
# A domain or an e-mail address starts only where a run of the characters it is made of starts
# (the look-behind): starting inside runs too made a long dotted token ("a.b-a.b-...", minified
# code) cost quadratic time, minutes for the 100,000 characters read
_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)\S+|(?<![\w.-])[\w.-]+\.(?:com|org|net|io|co\.uk|gov)\b\S*"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+\b")
_HANDLE = re.compile(r"(?<!\w)@\w{2,}")
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Messrs|Dr)\.\s+")
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z\u00c0-\u017f.'-]*(?:\s+[A-Z][A-Za-z\u00c0-\u017f.'-]*){0,3})"
    r"(?:,\s*[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*){0,2})?"
    r"\s*(?:\((?:AP|Reuters|AFP|UPI|CNN|[A-Z]{2,6})\))?\s*(?:-{1,2}|:)\s+"
)
_BOILERPLATE = re.compile(
    r"(?i)(copyright|\u00a9|all rights reserved|sign up|subscribe|newsletter|click here|"
    r"reprint permission|follow (?:him|her|them|us|\w+) on|contributed (?:to )?this report|"
    r"^\s*(?:analysis/opinion|opinion|analysis|advertisement|related|read more|watch|"
    r"photo|image|video|listen|editor'?s note|update|updated)\s*:|"
    r"this (?:story|article) (?:was )?(?:originally )?(?:appeared|published)|"
    r"(?:reporting|editing|writing) by|getty images|ap photo|associated press contributed|"
    r"^\s*by\s+[A-Z]|is (?:a|an|the) (?:columnist|contributor|reporter|correspondent|editor|"
    r"senior|staff|writer|fellow)|download the|our app|share this|comments?\s*$)"
)
_SPACES = re.compile(r"[ \t]+")
_HEAD_LINES = 3  # short lines at the very top are bylines, outlet names or section labels
_SHORT_WORDS = 5


def normalize_typography(text: str) -> str:
    """Straight quotes and hyphens for their typographic variants (a house-style mark)."""
    return text.translate(_QUOTES)


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    return _compiled_names(tuple(names))


@lru_cache(maxsize=4096)
def _compiled_names(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern per set of names, compiled once (an archive has few outlets and authors)."""
    variants: set[str] = set()
    for raw in names:
        name = normalize_typography(raw or "").strip()
        if len(name) < 2:
            continue
        variants.add(name)
        base = re.split(r"\s+[-(|]\s*", name)[0].strip()  # "New York Times - News" -> NYT
        if len(base) >= 2:
            variants.add(base)
        for prefix in ("www.", "http://", "https://"):
            if base.lower().startswith(prefix):
                base = base[len(prefix) :]
        stem = base.split(".")[0] if "." in base and " " not in base else ""
        if len(stem) >= 4:
            variants.add(stem)
    if not variants:
        return None
    ordered = sorted(variants, key=len, reverse=True)
    alternatives = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in ordered)
    return re.compile(rf"(?i)(?<!\w)(?:the\s+)?(?:{alternatives})(?:'s)?(?!\w)")


_KNOWN = _name_pattern(OUTLET_NAMES)


def strip_fingerprints(
    text: str,
    title: str | None = None,
    outlet_names: Iterable[str] = (),
    authors: Iterable[str] = (),
) -> str:
    """The text without outlet names, URLs, bylines, datelines, footers and house style.

    ``outlet_names`` may hold names and domains of the article's outlet; ``authors`` the
    byline's names (each part of a comma- or "and"-separated list is removed).
    """
    text = normalize_typography(text)
    if title:
        clean_title = normalize_typography(title).strip()
        if clean_title and text.lstrip().startswith(clean_title):
            text = text.lstrip()[len(clean_title) :]
    kept: list[str] = []
    seen = 0
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        seen += 1
        if _BOILERPLATE.search(line):
            continue
        short = len(line.split()) < _SHORT_WORDS and not line.endswith((".", "?", "!", '"'))
        if short and seen <= _HEAD_LINES:
            continue
        kept.append(line)
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    return strip_names("\n".join(kept), outlet_names, authors)


def strip_names(text: str, outlet_names: Iterable[str] = (), authors: Iterable[str] = ()) -> str:
    """Only the in-line fingerprints: typography, URLs, e-mails, handles, honorifics, the
    names of outlets and authors (for headlines and single sentences)."""
    text = normalize_typography(text)
    text = _EMAIL.sub(" ", text)  # before URLs: an address's domain is no URL of its own
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = _HONORIFIC.sub("", text)
    people = [
        p.strip()
        for a in authors
        for p in re.split(r",|\band\b|&", a or "")
        if len(p.strip()) >= 4 and p.strip()[:1].isupper()
    ]
    for pattern in (_name_pattern(outlet_names), _name_pattern(people), _KNOWN):
        if pattern is not None:
            text = pattern.sub(" ", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()).strip()
