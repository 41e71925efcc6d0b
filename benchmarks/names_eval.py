"""Precision and recall of "same person" on name-variant pairs.

    python -m benchmarks.names_eval [--n 2000] [--split test|dev] [--seed 13] [--json]

Sets (from ../shared/eval/names/, evaluation data only; nothing of it is shipped):

- ``ru-tokens``: English <-> Russian name words (Wikidata), the Russian side transliterated;
  negatives pair each English word with another Russian word of the same length and first letter.
- ``he-full-names``: English <-> Hebrew full names; negatives pair each English name with another
  Hebrew name of the same number of words and the same first letter.
- ``ru-gendered``: masculine Slavic surnames (-ov, -ev, -sky, -tsky) from the Russian set;
  positives are the pair itself, negatives the English masculine against the Russian feminine form
  (Kazakov / Казакова): two people, husband and wife or father and daughter.
- ``nicknames``: given name <-> nickname (Elizabeth/Betty); negatives pair each name with another
  listed name of the same first letter and length. Scored with the bundled nickname table (which is
  derived from this very list, so it only checks the lookup) and without it (spelling alone).

Rows are split in two halves by a hash of the English side: thresholds were chosen on ``dev``;
report ``test``. One positive and one negative per sampled row.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import platform
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from newsprism.synthesis.names import (
    NAMES_METHOD,
    compare_given,
    compare_names,
    compare_tokens,
    romanize,
)

NAMES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "names"
TRANSLIT = NAMES / "wikidata_name_transliterations.tsv.gz"
NICKNAMES = NAMES / "nicknames_names.csv"

Pair = tuple[str, str, bool]


@dataclass(frozen=True)
class Score:
    pairs: int
    precision: float
    recall: float
    f1: float
    seconds: float

    def as_dict(self) -> dict[str, float]:
        return {
            "pairs": self.pairs,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "seconds": round(self.seconds, 2),
        }


def _half(text: str) -> str:
    return "dev" if hashlib.md5(text.lower().encode()).digest()[0] % 2 == 0 else "test"


def _translit_rows(level: str, lang: str, split: str) -> Iterator[tuple[str, str]]:
    with gzip.open(TRANSLIT, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["level"] == level and row["lang"] == lang and _half(row["english"]) == split:
                yield row["english"], row["native"]


def _with_negatives(
    positives: list[tuple[str, str]],
    bucket: Callable[[str], tuple[object, ...]],
    rng: random.Random,
) -> list[Pair]:
    """Each positive, and its English side against another native name from the same bucket."""
    by_bucket: dict[tuple[object, ...], list[tuple[str, str]]] = defaultdict(list)
    for en, native in positives:
        by_bucket[bucket(native)].append((en, native))
    pairs: list[Pair] = []
    for en, native in positives:
        pairs.append((en, native, True))
        others = [o for o in by_bucket[bucket(native)] if o[0].lower() != en.lower()]
        if others:
            pairs.append((en, rng.choice(others)[1], False))
    return pairs


def ru_tokens(n: int, split: str, rng: random.Random) -> list[Pair]:
    rows = [(e, r) for e, r in _translit_rows("token", "ru", split) if len(e) > 1]
    rows = rng.sample(rows, min(n, len(rows)))
    return _with_negatives(rows, lambda r: (romanize(r)[:1].lower(), len(romanize(r))), rng)


def he_full_names(n: int, split: str, rng: random.Random) -> list[Pair]:
    rows = list(_translit_rows("full_name", "he", split))
    rows = rng.sample(rows, min(n, len(rows)))
    return _with_negatives(rows, lambda h: (h[:1], len(h.split())), rng)


# -ин/-ина is left out: in this list most -ин words are not surnames (Кристин, Максин).
_MASCULINE = (("ский", "ская"), ("цкий", "цкая"), ("ов", "ова"), ("ев", "ева"))


def ru_gendered(n: int, split: str, rng: random.Random) -> list[Pair]:
    rows = [
        (e, r, next(r[: -len(m)] + f for m, f in _MASCULINE if r.endswith(m)))
        for e, r in _translit_rows("token", "ru", split)
        if len(r) > 5 and any(r.endswith(m) for m, _ in _MASCULINE)
    ]
    rows = rng.sample(rows, min(n, len(rows)))
    return [p for e, r, fem in rows for p in ((e, r, True), (e, fem, False))]


def nickname_pairs(n: int, split: str, rng: random.Random) -> list[Pair]:
    with NICKNAMES.open(encoding="utf-8", newline="") as f:
        related = [
            (r["name1"], r["name2"]) for r in csv.DictReader(f) if _half(r["name1"]) == split
        ]
    linked = {frozenset(p) for p in related}
    names = sorted({x for p in related for x in p})
    by_bucket: dict[tuple[str, int], list[str]] = defaultdict(list)
    for name in names:
        by_bucket[(name[0], len(name))].append(name)
    rows = rng.sample(related, min(n, len(related)))
    pairs: list[Pair] = []
    for a, b in rows:
        pairs.append((a, b, True))
        others = [
            o for o in by_bucket[(b[0], len(b))] if o != a and frozenset((a, o)) not in linked
        ]
        if others:
            pairs.append((a, rng.choice(others), False))
    return pairs


def score(pairs: list[Pair], same: Callable[[str, str], bool]) -> Score:
    t0 = time.perf_counter()
    tp = fp = fn = 0
    for a, b, gold in pairs:
        pred = same(a, b)
        tp += pred and gold
        fp += pred and not gold
        fn += gold and not pred
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(len(pairs), p, r, f1, time.perf_counter() - t0)


def run(n: int, split: str, seed: int) -> dict[str, Score]:
    """Every set, scored; ``n`` rows sampled per set (one positive and one negative each)."""
    rng = random.Random(seed)
    tokens = ru_tokens(n, split, rng)
    full = he_full_names(n, split, rng)
    gendered = ru_gendered(n, split, rng)
    nick = nickname_pairs(n, split, rng)
    return {
        "ru-tokens": score(tokens, lambda a, b: compare_tokens(a, b).same),
        "he-full-names": score(full, lambda a, b: compare_names(a, b).same),
        "ru-gendered": score(gendered, lambda a, b: compare_tokens(a, b).same),
        "nicknames (bundled table)": score(nick, lambda a, b: compare_given(a, b).same),
        "nicknames (spelling only)": score(
            nick, lambda a, b: compare_given(a, b, nicknames=False).same
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="rows sampled per set")
    parser.add_argument("--split", choices=["dev", "test"], default="test")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not TRANSLIT.exists():
        sys.exit(f"evaluation data not found: {TRANSLIT}")
    t0 = time.perf_counter()
    scores = run(args.n, args.split, args.seed)
    if args.json:
        print(json.dumps({k: v.as_dict() for k, v in scores.items()}, indent=1))
        return
    print(f"{date.today()} {platform.machine()} Python {platform.python_version()} {NAMES_METHOD}")
    print(f"split={args.split} n={args.n} seed={args.seed}, {time.perf_counter() - t0:.1f} s\n")
    print("| set | pairs | precision | recall | F1 |\n| --- | --- | --- | --- | --- |")
    for name, s in scores.items():
        print(f"| {name} | {s.pairs} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |")


if __name__ == "__main__":
    main()
