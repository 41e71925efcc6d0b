"""Article lean on unseen outlets: dense representations, a NeuS lean axis and ensembles,
against the shipped lexical model, on the folds of ``benchmarks/lean_eval.py``.

    .venv/bin/python -m benchmarks.lean_embed prepare
    NEWSPRISM_TORCH_THREADS=1 .venv/bin/python -m benchmarks.lean_embed encode
    .venv/bin/python -m benchmarks.lean_explore [--models minilm,mpnet] [--json OUT]

Every system is fitted inside each of the 5 outlet-disjoint folds on the training outlets only.
Whatever is chosen (the C of a logistic regression, a stacker's weights) is chosen by an inner
outlet-disjoint 4-fold split of the training outlets, never on the held-out fold:

- ``lexical``: ``newsprism.article-lean.v1`` re-fitted in the fold (``train_lean.fit``);
- ``<model>/<rep>/<weights>``: standardised vectors + logistic regression; ``rep`` is one of
  ``benchmarks.lean_embed``'s representations (``mean+max`` concatenates the two); ``weights``
  is ``none``, ``balanced`` (classes) or ``outlet`` (``train_lean.outlet_weights``);
- ``<model>/neus-axis/<rep>``: a left-right axis learnt from NeuS triplets only (within-story
  differences ``x_j - x_i`` for a pair of the same story with ``lean_i < lean_j``, so the
  story's topic cancels), NeuS articles of the held-out fold's outlets dropped (outlets matched
  by the domain of their URL with ``train_lean.outlet_group``; NeuS articles with no URL are
  dropped too, since their outlet is unknown); each AllSides article is scored along the axis
  and a 3-class regression on that one score is fitted on the training fold;
- ``avg(...)``: the mean of two systems' probabilities (equal weights: nothing chosen);
- ``stack(...)``: a logistic regression over the systems' log-probabilities, fitted on their
  inner out-of-fold probabilities of the training fold.

Fitted lexical models' probabilities are cached under benchmarks/out/lean_explore/.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from benchmarks.lean_embed import CACHE, INPUTS, load_embeddings
from benchmarks.lean_eval import outlet_folds, score_line, scores
from benchmarks.results import save
from benchmarks.train_lean import SEED, LeanData, fit, load, outlet_weights

Folds = list[tuple[list[int], list[int]]]
C_GRID = (0.003, 0.03, 0.3)
INNER = 4
WEIGHTINGS = ("none", "balanced", "outlet")
FLOORS = (0.4, 0.5, 0.6)
LEAN = {"left": 0, "center": 1, "right": 2}


class Probs:
    """One system's out-of-fold probabilities: ``test`` for every article (each from the model
    of the fold that held it out), ``inner[k]`` for the training articles of outer fold ``k``
    (each from a model fitted on the other inner folds)."""

    def __init__(self, n: int, k: int) -> None:
        self.test = np.zeros((n, 3))
        self.inner: list[np.ndarray] = [np.zeros((n, 3)) for _ in range(k)]
        self.chosen: list[Any] = []


def inner_folds(data: LeanData, train: list[int]) -> Folds:
    split = GroupKFold(n_splits=INNER).split(train, groups=data.groups[train])
    idx = np.asarray(train)
    return [(idx[a].tolist(), idx[b].tolist()) for a, b in split]


def lexical(data: LeanData, folds: Folds) -> Probs:
    """The shipped recipe in every outer and inner fold (25 fits; cached)."""
    path = CACHE / f"lexical-{len(data.ids)}.npz"
    out = Probs(len(data.ids), len(folds))
    if path.exists():
        with np.load(path) as f:
            out.test, out.inner = f["test"], list(f["inner"])
        return out

    def run(train: list[int], test: list[int]) -> np.ndarray:
        model = fit([data.texts[i] for i in train], data.labels[train], data.groups[train])
        return np.array([model.probabilities(data.texts[i]) for i in test])

    for k, (train, test) in enumerate(folds):
        out.test[test] = run(train, test)
        for a, b in inner_folds(data, train):
            out.inner[k][b] = run(a, b)
        print(f"lexical fold {k}", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, test=out.test, inner=np.stack(out.inner))
    return out


def _weights(kind: str, data: LeanData, rows: list[int]) -> np.ndarray | None:
    if kind == "outlet":
        return outlet_weights(data.groups[rows], data.labels[rows])
    return None


def _lr(x: np.ndarray, y: np.ndarray, w: np.ndarray | None, c: float, kind: str) -> Any:
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(
        C=c,
        max_iter=2000,
        random_state=SEED,
        class_weight="balanced" if kind == "balanced" else None,
    )
    model.fit(scaler.transform(x), y, sample_weight=w)
    return lambda z: model.predict_proba(scaler.transform(z))


def dense(x: np.ndarray, data: LeanData, folds: Folds, kind: str) -> Probs:
    """Standardised vectors + LR; C (and, for ``kind="nested"``, the weighting too) chosen per
    outer fold by inner outlet-disjoint macro-F1."""
    y = data.labels
    out = Probs(len(y), len(folds))
    kinds = WEIGHTINGS if kind == "nested" else (kind,)
    for k, (train, test) in enumerate(folds):
        inner = inner_folds(data, train)
        best: tuple[float, str, float, np.ndarray] | None = None
        for how in kinds:
            for c in C_GRID:
                oof = np.zeros((len(y), 3))
                for a, b in inner:
                    oof[b] = _lr(x[a], y[a], _weights(how, data, a), c, how)(x[b])
                f1 = float(f1_score(y[train], oof[train].argmax(axis=1), average="macro"))
                if best is None or f1 > best[0]:
                    best = (f1, how, c, oof)
        assert best is not None
        _, how, c, out.inner[k] = best
        out.chosen.append(f"{how} C={c}" if kind == "nested" else c)
        out.test[test] = _lr(x[train], y[train], _weights(how, data, train), c, how)(x[test])
    return out


def neus_axis(
    x: np.ndarray, neus: np.ndarray, inputs: dict[str, Any], data: LeanData, folds: Folds
) -> Probs:
    """A left-right axis from within-story NeuS differences; 3 classes from the score alone."""
    meta = inputs["neus"]
    lean = np.array([LEAN.get(a["lean"] or "", -1) for a in meta])
    outlet = [a["outlet"] for a in meta]
    stories: dict[str, list[int]] = {}
    for i, a in enumerate(meta):
        stories.setdefault(a["story"], []).append(i)
    y = data.labels
    out = Probs(len(y), len(folds))
    for k, (train, test) in enumerate(folds):
        held = set(data.groups[test].tolist())
        ok = [
            lean[i] >= 0 and outlet[i] is not None and outlet[i] not in held
            for i in range(len(meta))
        ]
        diffs = []
        for members in stories.values():
            use = [i for i in members if ok[i]]
            diffs += [neus[j] - neus[i] for i in use for j in use if lean[i] < lean[j]]
        d = np.array(diffs)
        axis_model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=2000)
        axis_model.fit(np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))])
        score = (x @ axis_model.coef_.ravel())[:, None]
        out.chosen.append(len(d))
        for a, b in inner_folds(data, train):
            out.inner[k][b] = _lr(score[a], y[a], _weights("outlet", data, a), 1.0, "outlet")(
                score[b]
            )
        out.test[test] = _lr(
            score[train], y[train], _weights("outlet", data, train), 1.0, "outlet"
        )(score[test])
    return out


def average(*systems: Probs) -> Probs:
    out = Probs(len(systems[0].test), len(systems[0].inner))
    out.test = np.mean([s.test for s in systems], axis=0)
    out.inner = [np.mean([s.inner[k] for s in systems], axis=0) for k in range(len(out.inner))]
    return out


def stack(data: LeanData, folds: Folds, *systems: Probs) -> Probs:
    out = Probs(len(data.ids), len(folds))

    def features(rows: list[int], k: int | None) -> np.ndarray:
        if k is None:
            return np.hstack([np.log(s.test[rows] + 1e-9) for s in systems])
        return np.hstack([np.log(s.inner[k][rows] + 1e-9) for s in systems])

    for k, (train, test) in enumerate(folds):
        w = outlet_weights(data.groups[train], data.labels[train])
        model = _lr(features(train, k), data.labels[train], w, 1.0, "outlet")
        out.test[test] = model(features(test, None))
    return out


def _macro_f1(gold: np.ndarray, pred: np.ndarray, weight: np.ndarray) -> float:
    cm = np.zeros((3, 3))
    np.add.at(cm, (gold, pred), weight)
    tp, p, r = np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)
    return float(np.mean(np.where(p + r > 0, 2 * tp / np.maximum(p + r, 1e-12), 0.0)))


def outlet_bootstrap(
    gold: np.ndarray, groups: np.ndarray, pred: np.ndarray, base: np.ndarray, n: int = 1000
) -> dict[str, Any]:
    """Macro-F1 of ``pred`` minus that of ``base`` over outlets drawn with replacement (an
    outlet drawn twice counts twice): the spread that another choice of outlets would give."""
    names, index = np.unique(groups, return_inverse=True)
    rng = np.random.default_rng(SEED)
    diffs = []
    for _ in range(n):
        weight = np.bincount(rng.integers(0, len(names), len(names)), minlength=len(names))[index]
        diffs.append(_macro_f1(gold, pred, weight) - _macro_f1(gold, base, weight))
    d = np.array(diffs)
    return {
        "diff": round(float(d.mean()), 4),
        "ci95": [round(float(np.quantile(d, 0.025)), 4), round(float(np.quantile(d, 0.975)), 4)],
        "p_better": round(float((d > 0).mean()), 3),
    }


def report(
    name: str, probs: Probs, gold: np.ndarray, folds: Folds, seconds: float
) -> dict[str, Any]:
    pred, top = probs.test.argmax(axis=1), probs.test.max(axis=1)
    result = scores(gold, pred)
    result["seconds"] = round(seconds, 1)
    result["fold_macro_f1"] = [
        round(float(f1_score(gold[test], pred[test], average="macro")), 3) for _, test in folds
    ]
    result["by_floor"] = {
        str(floor): {
            "kept": round(float((top >= floor).mean()), 3),
            "accuracy": round(float((pred == gold)[top >= floor].mean()), 3)
            if (top >= floor).any() else None,
            "precision": [
                round(float((gold[(top >= floor) & (pred == k)] == k).mean()), 3)
                if ((top >= floor) & (pred == k)).any() else None
                for k in range(3)
            ],
        }
        for floor in FLOORS
    }  # fmt: skip
    if probs.chosen:
        result["chosen"] = probs.chosen
    print(
        f"{name:42s} {score_line(result)}  {result['confusion']} "
        f"folds {result['fold_macro_f1']}  {seconds:.0f} s",
        flush=True,
    )
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="minilm", help="cached vectors, comma-separated")
    parser.add_argument("--json", default="lean_explore.json", help="name under benchmarks/out")
    args = parser.parse_args(argv)
    import gzip

    with gzip.open(INPUTS, "rt", encoding="utf-8") as f:
        inputs = json.load(f)
    data = load()
    folds = outlet_folds(data, 5)
    gold = data.labels
    results: dict[str, Any] = {"articles": len(gold), "folds": len(folds)}
    systems: dict[str, Probs] = {}

    def run(name: str, make: Any) -> Probs:
        started = time.perf_counter()
        systems[name] = make()
        results[name] = report(name, systems[name], gold, folds, time.perf_counter() - started)
        return systems[name]

    run("lexical", lambda: lexical(data, folds))
    for model in args.models.split(","):
        arrays, meta = load_embeddings(model)
        results[f"{model}/encode"] = meta
        reps = {k: v for k, v in arrays.items() if k not in {"neus", "max"}}
        if "max" in arrays:
            reps["mean+max"] = np.hstack([arrays["mean"], arrays["max"]])
        for rep, x in reps.items():
            for kind in (*WEIGHTINGS, "nested"):
                run(f"{model}/{rep}/{kind}", lambda x=x, kind=kind: dense(x, data, folds, kind))
        for rep in ("stored", "head", "mean"):
            if "neus" in arrays and rep in arrays:
                axis = (arrays[rep], arrays["neus"])
                run(
                    f"{model}/neus-axis/{rep}",
                    lambda axis=axis: neus_axis(axis[0], axis[1], inputs, data, folds),
                )
    lex = systems["lexical"]
    base = lex.test.argmax(axis=1)
    for name in [n for n in systems if n != "lexical"]:
        run(f"avg(lexical, {name})", lambda name=name: average(lex, systems[name]))
        run(f"stack(lexical, {name})", lambda name=name: stack(data, folds, lex, systems[name]))
    for model in args.models.split(","):  # named before any result was seen
        for rep in ("stored", "mean"):
            names = ["lexical", f"{model}/{rep}/outlet", f"{model}/neus-axis/{rep}"]
            if all(n in systems for n in names):
                trio = [systems[n] for n in names]
                run(f"stack({', '.join(names)})", lambda trio=trio: stack(data, folds, *trio))
    for name, probs in systems.items():
        if name != "lexical":
            results[name]["vs_lexical"] = boot = outlet_bootstrap(
                gold, data.groups, probs.test.argmax(axis=1), base
            )
            print(f"{name:60s} vs lexical {boot}")
    np.savez(
        CACHE / "probs.npz",
        names=np.array(list(systems)),
        probs=np.stack([p.test for p in systems.values()]),
    )
    save(args.json, results, show=False)


if __name__ == "__main__":
    main()
