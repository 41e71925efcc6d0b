"""Fit the summary's candidate scorer on NeuS stories and try selection settings.

    .venv/bin/python -m benchmarks.train_summary [--words 55] [--alpha 1.0]

1. The ``fit`` stories (the first 800 NeuS ``train`` stories) and the ``tune`` stories (the
   other 409) are ingested through the real ingest path, split and embedded (MiniLM, one torch
   thread) exactly as the synthesis does; the prepared stories are cached in benchmarks/out.
2. Every candidate of the summary (each usable sentence and its cuts) gets its features and,
   as target, its ROUGE-2 precision against the story's roundup (rouge-score's stemmed tokens).
3. Ridge regression on the ``fit`` candidates; the weights are printed as the Python literal of
   ``VARIANT_WEIGHTS`` (src/newsprism/synthesis/candidates.py) so the product needs no
   scikit-learn to score.
4. The summary with those weights is scored (ROUGE F1) on the ``tune`` stories for a few
   selection settings. ``val`` is never read here.

On 2026-11-24 the refitted weights scored ROUGE-2 0.177 on ``tune`` against 0.182 for the
sentence weights applied to each cut's own words, so the product keeps the latter
(docs/benchmarks.md, "Synthesis").
"""

from __future__ import annotations

import argparse
import json
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from rouge_score import rouge_scorer

from benchmarks.synthesis_eval import REPO, load, write_jsonl
from newsprism.config import Settings
from newsprism.lean.loaded import LoadedLexicon
from newsprism.models import Side
from newsprism.service import Service
from newsprism.stories.encoder import MiniLMEncoder
from newsprism.synthesis import candidates as cand_module
from newsprism.synthesis.prepared import StorySentences, prepare
from newsprism.synthesis.summary import Selection, candidate_features, sentence_scores, summarize

OUT = REPO / "benchmarks" / "out"
_SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)

Prepared = list[tuple[dict[str, Any], StorySentences]]


def prepared(split: str) -> Prepared:
    """The split's stories as the synthesis sees them (cached)."""
    cache = OUT / f"summary_prepared_{split}.pkl"
    if cache.exists():
        data: Prepared = pickle.loads(cache.read_bytes())
        return data
    rows = load(split)
    encoder = MiniLMEncoder(threads=1)
    out: Prepared = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "neus.jsonl"
        sides = write_jsonl(rows, src)
        with Service(Settings(db=Path(tmp) / "fit.db", torch_threads=1)) as service:
            service.ingest([str(src)])
            by_id = {a.id: a for a in service.articles()}
    for row in rows:
        articles = [by_id[f"{row['id']}-{a['position']}"] for a in row["articles"]]
        articles = [a for a in articles if a is not None]
        story_sides: dict[str, Side] = {a.id: sides[a.id] for a in articles}
        out.append((row, prepare(articles, story_sides, encoder)))
    OUT.mkdir(exist_ok=True)
    cache.write_bytes(pickle.dumps(out))
    return out


def _bigrams(text: str) -> Counter[tuple[str, str]]:
    return Counter(pairwise(_SCORER._tokenizer.tokenize(text)))


def candidate_table(
    data: Prepared, compress_top: int
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Feature names, feature matrix, targets (ROUGE-2 precision) and story index per row."""
    names: list[str] = []
    rows: list[list[float]] = []
    target: list[float] = []
    story: list[int] = []
    for k, (row, prep) in enumerate(data):
        if not prep.sentences:
            continue
        ref = _bigrams(row["roundup"])
        for _, variant, features in candidate_features(prep, sentence_scores(prep), compress_top):
            if not names:
                names = sorted(features)
            rows.append([features[n] for n in names])
            own = _bigrams(variant.text)
            total = sum(own.values())
            target.append(sum((own & ref).values()) / total if total else 0.0)
            story.append(k)
    return names, np.array(rows), np.array(target), np.array(story)


def fit(names: list[str], x: np.ndarray, y: np.ndarray, alpha: float) -> dict[str, float]:
    from sklearn.linear_model import Ridge

    free = [i for i, n in enumerate(names) if n != "bias"]
    model = Ridge(alpha=alpha).fit(x[:, free], y)
    weights = {names[i]: round(float(w), 4) for i, w in zip(free, model.coef_, strict=True)}
    return {"bias": round(float(model.intercept_), 4)} | weights


def evaluate(data: Prepared, words: int, selection: Selection) -> dict[str, float]:
    lexicon = LoadedLexicon.load()
    scores: list[list[float]] = []
    lengths: list[int] = []
    for row, prep in data:
        text = summarize(prep, words, lexicon, selection=selection).text
        r = _SCORER.score(row["roundup"], text)
        scores.append([r["rouge1"].fmeasure, r["rouge2"].fmeasure, r["rougeL"].fmeasure])
        lengths.append(len(text.split()))
    mean = np.mean(scores, axis=0)
    return {
        "rouge1": round(float(mean[0]), 4),
        "rouge2": round(float(mean[1]), 4),
        "rougeL": round(float(mean[2]), 4),
        "words": round(float(np.mean(lengths)), 1),
    }


def settings_grid(base: Selection) -> Iterable[tuple[str, Selection]]:
    yield "default", base
    yield "whole sentences only", replace(base, compress_top=0)
    for fill, over in [(0.9, 1.1), (0.95, 1.05), (1.0, 1.0), (0.8, 1.2)]:
        yield f"fill {fill} over {over}", replace(base, fill=fill, over=over)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=55)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--no-grid", action="store_true", help="evaluate the default only")
    args = parser.parse_args()
    fit_data, tune_data = prepared("fit"), prepared("tune")
    names, x, y, _ = candidate_table(fit_data, Selection().compress_top)
    weights = fit(names, x, y, args.alpha)
    print(f"{len(y)} fit candidates; VARIANT_WEIGHTS = {json.dumps(weights)}")
    cand_module.VARIANT_WEIGHTS.clear()
    cand_module.VARIANT_WEIGHTS.update(weights)
    grid = [("default", Selection())] if args.no_grid else settings_grid(Selection())
    for label, selection in grid:
        print(label, evaluate(tune_data, args.words, selection), flush=True)


if __name__ == "__main__":
    main()
