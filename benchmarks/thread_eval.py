"""Thread quality on ECB+ topics: links across topics are wrong; links within one are possible.

    .venv/bin/python -m benchmarks.thread_eval [--parts ecbplus] [--encoder minilm|static]

ECB+ (in ../shared/eval/clusters_dev.jsonl.gz) has 21 topics, each with two real-world events.
Two events of different topics should never share a thread, so precision against the topics is
a real check. The two events of one topic are only *candidates*: a few are one ongoing matter
(the Bush administration reduces protections / Obama overturns that), most are just the same
kind of event (two different celebrities checking into rehab, years apart), which a thread
should not link; recall against the topics is therefore an upper bound, not a target. The
chosen parts of the dev file are ingested and built through the real CLI into a fresh database
(as ``cluster_eval`` does); each article's label is its thread, or its story when the story is
in no thread. Only ECB+ articles are scored (the other parts have no topic gold), but the other
parts may be mixed into the stream (``--parts``) to make more wrong links possible.

Scores, over pairs of ECB+ articles from *different* gold events (same-event pairs are the
story engine's job, measured by ``cluster_eval``): linked = same thread or same story; gold
linked = same ECB+ topic. Pairwise precision, recall, F1; and the same over pairs of events,
each event taking the label most of its articles have. The gold-linked pairs are also split by
outcome: put in one story (the story engine merged the two events), linked by a thread, or not
linked. Over all parts of the stream, the number of threads and the stories of the largest one
(a thread that chains unrelated stories shows there). Writes benchmarks/out/thread_eval.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import tempfile
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

from benchmarks.cluster_eval import _cli
from benchmarks.clusters_data import DEV, PARTS, stream, write_jsonl
from benchmarks.results import save


def _pairs(labels: Sequence[Hashable]) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(labels).values())


def _prf(tp: int, pred_pos: int, gold_pos: int) -> dict[str, float]:
    p = tp / pred_pos if pred_pos else 1.0
    r = tp / gold_pos if gold_pos else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def cross_event_scores(
    linked: Sequence[Hashable], topic: Sequence[Hashable], event: Sequence[Hashable]
) -> dict[str, float | int]:
    """Pairwise P/R/F1 of ``linked`` against ``topic`` over pairs from different events
    (events nest in topics)."""
    both = list(zip(linked, topic, strict=True))
    tp = _pairs(both) - _pairs(list(zip(linked, topic, event, strict=True)))
    pred_pos = _pairs(linked) - _pairs(list(zip(linked, event, strict=True)))
    gold_pos = _pairs(topic) - _pairs(event)
    return {**_prf(tp, pred_pos, gold_pos), "gold_pairs": gold_pos, "predicted_pairs": pred_pos}


def event_pair_scores(
    linked: Sequence[Hashable], topic: Sequence[Hashable], event: Sequence[Hashable]
) -> dict[str, float | int]:
    """Each event takes its most common label; P/R/F1 over pairs of events."""
    by_event: dict[Hashable, Counter[Hashable]] = {}
    topic_of: dict[Hashable, Hashable] = {}
    for lab, top, ev in zip(linked, topic, event, strict=True):
        by_event.setdefault(ev, Counter())[lab] += 1
        topic_of[ev] = top
    label = {ev: c.most_common(1)[0][0] for ev, c in by_event.items()}
    tp = pred_pos = gold_pos = 0
    for a, b in combinations(sorted(by_event, key=str), 2):
        same_pred, same_gold = label[a] == label[b], topic_of[a] == topic_of[b]
        tp += same_pred and same_gold
        pred_pos += same_pred
        gold_pos += same_gold
    return {**_prf(tp, pred_pos, gold_pos), "events": len(by_event), "gold_pairs": gold_pos}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default="ecbplus", help=f"comma-separated, of {', '.join(PARTS)}")
    ap.add_argument("--encoder", choices=("static", "minilm"), default="minilm")
    args = ap.parse_args()
    parts = tuple(p for p in args.parts.split(",") if p)
    if "ecbplus" not in parts or any(p not in PARTS for p in parts):
        raise SystemExit(f"--parts {args.parts!r}: give ecbplus and any of {', '.join(PARTS)}")
    with gzip.open(DEV, "rt", encoding="utf-8") as fh:
        groups = {(r["dataset"], r["cluster_id"]): r.get("group") for r in map(json.loads, fh)}
    rows = stream(parts=parts)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gold = write_jsonl(rows, work / "stream.jsonl")
        db = work / "eval.db"
        env = {"NEWSPRISM_STORY_ENCODER": args.encoder, "NEWSPRISM_SYNTHESIZE_ON_BUILD": "0"}
        _cli(db, "ingest", "--quiet", str(work / "stream.jsonl"), env=env)
        _cli(db, "build", "--quiet", env=env)
        exported, _, _ = _cli(db, "export", "articles", "--format", "jsonl")
    linked, topic, event, story_of = [], [], [], []
    threads = set()
    thread_stories: dict[int, set[int]] = {}  # every part: a chained thread shows here
    for line in exported.splitlines():
        row = json.loads(line)
        cluster, part = gold[row["id"]]
        if row["thread_id"]:
            thread_stories.setdefault(row["thread_id"], set()).add(row["story_id"])
        if part != "ecbplus":
            continue
        label = f"thread:{row['thread_id']}" if row["thread_id"] else f"story:{row['story_id']}"
        threads.update([row["thread_id"]] if row["thread_id"] else [])
        linked.append(label)
        topic.append(groups[("ecbplus", cluster)])
        event.append(cluster)
        story_of.append((row["story_id"], row["thread_id"]))
    stories = [s for s, _ in story_of]
    same_topic = Counter(
        "same story" if stories[i] == stories[j] else
        "same thread" if linked[i] == linked[j] else "not linked"
        for i, j in combinations(range(len(linked)), 2)
        if topic[i] == topic[j] and event[i] != event[j]
    )  # fmt: skip
    result = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "parts": list(parts),
        "encoder": args.encoder,
        "ecbplus_articles": len(linked),
        "ecbplus_topics": len(set(topic)),
        "ecbplus_events": len(set(event)),
        "threads_with_ecbplus_articles": len(threads),
        "article_pairs": cross_event_scores(linked, topic, event),
        "event_pairs": event_pair_scores(linked, topic, event),
        "same_topic_pairs_by_outcome": dict(same_topic),
        "threads": len(thread_stories),
        "largest_thread_stories": max(map(len, thread_stories.values()), default=0),
        "seconds": round(time.perf_counter() - started, 1),
    }
    save("thread_eval.json", result)


if __name__ == "__main__":
    main()
