"""Learn scorer-v2: per-group join thresholds and a story-to-story merge scorer.

    .venv/bin/python -m benchmarks.train_merge [--name scorer-v2.json] [--work DIR]

1. Representations of the dev stream as in ``benchmarks/train_scorer.py`` (computed once into
   ``DIR/train.db`` and reused by later runs).
2. Join scorer: logistic regression on teacher-forced article-story pairs (train_scorer's).
3. Merge pairs: the stream is clustered with the join scorer and no merges; every
   ``merge_every`` articles each changed story and its ``merge_k`` nearest stories give one row
   of :data:`~newsprism.stories.merging.MERGE_FEATURES`, labelled "same gold story" (each
   story's majority gold story).
4. Merge scorer: logistic regression on those rows, mapped back to raw feature space.
5. Thresholds: the join threshold of each length group and the merge threshold, by coordinate
   search over grids, maximising the mean B-cubed F1 of the three parts on the whole stream.
6. Held-out check: clusters split in two folds; scorers fitted and thresholds tuned on one
   fold's clusters, scored on the other's (reported, never used to pick anything).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from benchmarks.clusters_data import PARTS, REPO, score
from benchmarks.train_scorer import (
    fit,
    load_stream,
    make_encoder,
    run_clusterer,
    teacher_pairs,
)
from newsprism.stories.clusterer import FEATURES, GROUPS, Clusterer, ScoringModel, length_group
from newsprism.stories.merging import MERGE_FEATURES
from newsprism.stories.represent import Representation

OUT_DIR = REPO / "src" / "newsprism" / "stories" / "data"
JOIN_GRID = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
MERGE_GRID = (None, 0.4, 0.5, 0.6, 0.8, 0.9)
MIN_GROUP_ROWS = 20_000  # teacher pairs a length group needs for a regression of its own

Stream = tuple[list[Representation], list[str | None], list[str]]
Scores = dict[str, dict[str, float]]  # part -> measure -> value
Shares = dict[str, dict[str, float]]  # length group -> part -> share of its documents


def cluster(model: ScoringModel, data: Stream) -> dict[str, object]:
    """Cluster the stream as the builder does (reprints join their original); id -> story."""
    reps, dup, ids = data
    return dict(run_clusterer(model, reps, dup, ids))


def merge_pairs(
    model: ScoringModel, data: Stream, gold: dict[str, tuple[str, str]]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows, labels and the majority gold story of the querying story, from a no-merge run."""
    reps, dup, ids = data
    counter = iter(range(1, 10**9))
    plain = replace(model, merge_threshold=None, merge_every=0)
    clusterer = Clusterer(plain, reps[0].dense.shape[0], lambda: next(counter))
    golds: dict[int, Counter[str]] = {}
    story_of: dict[str, int] = {}
    rows: list[np.ndarray] = []
    labels: list[bool] = []
    owners: list[str] = []
    for n, (aid, rep, original) in enumerate(zip(ids, reps, dup, strict=True), start=1):
        if original and original in story_of:
            sid = story_of[original]
            clusterer.add(sid, rep)
        else:
            sid, _ = clusterer.place(rep)
        story_of[aid] = sid
        golds.setdefault(sid, Counter())[gold[aid][0]] += 1
        if n % model.merge_every and n != len(ids):
            continue
        for state in [s for s in clusterer.stories.values() if s.touched]:
            state.touched = False
            cands, sims = clusterer.merge_neighbours(state.story_id)
            if not cands:
                continue
            mine = golds[state.story_id].most_common(1)[0][0]
            rows.append(clusterer.merge_rows(state.story_id, cands, sims))
            labels.extend(golds[c].most_common(1)[0][0] == mine for c in cands)
            owners.extend([mine] * len(cands))
    return np.vstack(rows), np.array(labels, dtype=int), owners


def fit_merge(rows: np.ndarray, labels: np.ndarray, c: float) -> tuple[dict[str, float], float]:
    return _logistic(rows, labels, c, MERGE_FEATURES)


def _logistic(
    rows: np.ndarray, labels: np.ndarray, c: float, names: tuple[str, ...]
) -> tuple[dict[str, float], float]:
    """Logistic regression on standardised features, mapped back to raw feature space."""
    scaler = StandardScaler().fit(rows)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    lr = LogisticRegression(C=c, max_iter=3000).fit((rows - scaler.mean_) / scale, labels)
    coef = lr.coef_[0] / scale
    intercept = float(lr.intercept_[0] - np.sum(lr.coef_[0] * scaler.mean_ / scale))
    return {f: round(float(w), 6) for f, w in zip(names, coef, strict=True)}, intercept


