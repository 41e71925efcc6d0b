"""Is one clustering better than another beyond noise? A bootstrap over gold stories.

    .venv/bin/python -m benchmarks.cluster_compare A.json B.json [--rounds 300]

A and B are ``cluster_pred.json`` files written by ``benchmarks/cluster_eval.py`` (article id ->
story id) for the same stream. Gold stories of each part are drawn with replacement (a story
drawn twice counts as two stories); both predictions are scored on every draw, and the B-cubed
F1 difference B - A is reported per part with its 95% interval. An interval that holds 0 means
the two are within noise on that part.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks.clusters_data import PARTS, bcubed, stream, write_jsonl


def _members(gold: dict[str, tuple[str, str]], part: str) -> list[list[str]]:
    stories: dict[str, list[str]] = defaultdict(list)
    for doc, (story, p) in gold.items():
        if p == part:
            stories[story].append(doc)
    return [stories[s] for s in sorted(stories)]


def _f1(pred: dict[str, object], stories: list[list[str]], draw: np.ndarray) -> float:
    labels: list[object] = []
    truth: list[object] = []
    seen: dict[int, int] = defaultdict(int)
    for s in draw:
        copy = seen[int(s)]  # the n-th draw of one story is a story of its own
        seen[int(s)] += 1
        for doc in stories[s]:
            labels.append((pred[doc], copy))
            truth.append((int(s), copy))
    return bcubed(labels, truth)[2]


def compare(
    a: dict[str, object], b: dict[str, object], gold: dict[str, tuple[str, str]], rounds: int
) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(0)
    out = {}
    for part in PARTS:
        stories = _members(gold, part)
        if not stories or not all(doc in a and doc in b for s in stories for doc in s):
            continue
        everything = np.arange(len(stories))
        diffs = []
        for _ in range(rounds):
            draw = rng.integers(0, len(stories), len(stories))
            diffs.append(_f1(b, stories, draw) - _f1(a, stories, draw))
        low, high = np.percentile(diffs, [2.5, 97.5])
        out[part] = {
            "a_f1": round(_f1(a, stories, everything), 4),
            "b_f1": round(_f1(b, stories, everything), 4),
            "diff": round(_f1(b, stories, everything) - _f1(a, stories, everything), 4),
            "ci95": [round(float(low), 4), round(float(high), 4)],
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--rounds", type=int, default=300)
    args = ap.parse_args()
    a = json.loads(args.a.read_text(encoding="utf-8"))
    b = json.loads(args.b.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        gold = write_jsonl(stream(), Path(tmp) / "stream.jsonl")
    print(json.dumps(compare(a, b, gold, args.rounds), indent=1))


if __name__ == "__main__":
    main()
