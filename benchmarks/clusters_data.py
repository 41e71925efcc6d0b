"""The dev clustering file as a realistic stream, shared by the clustering scripts.

Traps handled (see ../shared/eval/README.md): ids are anonymised, rows shuffled with a fixed
seed, dated rows sorted by day inside the dated slots (undated rows keep their shuffled place),
UCI timestamps truncated to the day. Gold labels never reach the system under test.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "eval" / "clusters_dev.jsonl.gz"
PARTS = ("neus_allsides", "uci_news_aggregator", "ecbplus")


def stream(path: Path = DEV, seed: int = 13, parts: tuple[str, ...] = PARTS) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    rows = [r for r in rows if r["dataset"] in parts]
    random.Random(seed).shuffle(rows)
    for r in rows:
        r["day"] = r["date"][:10] if r.get("date") else None
    slots = [i for i, r in enumerate(rows) if r["day"]]
    dated = sorted((rows[i] for i in slots), key=lambda r: r["day"])
    for i, r in zip(slots, dated, strict=True):
        rows[i] = r
    return rows


def gold_of(rows: list[dict]) -> dict[str, tuple[str, str]]:
    """The anonymised id of each row of the stream -> (gold story, part)."""
    return {f"d{n:05d}": (r["cluster_id"], r["dataset"]) for n, r in enumerate(rows)}


def write_jsonl(rows: list[dict], out: Path) -> dict[str, tuple[str, str]]:
    """Write our JSON Lines schema; returns id -> (gold cluster, part)."""
    gold = gold_of(rows)
    with out.open("w", encoding="utf-8") as fh:
        for doc_id, r in zip(gold, rows, strict=True):
            record = {"id": doc_id, "title": r.get("title") or "", "text": r.get("text") or ""}
            if r.get("source"):
                record["outlet"] = r["source"]
            if r.get("url"):
                record["url"] = r["url"]
            if r["day"]:
                record["published"] = r["day"]
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return gold


def bcubed(pred: list[object], gold: list[object]) -> tuple[float, float, float]:
    pc, gc = Counter(pred), Counter(gold)
    joint = Counter(zip(pred, gold, strict=True))
    p = sum(n * n / pc[a] for (a, _), n in joint.items()) / len(pred)
    r = sum(n * n / gc[g] for (_, g), n in joint.items()) / len(pred)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def pairwise(pred: list[object], gold: list[object]) -> tuple[float, float, float]:
    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    tp = pairs(Counter(zip(pred, gold, strict=True)))
    pp, gp = pairs(Counter(pred)), pairs(Counter(gold))
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def score(pred: dict[str, object], gold: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """B-cubed and pairwise P/R/F1 per part (each part scored on its own docs)."""
    out = {}
    for part in PARTS:
        ids = [i for i, (_, p) in gold.items() if p == part and i in pred]
        if not ids:
            continue
        pr = [pred[i] for i in ids]
        gd = [gold[i][0] for i in ids]
        b = bcubed(pr, gd)
        pw = pairwise(pr, gd)
        out[part] = {
            "docs": len(ids),
            "b3_p": round(b[0], 4), "b3_r": round(b[1], 4), "b3_f1": round(b[2], 4),
            "pw_p": round(pw[0], 4), "pw_r": round(pw[1], 4), "pw_f1": round(pw[2], 4),
        }  # fmt: skip
    return out
