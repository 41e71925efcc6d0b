"""Where our stories and the gold stories disagree, after `benchmarks.cluster_eval`.

    .venv/bin/python -m benchmarks.cluster_errors [--part uci_news_aggregator] [--examples 5]

Reads the predictions that cluster_eval wrote (benchmarks/out/cluster_pred.json) and the same
stream of the dev file. For every predicted story that holds articles of several gold stories
(a merge, seen from the gold side), it says whether the gold itself is suspect: two gold
stories that share an identical headline, or whose headlines are nearly the same (word Jaccard
>= 0.6), describe one event that the gold split. Prints counts and examples per part.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from itertools import combinations

from benchmarks.clusters_data import PARTS, REPO, stream


def _words(title: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", title.lower()))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _closest(titles_a: list[str], titles_b: list[str]) -> tuple[float, str, str]:
    best = (0.0, "", "")
    for ta in titles_a[:40]:
        for tb in titles_b[:40]:
            j = 1.0 if ta.lower() == tb.lower() else _jaccard(_words(ta), _words(tb))
            if j > best[0]:
                best = (j, ta, tb)
    return best


def analyse(part: str, rows: list[dict], pred: dict[str, int], examples: int) -> dict:
    gold_of = {f"d{n:05d}": r["cluster_id"] for n, r in enumerate(rows) if r["dataset"] == part}
    titles = {f"d{n:05d}": r.get("title") or "" for n, r in enumerate(rows)}
    by_story: dict[int, list[str]] = defaultdict(list)
    for doc, story in pred.items():
        if doc in gold_of:
            by_story[story].append(doc)
    merged_pairs = suspect = 0
    shown: list[dict] = []
    for docs in by_story.values():
        groups: dict[str, list[str]] = defaultdict(list)
        for d in docs:
            groups[gold_of[d]].append(titles[d])
        if len(groups) < 2:
            continue
        for (ga, ta), (gb, tb) in combinations(sorted(groups.items()), 2):
            merged_pairs += 1
            sim, a, b = _closest(ta, tb)
            if sim >= 0.6:
                suspect += 1
                if len(shown) < examples:
                    shown.append({"gold": [ga, gb], "sizes": [len(ta), len(tb)], "a": a, "b": b,
                                  "headline_jaccard": round(sim, 2)})  # fmt: skip
    split = Counter(len({pred[d] for d in docs}) for docs in _gold_groups(gold_of).values())
    return {
        "merged_gold_pairs": merged_pairs,
        "of_which_same_event_headlines": suspect,
        "gold_stories_split_into": dict(sorted(split.items())),
        "examples": shown,
    }


def _gold_groups(gold_of: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for doc, gold in gold_of.items():
        out[gold].append(doc)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", default=",".join(PARTS))
    ap.add_argument("--examples", type=int, default=5)
    args = ap.parse_args()
    pred = json.loads((REPO / "benchmarks" / "out" / "cluster_pred.json").read_text("utf-8"))
    rows = stream()
    report = {p: analyse(p, rows, pred, args.examples) for p in args.part.split(",")}
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
