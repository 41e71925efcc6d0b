"""Candidate recall of the story clusterer: is the gold story among an article's candidates?

    .venv/bin/python -m benchmarks.cluster_recall [--work DIR] [--scorer scorer-v2.json]
        [--k 20,40] [--window 3,5]

The dev stream (``benchmarks/clusters_data.py``) is represented once into ``DIR/train.db`` (as
``benchmarks/train_merge.py`` does; later runs reuse it) and replayed teacher-forced: each
article is scored against its candidate stories, then put into its gold story. For every
article whose gold story already exists, per part: the share whose gold story is among the
candidates (recall), and the share where it is also the scorer's best candidate (top-1). The
gap between the two is the scorer's; the gap between recall and 1 is the candidate search's.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.clusters_data import PARTS
from benchmarks.train_scorer import load_stream
from newsprism.stories.clusterer import Clusterer, ScoringModel
from newsprism.stories.encoders import make_encoder
from newsprism.stories.represent import Representation


def recall(
    model: ScoringModel, reps: list[Representation], ids: list[str],
    gold: dict[str, tuple[str, str]],
) -> dict[str, dict[str, float]]:  # fmt: skip
    """Per part: articles with an earlier gold story, share with it among the candidates, and
    share where it is the best-scored candidate."""
    clusterer = Clusterer(replace(model, merge_every=0), reps[0].dense.shape[0], lambda: 0)
    story_of: dict[str, int] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for aid, rep in zip(ids, reps, strict=True):
        story, part = gold[aid]
        target = story_of.get(story)
        cands, rows = clusterer.candidate_rows(rep)
        if target is not None:
            counts[(part, "has")] += 1
            if target in cands:
                counts[(part, "in")] += 1
                probs = clusterer.probabilities(rows, rep.n_words)
                counts[(part, "top")] += cands[int(np.argmax(probs))] == target
        if target is None:
            target = story_of[story] = len(story_of) + 1
        clusterer.add(target, rep)
    return {
        part: {
            "articles": counts[(part, "has")],
            "in_candidates": round(counts[(part, "in")] / counts[(part, "has")], 4),
            "top1": round(counts[(part, "top")] / counts[(part, "has")], 4),
        }
        for part in PARTS
        if counts[(part, "has")]
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsprism-train"))
    ap.add_argument("--scorer", default="scorer-v2.json")
    ap.add_argument("--k", default="20", help="comma-separated candidate counts")
    ap.add_argument("--window", default="", help="comma-separated window days (default: scorer's)")
    ap.add_argument("--encoder", choices=("minilm", "static"), default="minilm")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    reps, _, meta = load_stream(args.work, make_encoder(args.encoder))
    model = ScoringModel.load(args.scorer)
    windows = [int(w) for w in args.window.split(",") if w] or [model.window_days]
    out = {}
    for k in (int(x) for x in args.k.split(",")):
        for window in windows:
            variant = replace(model, k=k, window_days=window)
            result = recall(variant, reps, meta["ids"], meta["gold"])
            out[f"k={k} window={window}"] = result
            print(f"k={k} window={window}: " + ", ".join(
                f"{p[:4]} {r['in_candidates']:.3f} / top-1 {r['top1']:.3f}"
                for p, r in result.items()))  # fmt: skip
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
