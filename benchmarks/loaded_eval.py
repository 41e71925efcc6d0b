"""Loaded-language detection against BASIL's lexical-bias spans.

    .venv/bin/python -m benchmarks.loaded_eval [--data ../shared/eval/basil/basil_dev.jsonl.gz]

BASIL (Fan et al., EMNLP 2019) annotates, on same-event triplets from Fox News, the New York
Times and HuffPost, the spans whose *wording* carries bias ("lexical") and those whose
*selection of facts* does ("informational"). Only lexical spans are gold here: no lexicon can
find informational bias. Every sentence is run through the shipped lexicon on its own.

Matching rules (span level, within one sentence):
- exact: a predicted span has the same character offsets as a gold span (gold trimmed of
  surrounding spaces and punctuation); one-to-one.
- overlap: a predicted span is correct when it shares at least one character with a gold span;
  a gold span is found when some predicted span overlaps it (precision and recall counted on
  each side separately).

The lexicon was written without looking at BASIL (nothing was tuned on it), so every triplet is
held out; the two triplet-disjoint halves are reported to show how much the figures move.
Writes benchmarks/out/loaded_eval.json and prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import platform
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsprism.lean.loaded import LOADED_METHOD, LoadedLexicon

REPO = Path(__file__).resolve().parents[1]
BASIL = REPO.parent / "shared" / "eval" / "basil" / "basil_dev.jsonl.gz"
_TRIM = " \t\n.,;:!?\"'“”‘’()[]"

Span = tuple[int, int]


def read_basil(path: Path = BASIL) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def halves(triplet_ids: Iterable[str]) -> dict[str, str]:
    """A fixed, triplet-disjoint split into two equal halves "a" and "b" (by SHA-256 order)."""
    ranked = sorted(set(triplet_ids), key=lambda t: hashlib.sha256(t.encode()).hexdigest())
    return {t: "a" if i < len(ranked) / 2 else "b" for i, t in enumerate(ranked)}


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _pairs(
    rows: Iterable[dict[str, Any]], lexicon: LoadedLexicon
) -> Iterable[tuple[list[Span], list[Span]]]:
    """(predicted, gold) spans of every sentence of every article."""
    for row in rows:
        gold_by_sentence: dict[int, list[Span]] = {}
        for span in row["spans"]:
            if span["bias"] == "lexical" and span["sentence_index"] is not None:
                gold_by_sentence.setdefault(span["sentence_index"], []).append(
                    (span["start"], span["end"])
                )
        for sentence in row["sentences"]:
            text = sentence["text"]
            gold = [
                _trim(text, s, e) for s, e in gold_by_sentence.get(sentence["sentence_index"], [])
            ]
            predicted = [(s.start, s.end) for s in lexicon.spans(text)]
            yield predicted, gold


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float]:
    precision = tp_p / n_pred if n_pred else 0.0
    recall = tp_g / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def score(rows: Sequence[dict[str, Any]], lexicon: LoadedLexicon) -> dict[str, Any]:
    """Exact and overlap precision/recall/F1 of ``lexicon`` on BASIL ``rows``."""
    n_pred = n_gold = exact = pred_hit = gold_hit = 0
    for predicted, gold in _pairs(rows, lexicon):
        n_pred += len(predicted)
        n_gold += len(gold)
        exact += len(set(predicted) & set(gold))
        pred_hit += sum(1 for p in predicted if any(_overlaps(p, g) for g in gold))
        gold_hit += sum(1 for g in gold if any(_overlaps(p, g) for p in predicted))
    return {
        "articles": len(rows),
        "gold_spans": n_gold,
        "predicted_spans": n_pred,
        "exact": _prf(exact, n_pred, exact, n_gold),
        "overlap": _prf(pred_hit, n_pred, gold_hit, n_gold),
    }


def evaluate(rows: Sequence[dict[str, Any]], lexicon: LoadedLexicon) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {"all": list(rows)}
    half = halves(row["triplet_id"] for row in rows)
    for row in rows:
        groups.setdefault(f"outlet:{row['source']}", []).append(row)
        groups.setdefault(f"half:{half[row['triplet_id']]}", []).append(row)
    return {name: score(group, lexicon) for name, group in sorted(groups.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=BASIL)
    parser.add_argument(
        "--out", type=Path, default=REPO / "benchmarks" / "out" / "loaded_eval.json"
    )
    args = parser.parse_args()
    rows = read_basil(args.data)
    lexicon = LoadedLexicon.load()
    started = time.perf_counter()
    results = evaluate(rows, lexicon)
    seconds = time.perf_counter() - started
    n_sentences = sum(len(r["sentences"]) for r in rows)
    report = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()} {platform.processor() or ''} {platform.python_version()}",
        "lexicon": LOADED_METHOD,
        "lexicon_entries": len(lexicon.terms()),
        "data": str(args.data),
        "sentences": n_sentences,
        "seconds": round(seconds, 3),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print("| slice | articles | gold | predicted | exact P / R / F1 | overlap P / R / F1 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        e, o = r["exact"], r["overlap"]
        print(
            f"| {name} | {r['articles']} | {r['gold_spans']} | {r['predicted_spans']} | "
            f"{e['precision']:.3f} / {e['recall']:.3f} / {e['f1']:.3f} | "
            f"{o['precision']:.3f} / {o['recall']:.3f} / {o['f1']:.3f} |"
        )
    print(f"\n{n_sentences} sentences in {seconds:.2f} s ({n_sentences / seconds:.0f}/s)")


if __name__ == "__main__":
    main()
