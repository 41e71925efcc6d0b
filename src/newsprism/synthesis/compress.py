"""Shorter versions of a sentence, cut from its own text, for the extractive summary.

Each variant keeps ranges of the source sentence and drops what a reader can lose without the
sentence going wrong: a dateline ("MONSEY, N.Y. (AP) —"), leading adverbials ("On Tuesday,"),
parentheticals, appositives (", a champion of traditional values,"), non-restrictive relative
clauses (", who ..."). Attributions ("according to X", "..., X said") and trailing clauses are
never cut: the first would state a claim as fact, and the second cost more than it saved on
the NeuS tuning stories. Nothing is added or reworded: a variant is the concatenation of
its kept ranges, with its first letter capitalised. A variant is rejected when it would leave
an opening quote mark without its closing one (or the reverse), unbalanced brackets, fewer
than five words, or no verb.

The cuts come from spaCy's English dependency parse (:func:`newsprism.synthesis.parse.
english_parser`); other languages and sentences over :data:`MAX_CHARS` get no variants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

COMPRESS_METHOD = "newsprism.sentence-cuts.v1"  # a new version needs a new SUMMARY_METHOD too
MAX_CHARS = 1_500
MAX_VARIANTS = 12
MAX_CUTS = 5
MIN_WORDS = 5
CUT_KINDS = ("dateline", "lead", "paren", "appos", "relcl", "quote")
_DANGLING = re.compile(r"\s*[“\"]\s*$")
_END = re.compile(r"[.!?][\"”’']*\s*$")
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.,'’ -]{2,60}?(?:\s*\([A-Za-z .]{1,30}\))?"  # MONSEY, N.Y. (AP)
    r"(?:\s*[—–]+\s*|\s+-{1,2}\s+)"  # — or " - "
    r"|\([A-Z][A-Za-z .]{1,20}\)\s*[—–-]?\s*)"  # (CNN)
)
_PAREN = re.compile(r"\s*\([^()]{1,300}\)")
_LEADING_DEPS = frozenset({"prep", "advmod", "npadvmod", "advcl", "pcomp"})
_NONRESTRICTIVE = frozenset({"appos", "relcl"})
_CONDITIONS = frozenset(
    "if unless although though even whether without except barring until once when not only "
    "never no".split()
)
_CONNECTIVES = frozenset({"but", "and", "so", "yet", "however", "meanwhile", "still", "also"})


@dataclass(frozen=True)
class Variant:
    """A version of a sentence: its text, the kept character ranges of the source sentence
    (``text`` is their concatenation, first letter capitalised) and the kinds of cut made."""

    text: str
    spans: tuple[tuple[int, int], ...]
    cuts: tuple[str, ...]

    @property
    def words(self) -> int:
        return len(self.text.split())


def whole(text: str) -> Variant:
    """The sentence itself, less a lone opening quote mark that the segmenter left at its end
    (``... for the Trump White House. “``)."""
    dangling = _DANGLING.search(text)
    if dangling and dangling.start() > 0 and not balanced(text):
        return Variant(text[: dangling.start()], ((0, dangling.start()),), ("quote",))
    return Variant(text, ((0, len(text)),), ())


def balanced(text: str) -> bool:
    """Every quote mark and bracket opened is closed."""
    return not (
        text.count('"') % 2
        or text.count("“") != text.count("”")
        or text.count("(") != text.count(")")
    )


def readable(text: str) -> bool:
    """Balanced, and ending as a sentence ends (not cut off mid-phrase or mid-quote)."""
    return balanced(text) and _END.search(text) is not None


def compress(text: str, language: str | None = "en") -> list[Variant]:
    """The sentence itself first, then its valid shorter variants (at most :data:`MAX_VARIANTS`
    in all, fewest words last)."""
    return compress_many([text], language)[0]


def compress_many(texts: Sequence[str], language: str | None = "en") -> list[list[Variant]]:
    """:func:`compress` for many sentences, parsed in one batch."""
    out = [[whole(t)] for t in texts]
    if language not in (None, "en"):
        return out
    rows = [i for i, t in enumerate(texts) if t.strip() and len(t) <= MAX_CHARS]
    if not rows:
        return out
    from newsprism.synthesis.parse import english_parser

    # the repaired sentence is a prefix of the source, so the cuts' ranges fit both
    docs = english_parser().pipe([out[i][0].text for i in rows], batch_size=64)
    for row, doc in zip(rows, docs, strict=True):
        out[row].extend(_variants(doc))
    return out


def _variants(doc: Doc) -> list[Variant]:
    text = doc.text
    # the longest cuts only, so that their combinations stay few
    cuts = sorted(_cuts(doc), key=lambda c: c[1][0] - c[1][1])[:MAX_CUTS]
    options = [
        (tuple(k for k, _ in combo), [r for _, r in combo])
        for size in range(1, len(cuts) + 1)
        for combo in combinations(cuts, size)
    ]
    seen = {text}
    found: list[Variant] = []
    for kinds, ranges in options:
        variant = _apply(text, ranges, tuple(sorted(set(kinds))))
        if variant is not None and variant.text not in seen and _valid(variant, doc):
            seen.add(variant.text)
            found.append(variant)
    found.sort(key=lambda v: -v.words)
    return found[: MAX_VARIANTS - 1]


def _cuts(doc: Doc) -> list[tuple[str, tuple[int, int]]]:
    """Every single cut as (kind, character range of the sentence to drop)."""
    text = doc.text
    found: list[tuple[str, tuple[int, int]]] = []
    dateline = _DATELINE.match(text)
    if dateline and dateline.end() < len(text):
        found.append(("dateline", (0, dateline.end())))
    found += [("paren", (m.start(), m.end())) for m in _PAREN.finditer(text) if m.start() > 0]
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if len(roots) != 1:
        return found
    root = roots[0]
    lead = _leading(doc, root)
    if lead:
        found.append(("lead", lead))
    for token in doc:
        if token.dep_ in _NONRESTRICTIVE:
            span = _between_commas(doc, token)
            if span:
                found.append(("appos" if token.dep_ == "appos" else "relcl", span))
    return found


def _leading(doc: Doc, root: Token) -> tuple[int, int] | None:
    """Adverbials and connectives before the subject, each closed by a comma."""
    pos = 0
    while pos < root.i:
        first = doc[pos]
        connective = first.dep_ in ("cc", "advmod") and first.head.i == root.i
        if connective and first.lower_ in _CONNECTIVES:
            pos += 2 if pos + 1 < len(doc) and doc[pos + 1].text == "," else 1
            continue
        child = next((c for c in root.lefts if c.left_edge.i == pos), None)
        if child is None or child.dep_ not in _LEADING_DEPS or _conditional(child):
            break
        after = child.right_edge.i + 1
        if after >= root.i or doc[after].text != ",":
            break
        pos = after + 1
    if pos == 0 or pos >= root.i:
        return None
    return 0, doc[pos].idx


def _conditional(child: Token) -> bool:
    """A leading phrase the rest depends on ("If it passes,", "Without approval,")."""
    heads = ("mark", "prep", "advmod")
    return any(
        t.lower_ in _CONDITIONS for t in child.subtree if t.dep_ in heads or t == child.left_edge
    )


def _between_commas(doc: Doc, token: Token) -> tuple[int, int] | None:
    """A comma-delimited phrase: from the comma before it to the comma after (kept out) or to
    the sentence's closing punctuation (kept)."""
    left, right = token.left_edge.i, token.right_edge.i
    if left == 0 or doc[left - 1].text != ",":
        return None
    after = doc[right + 1] if right + 1 < len(doc) else None
    if after is not None and after.text == ",":
        return doc[left - 1].idx, after.idx + 1
    if after is not None and after.is_punct and after.text in ".!?" and right + 2 >= len(doc):
        return doc[left - 1].idx, doc[right].idx + len(doc[right].text)
    return None


