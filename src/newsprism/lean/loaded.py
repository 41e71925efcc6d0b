"""Loaded-language detection: words and phrases a neutral report would attribute or replace.

The lexicon is ``data/loaded-lexicon-v1.tsv``, original work of the newsprism authors released
under Apache-2.0 with the code (see its header for the columns and categories). Matching runs
over lower-cased word tokens, so "Iron-Fisted", "iron fisted" and "iron-fisted" are one term;
inflections come from the entry's form (plural nouns, -s/-ed/-ing verbs, -ly adverbs of
adjectives) or from forms listed in the entry itself. A greedy longest-match scan visits each
token once, so the cost is linear in the text and independent of the lexicon's size.

The lexicon is English: other languages give no spans (``count`` is 0), never a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsprism.errors import ConfigError

LOADED_METHOD = "newsprism.loaded-lexicon.v1"
DEFAULT_LEXICON = Path(__file__).parent / "data" / "loaded-lexicon-v1.tsv"
CATEGORIES = (
    "pejorative_label",
    "emotive_intensifier",
    "loaded_verb",
    "loaded_metaphor",
    "scare_phrase",
    "doubt_casting",
)
_FORMS = frozenset("nvax")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_VOWELS = frozenset("aeiou")


class LexiconError(ConfigError):
    """A lexicon file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class LoadedSpan:
    """One loaded term found in a text: character offsets, the lexicon entry and its category."""

    start: int
    end: int
    term: str
    category: str


@dataclass(frozen=True)
class _Entry:
    term: str
    category: str


class LoadedLexicon:
    """A compiled loaded-language lexicon. Build with :meth:`load`."""

    method = LOADED_METHOD

    def __init__(self, entries: dict[tuple[str, ...], _Entry], source: str) -> None:
        self._entries = entries
        self._max_len = max((len(k) for k in entries), default=0)
        self._firsts = frozenset(k[0] for k in entries)
        self.source = source

    @classmethod
    def load(cls, path: Path | str | None = None) -> LoadedLexicon:
        """The shipped lexicon, or the TSV file at ``path`` (same columns)."""
        if path is None:
            return _default()
        return _read(Path(path))

    def __len__(self) -> int:
        return len(self._entries)

    def terms(self) -> dict[str, str]:
        """Every lexicon entry (its canonical term) with its category."""
        return {e.term: e.category for e in self._entries.values()}

    def spans(self, text: str) -> list[LoadedSpan]:
        """Every loaded term in ``text``, left to right, longest match first, never overlapping."""
        if not text or not self._entries:
            return []
        tokens = [(m.start(), m.end(), _norm(m.group())) for m in _TOKEN.finditer(text)]
        out: list[LoadedSpan] = []
        i = 0
        while i < len(tokens):
            if tokens[i][2] not in self._firsts:
                i += 1
                continue
            hit = self._match_at(tokens, i)
            if hit is None:
                i += 1
                continue
            n, entry = hit
            out.append(LoadedSpan(tokens[i][0], tokens[i + n - 1][1], entry.term, entry.category))
            i += n
        return out

    def count(self, text: str) -> int:
        """How many loaded terms ``text`` contains."""
        return len(self.spans(text))

    def count_by_category(self, text: str) -> dict[str, int]:
        return dict(Counter(span.category for span in self.spans(text)))

    def _match_at(self, tokens: list[tuple[int, int, str]], i: int) -> tuple[int, _Entry] | None:
        for n in range(min(self._max_len, len(tokens) - i), 0, -1):
            key = tuple(t[2] for t in tokens[i : i + n])
            entry = self._entries.get(key)
            if entry is not None:
                return n, entry
        return None


def _norm(token: str) -> str:
    return token.lower().replace("’", "'")


def _words(term: str) -> tuple[str, ...]:
    return tuple(_norm(m.group()) for m in _TOKEN.finditer(term))


@lru_cache(maxsize=1)
def _default() -> LoadedLexicon:
    return _read(DEFAULT_LEXICON)


def _read(path: Path) -> LoadedLexicon:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"cannot read lexicon {path}: {exc}") from exc
    entries: dict[tuple[str, ...], _Entry] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.rstrip("\n").split("\t")
        if len(cells) != 3:
            raise LexiconError(f"{path}:{number}: expected 3 tab-separated columns, got {line!r}")
        term, category, form = (c.strip() for c in cells)
        if category not in CATEGORIES:
            raise LexiconError(
                f"{path}:{number}: unknown category {category!r} (valid: {', '.join(CATEGORIES)})"
            )
        if form not in _FORMS:
            raise LexiconError(f"{path}:{number}: unknown form {form!r} (valid: n, v, a, x)")
        variants = [v.strip() for v in term.split("|") if v.strip()]
        if not variants or not _words(variants[0]):
            raise LexiconError(f"{path}:{number}: empty term in {line!r}")
        entry = _Entry(" ".join(_words(variants[0])), category)
        for variant in variants:
            for key in _inflect(_words(variant), form if variant == variants[0] else "x"):
                entries.setdefault(key, entry)
    return LoadedLexicon(entries, str(path))


def _inflect(words: tuple[str, ...], form: str) -> set[tuple[str, ...]]:
    if not words:
        return set()
    if form == "v":
        return {(w, *words[1:]) for w in _verb_forms(words[0])}
    if form == "n":
        return {(*words[:-1], w) for w in _noun_forms(words[-1])}
    if form == "a":
        return {(*words[:-1], w) for w in (words[-1], *_adverbs(words[-1]))}
    return {words}


def _noun_forms(word: str) -> set[str]:
    forms = {word, word + "s"}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    if word.endswith("y") and word[-2:-1] not in _VOWELS:
        forms.add(word[:-1] + "ies")
    if word.endswith("man"):
        forms.add(word[:-3] + "men")
    return forms


def _verb_forms(word: str) -> set[str]:
    forms = {word, word + "s", word + "ed", word + "ing"}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y") and word[-2:-1] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if _consonant_vowel_consonant(word):  # slam -> slammed, rip -> ripping
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms


def _consonant_vowel_consonant(word: str) -> bool:
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS | {"w", "x", "y"}
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _adverbs(word: str) -> set[str]:
    if word.endswith("ic"):
        return {word + "ally"}
    if word.endswith("le"):
        return {word[:-1] + "y"}
    if word.endswith("y"):
        return {word[:-1] + "ily"}
    return {word + "ly"}
