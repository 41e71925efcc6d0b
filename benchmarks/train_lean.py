"""Train the article-lean model on the AllSides dev file; write src/newsprism/lean/data/.

    .venv/bin/python -m benchmarks.train_lean [--out PATH] [--min-outlets 10] [--c 1.0]

1. Every article is read as the product reads it (:func:`newsprism.lean.article.lean_text`):
   headline and body without the outlet's name, domain, bylines, datelines, footers and house
   style.
2. The vocabulary keeps words (lower-cased, digits folded) found in at least 3 articles and
   used by at least ``--min-outlets`` distinct outlets: one outlet's signature phrases never
   enter the model.
3. Multinomial logistic regression over sublinear TF-IDF (L2-normalised), each article weighed
   by 1 / (articles of its outlet), then rescaled so the three sides weigh alike: a big outlet
   does not dominate its side.

Deterministic (lbfgs, fixed seed): the same data gives the same file. The quality of this
recipe on outlets never seen in training is measured by ``benchmarks/lean_eval.py``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from newsprism.lean.article import MODEL_FILE, ArticleLeanModel, lean_text, tokenize

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "eval" / "allsides_articles" / "allsides_dev.jsonl.gz"
OUT = REPO / "src" / "newsprism" / "lean" / "data" / MODEL_FILE
SEED = 13


@dataclass(frozen=True)
class LeanData:
    """The dev articles as the model reads them, their labels (0 left, 1 center, 2 right)
    and their outlet group (the outlet's domain, so NYT news and opinion are one outlet)."""

    ids: list[str]
    texts: list[str]
    labels: np.ndarray
    groups: np.ndarray
    sources: list[str]


def outlet_group(row: dict[str, Any]) -> str:
    """``www.thecaucus.blogs.nytimes.com`` -> ``nytimes``; the source name when no domain."""
    domain = str(row.get("source_url") or "").lower().removeprefix("www.")
    parts = [p for p in domain.split(".") if p]
    if len(parts) >= 2:
        return parts[-3] if parts[-2] in {"co", "com"} and len(parts) >= 3 else parts[-2]
    return str(row.get("source") or "unknown")


def load(path: Path = DEV, limit: int | None = None) -> LeanData:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
            if limit and len(rows) >= limit:
                break
    texts = [
        lean_text(
            r.get("content") or "",
            r.get("title"),
            [r.get("source") or "", r.get("source_url") or ""],
            [r.get("authors") or ""],
        )
        for r in rows
    ]
    return LeanData(
        ids=[str(r["id"]) for r in rows],
        texts=texts,
        labels=np.array([int(r["bias"]) for r in rows]),
        groups=np.array([outlet_group(r) for r in rows]),
        sources=[str(r.get("source")) for r in rows],
    )


def outlet_weights(groups: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """1 / (articles of the outlet), rescaled so that each side sums to n / 3."""
    counts = Counter(groups.tolist())
    w = np.array([1.0 / counts[g] for g in groups.tolist()])
    for side in range(3):
        mask = labels == side
        if mask.any():
            w[mask] *= (len(labels) / 3) / w[mask].sum()
    return w


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF times IDF, L2-normalised per row (exactly what the product computes)."""
    x = counts.astype(np.float64).tocsr(copy=True)
    x.data = 1.0 + np.log(x.data)
    x = sp.csr_matrix(x.multiply(idf[np.newaxis, :]))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ x)


def fit(
    texts: Sequence[str],
    labels: np.ndarray,
    groups: np.ndarray,
    min_outlets: int = 10,
    c: float = 1.0,
    balance: bool = True,
) -> ArticleLeanModel:
    """The recipe above on one training set (used as is inside every evaluation fold)."""
    vectorizer = CountVectorizer(analyzer=tokenize, min_df=3)
    counts = sp.csr_matrix(vectorizer.fit_transform(texts))
    vocab = vectorizer.get_feature_names_out()
    present = (counts > 0).astype(np.float64)
    outlets, index = np.unique(groups, return_inverse=True)
    membership = sp.csr_matrix(
        (np.ones(len(groups)), (index, np.arange(len(groups)))), shape=(len(outlets), len(groups))
    )
    n_outlets = np.asarray(((membership @ present) > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(n_outlets >= min_outlets)
    counts = sp.csr_matrix(counts[:, keep])
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    idf = np.log((len(texts) + 1) / (df + 1)) + 1.0
    weights = outlet_weights(groups, labels) if balance else np.ones(len(labels))
    model = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    model.fit(tfidf(counts, idf), labels, sample_weight=weights)
    meta = {
        "data": "allsides_dev.jsonl.gz (Baly et al. 2020, AllSides labels)",
        "articles": len(texts),
        "outlets": len(outlets),
        "min_outlets": min_outlets,
        "C": c,
        "outlet_balanced": balance,
        "seed": SEED,
    }
    return ArticleLeanModel(
        [str(v) for v in vocab[keep]], idf, model.coef_, model.intercept_, meta=meta
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEV)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--min-outlets", type=int, default=10)
    parser.add_argument("--c", type=float, default=1.0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = load(args.data)
    model = fit(data.texts, data.labels, data.groups, args.min_outlets, args.c)
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(
        f"wrote {args.out} ({len(model.vocabulary)} terms, {args.out.stat().st_size // 1024} KiB) "
        f"in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
