"""Where our stories and the gold stories disagree, after `benchmarks.cluster_eval`.

    .venv/bin/python -m benchmarks.cluster_errors [--part uci_news_aggregator] [--examples 5]

Reads the predictions that cluster_eval wrote (benchmarks/out/cluster_pred.json) and the same
stream of the dev file. For every predicted story that holds articles of several gold stories
(a merge, seen from the gold side), it says whether the gold itself is suspect: two gold
stories that share an identical headline, or whose headlines are nearly the same (word Jaccard
>= 0.6), describe one event that the gold split. Prints counts and examples per part, two
ceilings: the B-cubed F1 of these predictions with every merge undone (each story split by
gold) and with every split undone (the pieces of a gold story put back together), and, per
part, the B-cubed scores by how many of a gold story's articles carry a date (an undated
article is compared with every story of the archive on its content alone).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from itertools import combinations

from benchmarks.clusters_data import PARTS, REPO, bcubed, gold_of, score, stream


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
    story_of_doc = {d: g for d, (g, p) in gold_of(rows).items() if p == part}
    titles = {f"d{n:05d}": r.get("title") or "" for n, r in enumerate(rows)}
    by_story: dict[int, list[str]] = defaultdict(list)
    for doc, story in pred.items():
        if doc in story_of_doc:
            by_story[story].append(doc)
    merged_pairs = suspect = 0
    shown: list[dict] = []
    for docs in by_story.values():
        groups: dict[str, list[str]] = defaultdict(list)
        for d in docs:
            groups[story_of_doc[d]].append(titles[d])
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
    split = Counter(len({pred[d] for d in docs}) for docs in _gold_groups(story_of_doc).values())
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


def ceilings(pred: dict[str, int], gold: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """B-cubed F1 per part if every merge, or every split, of ``pred`` were undone."""
    docs = [d for d in pred if d in gold]
    no_merges: dict[str, object] = {d: (pred[d], gold[d][0]) for d in docs}
    members: dict[int, Counter[str]] = defaultdict(Counter)
    for d in docs:
        members[pred[d]][gold[d][0]] += 1
    majority = {s: c.most_common(1)[0][0] for s, c in members.items()}
    no_splits: dict[str, object] = {d: majority[pred[d]] for d in docs}
    variants: dict[str, dict[str, object]] = {
        "as predicted": dict(pred), "every merge undone": no_merges, "every split undone": no_splits
    }  # fmt: skip
    return {
        name: {p: round(v["b3_f1"], 3) for p, v in score(labels, gold).items()}
        for name, labels in variants.items()
    }


def by_dated(pred: dict[str, int], rows: list[dict]) -> dict[str, dict]:
    """B-cubed P/R/F1 per part over (a) the dated articles only, (b) the undated only, and (c)
    the articles of gold stories whose members are all dated, partly dated or all undated. Each
    score is over that subset of articles (other articles are left out), from the one run."""
    out: dict[str, dict] = {}
    for part in PARTS:
        docs = [(f"d{n:05d}", r) for n, r in enumerate(rows) if r["dataset"] == part]
        docs = [(d, r) for d, r in docs if d in pred]
        if not docs:
            continue
        size: Counter[str] = Counter(r["cluster_id"] for _, r in docs)
        dated_in: Counter[str] = Counter(r["cluster_id"] for _, r in docs if r["day"])
        subsets: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for d, r in docs:
            subsets["dated articles" if r["day"] else "undated articles"].append((d, r))
            n, g = dated_in[r["cluster_id"]], size[r["cluster_id"]]
            kind = "all dated" if n == g else "none dated" if n == 0 else "partly dated"
            subsets[f"stories {kind}"].append((d, r))
        out[part] = {
            name: dict(zip(("docs", "b3_p", "b3_r", "b3_f1"), (len(sub), *(
                round(v, 4) for v in bcubed([pred[d] for d, _ in sub],
                                            [r["cluster_id"] for _, r in sub])
            )), strict=True))
            for name, sub in sorted(subsets.items())
        }  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", default=",".join(PARTS))
    ap.add_argument("--examples", type=int, default=5)
    args = ap.parse_args()
    pred = json.loads((REPO / "benchmarks" / "out" / "cluster_pred.json").read_text("utf-8"))
    rows = stream()
    report: dict[str, object] = {
        p: analyse(p, rows, pred, args.examples) for p in args.part.split(",")
    }
    gold = gold_of(rows)
    report["ceilings (B-cubed F1)"] = ceilings(pred, gold)
    report["by dated status (B-cubed)"] = by_dated(pred, rows)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