def _apply(text: str, ranges: Iterable[tuple[int, int]], kinds: tuple[str, ...]) -> Variant | None:
    drop = sorted(ranges)
    kept: list[tuple[int, int]] = []
    pos = 0
    for start, end in drop:
        if start > pos:
            kept.append((pos, start))
        pos = max(pos, end)
    if pos < len(text):
        kept.append((pos, len(text)))
    spans = _tidy(text, kept)
    if not spans:
        return None
    joined = "".join(text[a:b] for a, b in spans)
    return Variant(joined[:1].upper() + joined[1:], tuple(spans), kinds)


def _tidy(text: str, kept: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Kept ranges with no leading space or punctuation and no doubled space at a join."""
    out: list[tuple[int, int]] = []
    for begin, end in kept:
        start = begin
        if not out:
            while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
                start += 1
        elif text[out[-1][1] - 1].isspace():
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            out.append((start, end))
    return out


def _valid(variant: Variant, doc: Doc) -> bool:
    t = variant.text
    if variant.words < MIN_WORDS or (not t[:1].isalnum() and t[:1] not in "\"“'‘"):
        return False
    if not balanced(t) or t.count("‘") > t.count("’"):
        return False
    if doc.text.rstrip()[-1:] in '.!?"”' and t.rstrip()[-1:] not in '.!?"”':
        return False
    kept = [tok for tok in doc if _inside(tok.idx, variant.spans)]
    return any(tok.pos_ in ("VERB", "AUX") for tok in kept)


def _inside(offset: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= offset < b for a, b in spans)
