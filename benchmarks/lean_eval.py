"""Article lean with the outlet hidden: accuracy and macro-F1 on outlets never seen in training.

    .venv/bin/python -m benchmarks.lean_eval [--folds 5] [--every 1] [--json OUT]

Outlet-disjoint cross-validation inside the AllSides dev file: articles are grouped by outlet
(its domain, so an outlet's news and opinion desks stay together) and each fold is scored by a
model trained on the other folds' outlets only. Three systems run on the same folds:

- ``majority``: the most frequent side of the training folds;
- ``tfidf-lr``: TF-IDF (scikit-learn defaults) + logistic regression on the raw text;
- ``article-lean.v1``: the shipped recipe (``benchmarks/train_lean.py``: fingerprints removed,
  words used by many outlets, outlet-balanced weights), re-fitted inside every fold.

A random (stratified) split is run for the last two as well: the gap to the outlet-disjoint
figure is what memorising outlets is worth. Nothing is tuned on these folds. Last, the shipped
recipe's accuracy and per-side precision on unseen outlets when only estimates above each
probability floor are kept (the product's ``lean_min_probability``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score
from sklearn.model_selection import GroupKFold, StratifiedKFold

from benchmarks.train_lean import DEV, SEED, LeanData, fit, load

SIDES = ("left", "center", "right")
Predictor = Callable[[list[int], list[int]], np.ndarray]


def scores(gold: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    recall = recall_score(gold, pred, average=None, labels=[0, 1, 2], zero_division=0)
    return {
        "macro_f1": round(float(f1_score(gold, pred, average="macro")), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "recall": {s: round(float(r), 4) for s, r in zip(SIDES, recall, strict=True)},
        "confusion": confusion_matrix(gold, pred, labels=[0, 1, 2]).tolist(),
    }


def score_line(result: dict[str, Any]) -> str:
    """macro-F1, accuracy and per-side recall of one scored system, on one line."""
    recall = "/".join(f"{result['recall'][s]:.2f}" for s in SIDES)
    return f"macro-F1 {result['macro_f1']:.3f} acc {result['accuracy']:.3f} recall L/C/R {recall}"


def predictors(data: LeanData, raw: Sequence[str]) -> dict[str, Predictor]:
    y = data.labels

    def majority(train: list[int], test: list[int]) -> np.ndarray:
        return np.full(len(test), int(np.bincount(y[train], minlength=3).argmax()))

    def tfidf_lr(train: list[int], test: list[int]) -> np.ndarray:
        vectorizer = TfidfVectorizer()
        x = vectorizer.fit_transform([raw[i] for i in train])
        model = LogisticRegression(max_iter=2000, random_state=SEED).fit(x, y[train])
        out: np.ndarray = model.predict(vectorizer.transform([raw[i] for i in test]))
        return out

    def ours(train: list[int], test: list[int]) -> np.ndarray:
        model = fit([data.texts[i] for i in train], y[train], data.groups[train])
        return np.array([int(np.argmax(model.probabilities(data.texts[i]))) for i in test])

    return {"majority": majority, "tfidf-lr": tfidf_lr, "article-lean.v1": ours}


def outlet_folds(data: LeanData, k: int) -> list[tuple[list[int], list[int]]]:
    split = GroupKFold(n_splits=k).split(data.texts, data.labels, data.groups)
    return [(tr.tolist(), te.tolist()) for tr, te in split]


def random_folds(data: LeanData, k: int) -> list[tuple[list[int], list[int]]]:
    split = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    return [(tr.tolist(), te.tolist()) for tr, te in split.split(data.texts, data.labels)]


def cross_validate(
    predict: Predictor, folds: list[tuple[list[int], list[int]]], gold: np.ndarray
) -> tuple[dict[str, Any], float]:
    pred = np.zeros(len(gold), dtype=int)
    started = time.perf_counter()
    for train, test in folds:
        pred[test] = predict(train, test)
    return scores(gold, pred), time.perf_counter() - started


FLOORS = (0.0, 0.5, 0.55, 0.6, 0.65, 0.7)


def precision_by_floor(
    data: LeanData, folds: list[tuple[list[int], list[int]]], floors: Sequence[float] = FLOORS
) -> list[dict[str, Any]]:
    """How right the shipped recipe's estimates are on unseen outlets when only those with a
    probability of at least each floor are kept (the product's ``lean_min_probability``)."""
    probs = np.zeros((len(data.labels), 3))
    for train, test in folds:
        model = fit([data.texts[i] for i in train], data.labels[train], data.groups[train])
        probs[test] = [model.probabilities(data.texts[i]) for i in test]
    pred, conf, gold = probs.argmax(axis=1), probs.max(axis=1), data.labels
    rows = []
    for floor in floors:
        kept = conf >= floor
        precision = {
            side: round(float((gold[kept & (pred == k)] == k).mean()), 4)
            if (kept & (pred == k)).any() else None
            for k, side in enumerate(SIDES)
        }  # fmt: skip
        rows.append({
            "floor": floor,
            "kept": round(float(kept.mean()), 4),
            "accuracy": round(float((pred[kept] == gold[kept]).mean()), 4) if kept.any() else None,
            "precision": precision,
        })  # fmt: skip
    return rows


def raw_texts(path: Path, every: int) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [f"{r.get('title') or ''}\n{r.get('content') or ''}" for r in rows[::every]]


def subsample(data: LeanData, every: int) -> LeanData:
    keep = slice(None, None, every)
    return LeanData(
        data.ids[keep], data.texts[keep], data.labels[keep], data.groups[keep], data.sources[keep]
    )


def gate_score(path: Path = DEV, every: int = 3) -> float:
    """Macro-F1 of the shipped recipe on one outlet-disjoint split of every ``every``-th dev
    article (train on 2/3 of the outlets, score the rest): the CI quality gate."""
    data = subsample(load(path), every) if every > 1 else load(path)
    train, test = outlet_folds(data, 3)[0]
    pred = predictors(data, [])["article-lean.v1"](train, test)
    return float(f1_score(data.labels[test], pred, average="macro"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEV)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--every", type=int, default=1, help="use every n-th article (speed)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = load(args.data)
    if args.every > 1:
        data = subsample(data, args.every)
    raw = raw_texts(args.data, args.every)
    prepared = time.perf_counter() - started
    systems = predictors(data, raw)
    results: dict[str, Any] = {
        "articles": len(data.ids),
        "outlets": len(set(data.groups.tolist())),
        "prepare_s": round(prepared, 1),
    }
    split_kinds = {"outlet-disjoint": outlet_folds(data, args.folds)}
    split_kinds["random"] = random_folds(data, args.folds)
    for split, folds in split_kinds.items():
        for name, predict in systems.items():
            if split == "random" and name == "majority":
                continue
            result, seconds = cross_validate(predict, folds, data.labels)
            result["seconds"] = round(seconds, 1)
            results[f"{split}/{name}"] = result
            print(f"{split:16s} {name:16s} {score_line(result)}  {seconds:.0f} s", flush=True)
    results["outlet-disjoint/article-lean.v1/by-floor"] = floors = precision_by_floor(
        data, split_kinds["outlet-disjoint"]
    )
    for row in floors:
        print(
            f"p >= {row['floor']:.2f}: kept {row['kept']:.3f} accuracy {row['accuracy']} "
            f"precision L/C/R {row['precision']}",
            flush=True,
        )
    print("confusion (rows gold L/C/R, columns predicted):")
    print(json.dumps(results["outlet-disjoint/article-lean.v1"]["confusion"]))
    results["total_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