def fit_join(
    rows: np.ndarray, labels: np.ndarray, groups: np.ndarray, c: float, min_rows: int
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """One regression per length group; a group with fewer than ``min_rows`` pairs (full texts
    are few in the dev file) takes the regression fitted on all groups together."""
    weights, intercept = fit(rows, labels, groups, c)
    shared_w, shared_b = _logistic(rows, labels, c, FEATURES)
    for group in GROUPS:
        if (groups == group).sum() < min_rows:
            weights[group], intercept[group] = dict(shared_w), shared_b
    return weights, intercept


def _mean_f1(sc: Scores) -> float:
    return float(np.mean([sc[p]["b3_f1"] for p in PARTS if p in sc]))


def _share(data: Stream, gold: dict[str, tuple[str, str]]) -> dict[str, dict[str, float]]:
    """For each length group, the share of each part's documents that fall in it."""
    reps, _, ids = data
    per_part = Counter(gold[i][1] for i in ids)
    both = Counter((length_group(r.n_words), gold[i][1]) for i, r in zip(ids, reps, strict=True))
    return {g: {p: both[(g, p)] / per_part[p] for p in PARTS if per_part[p]} for g in GROUPS}


def per_group_pick(sweep: dict[float | None, Scores], share: Shares) -> dict[str, float | None]:
    """Each group takes the grid value that maximises the F1 of the parts it holds, weighted by
    the share of each part's documents in that group (the groups nearly split the parts)."""
    pick: dict[str, float | None] = {}
    for group in GROUPS:
        weights = share[group]

        def value(t: float | None, w: dict[str, float] = weights) -> float:
            return float(sum(w[p] * sweep[t][p]["b3_f1"] for p in w if p in sweep[t]))

        pick[group] = max(sweep, key=lambda t: (value(t), -1.0 if t is None else t))
    return pick


def _fmt(sc: Scores) -> str:
    return ", ".join(f"{p[:4]} {sc[p]['b3_f1']:.3f}" for p in PARTS if p in sc)


def tune_joins(
    model: ScoringModel, evaluate: Callable[[ScoringModel], Scores], share: Shares
) -> ScoringModel:
    """A join threshold per length group, with merges off."""
    sweep: dict[float | None, Scores] = {}
    for t in JOIN_GRID:
        sweep[t] = evaluate(replace(model, join_thresholds=dict.fromkeys(GROUPS, t),
                                    merge_threshold=None, merge_thresholds=None))  # fmt: skip
        print(f"  join {t}: " + _fmt(sweep[t]), flush=True)
    joins = {g: float(t) for g, t in per_group_pick(sweep, share).items() if t is not None}
    model = replace(model, join_thresholds=joins, merge_threshold=None, merge_thresholds=None)
    model = refine(model, evaluate, "join_thresholds", JOIN_GRID)
    assert model.join_thresholds is not None
    return replace(model, join_threshold=model.join_thresholds["medium"])


def refine(
    model: ScoringModel, evaluate: Callable[[ScoringModel], Scores], field: str,
    grid: tuple[float | None, ...],
) -> ScoringModel:  # fmt: skip
    """One round of coordinate search: each group's threshold in turn, the others held, by the
    mean B-cubed F1 over the parts (the groups share parts, so the sweep's pick is a start)."""
    best = _mean_f1(evaluate(model))
    for group in GROUPS:
        for t in grid:
            table = dict(getattr(model, field) or {})
            if t is None:
                table.pop(group, None)
            else:
                table[group] = t
            if table == (getattr(model, field) or {}):
                continue
            candidate = (
                replace(model, join_thresholds=table or None)
                if field == "join_thresholds"
                else replace(model, merge_thresholds=table or None)
            )
            f1 = _mean_f1(evaluate(candidate))
            if f1 > best + 1e-4:
                best, model = f1, candidate
                print(f"  {field}[{group}] = {t}: mean {f1:.4f}", flush=True)
    return model


def tune_merges(
    model: ScoringModel, evaluate: Callable[[ScoringModel], Scores], share: Shares
) -> ScoringModel:
    """A merge threshold per length group (or no merging for a group)."""
    sweep: dict[float | None, Scores] = {None: evaluate(model)}
    for t in MERGE_GRID:
        if t is not None:
            sweep[t] = evaluate(replace(model, merge_threshold=t, merge_thresholds=None))
            print(f"  merge {t}: " + _fmt(sweep[t]), flush=True)
    merges = {g: t for g, t in per_group_pick(sweep, share).items() if t is not None}
    model = replace(model, merge_threshold=None, merge_thresholds=merges or None)
    return refine(model, evaluate, "merge_thresholds", MERGE_GRID)


def train(
    base: ScoringModel, data: Stream, gold: dict[str, tuple[str, str]], c: float,
    subset: set[str] | None = None,
) -> ScoringModel:  # fmt: skip
    """Join scorer, join thresholds, merge scorer, merge thresholds; fitted and tuned on the
    gold stories of ``subset`` (all when None)."""
    reps, _, ids = data
    g = gold if subset is None else {i: v for i, v in gold.items() if i in subset}
    rows, labels, owners, groups = teacher_pairs(base, reps, ids, gold)
    keep = np.array([ids[o] in g for o in owners])
    weights, intercept = fit_join(rows[keep], labels[keep], groups[keep], c, MIN_GROUP_ROWS)
    model = replace(base, weights=weights, intercept=intercept)
    share = _share(data, gold)

    def evaluate(m: ScoringModel) -> Scores:
        return score(cluster(m, data), g)

    model = tune_joins(model, evaluate, share)
    mrows, mlabels, mowners = merge_pairs(model, data, gold)
    golds_kept = {v[0] for v in g.values()}
    mkeep = np.array([o in golds_kept for o in mowners])
    mw, mb = fit_merge(mrows[mkeep], mlabels[mkeep], c)
    model = replace(model, merge_weights=mw, merge_intercept=mb)
    return tune_merges(model, evaluate, share)


def heldout(
    base: ScoringModel, model: ScoringModel, data: Stream, gold: dict[str, tuple[str, str]],
    c: float,
) -> Scores:  # fmt: skip
    """Two folds by gold story: scorers refitted on one fold's stories, scored on the other's;
    thresholds are the in-sample ones (a full re-tuning per fold costs ~30 clustering runs)."""
    _, _, ids = data
    clusters = sorted({v[0] for v in gold.values()})
    rng = np.random.default_rng(0)
    fold_of = dict(zip(clusters, rng.integers(0, 2, len(clusters)), strict=True))
    preds: dict[str, object] = {}
    for f in (0, 1):
        train_ids = {i for i in ids if fold_of[gold[i][0]] == f}
        g = {i: v for i, v in gold.items() if i in train_ids}
        rows, labels, owners, groups = teacher_pairs(base, data[0], ids, gold)
        keep = np.array([ids[o] in train_ids for o in owners])
        w, b = fit_join(rows[keep], labels[keep], groups[keep], c, MIN_GROUP_ROWS)
        fold = replace(model, weights=w, intercept=b)
        mrows, mlabels, mowners = merge_pairs(fold, data, gold)
        golds_kept = {v[0] for v in g.values()}
        mkeep = np.array([o in golds_kept for o in mowners])
        mw, mb = fit_merge(mrows[mkeep], mlabels[mkeep], c)
        pred = cluster(replace(fold, merge_weights=mw, merge_intercept=mb), data)
        preds.update({i: (f, s) for i, s in pred.items() if i not in train_ids})
    return score(preds, gold)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", default="scorer-v2.json")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsprism-train"))
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--k", type=int, default=20, help="candidate stories per article")
    ap.add_argument("--no-heldout", action="store_true")
    ap.add_argument("--encoder", choices=("minilm", "static"), default="minilm")
    args = ap.parse_args()
    started = time.time()
    args.work.mkdir(parents=True, exist_ok=True)
    encoder = make_encoder(args.encoder)
    reps, dup, meta = load_stream(args.work, encoder)
    gold, ids = meta["gold"], meta["ids"]
    data: Stream = (reps, dup, ids)
    v1 = ScoringModel.load("scorer-v1.json")
    base = replace(v1, name=args.name.removesuffix(".json"), merge_threshold=None, k=args.k)
    model = train(base, data, gold, args.C)
    in_sample = score(cluster(model, data), gold)
    print("in-sample: " + _fmt(in_sample), flush=True)
    held = {} if args.no_heldout else heldout(base, model, data, gold, args.C)
    if held:
        print("held-out: " + _fmt(held), flush=True)
    data_out = {
        "name": model.name,
        "weights": model.weights,
        "intercept": model.intercept,
        "join_threshold": model.join_threshold,
        "join_thresholds": model.join_thresholds,
        "merge_threshold": model.merge_threshold,
        "merge_thresholds": model.merge_thresholds,
        "merge_weights": model.merge_weights,
        "merge_intercept": round(model.merge_intercept, 6),
        "window_days": model.window_days,
        "k": model.k,
        "merge_every": model.merge_every,
        "merge_k": model.merge_k,
        "trained_on": "clusters_dev.jsonl.gz (7,969 articles, 3 parts, one stream, seed 13); "
        "join: logistic regression per length group on teacher-forced article-story pairs "
        f"(groups under {MIN_GROUP_ROWS} pairs share one); merge: logistic regression on "
        "story-story pairs of a no-merge run; thresholds per length group by B-cubed F1 "
        f"(benchmarks/train_merge.py); vectors: {encoder.method}",
        "in_sample": in_sample,
        "heldout_by_cluster": held,
    }
    out = OUT_DIR / args.name
    out.write_text(json.dumps(data_out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
