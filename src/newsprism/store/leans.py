"""SQLite storage of article-level lean estimates (mixed into SQLiteStore)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from newsprism.models import LeanEstimate, LeanEvidence, Side


class LeanTables:
    """The ``article_leans`` table; expects ``self._conn`` from the store."""

    _conn: sqlite3.Connection

    def put_article_leans(self, rows: Iterable[tuple[str, LeanEstimate]]) -> None:
        """Store estimates (replacing an article's earlier row of the same method)."""
        now = datetime.now(UTC).isoformat()
        self._conn.executemany(
            "INSERT OR REPLACE INTO article_leans (article_id, method, side, probability, "
            "probabilities, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article_id,
                    est.method,
                    est.side.value,
                    est.probability,
                    json.dumps({s.value: p for s, p in est.probabilities.items()}),
                    json.dumps([e.to_dict() for e in est.evidence], ensure_ascii=False),
                    now,
                )
                for article_id, est in rows
            ],
        )

    def get_article_leans(
        self, article_ids: Sequence[str], method: str | None = None
    ) -> dict[str, LeanEstimate]:
        """article id -> its estimate (of ``method``, else the most recent); unrated ones are
        absent."""
        out: dict[str, LeanEstimate] = {}
        ids = list(article_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            sql = (
                "SELECT article_id, method, side, probability, probabilities, evidence "
                f"FROM article_leans WHERE article_id IN ({', '.join('?' * len(chunk))})"
            )
            params: list[str] = list(chunk)
            if method is not None:
                sql += " AND method = ?"
                params.append(method)
            for row in self._conn.execute(sql + " ORDER BY created_at", params):
                out[row[0]] = _row_to_estimate(row)
        return out

    def put_lean_unrated(self, method: str, min_words: int, article_ids: Iterable[str]) -> None:
        """Mark articles examined by ``method`` at ``min_words`` and left unrated."""
        self._conn.executemany(
            "INSERT OR IGNORE INTO article_lean_unrated (article_id, method, min_words) "
            "VALUES (?, ?, ?)",
            [(article_id, method, min_words) for article_id in article_ids],
        )

    def lean_unrated(self, article_ids: Sequence[str], method: str, min_words: int) -> set[str]:
        """Which of ``article_ids`` ``method`` left unrated at ``min_words``."""
        out: set[str] = set()
        ids = list(article_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            out.update(
                str(r[0])
                for r in self._conn.execute(
                    "SELECT article_id FROM article_lean_unrated WHERE method = ? AND "
                    f"min_words = ? AND article_id IN ({', '.join('?' * len(chunk))})",
                    [method, min_words, *chunk],
                )
            )
        return out

    def article_ids_without_lean(
        self, method: str, after_seq: int, limit: int, min_words: int | None = None
    ) -> list[tuple[int, str]]:
        """(seq, id) of the articles stored after ``after_seq`` with no ``method`` row and,
        with ``min_words``, not marked unrated by ``method`` at that ``min_words``."""
        sql = (
            "SELECT a.seq, a.id FROM articles a WHERE a.seq > ? AND NOT EXISTS "
            "(SELECT 1 FROM article_leans l WHERE l.article_id = a.id AND l.method = ?) "
        )
        params: list[object] = [after_seq, method]
        if min_words is not None:
            sql += (
                "AND NOT EXISTS (SELECT 1 FROM article_lean_unrated u WHERE u.article_id = a.id "
                "AND u.method = ? AND u.min_words = ?) "
            )
            params += [method, min_words]
        rows = self._conn.execute(sql + "ORDER BY a.seq LIMIT ?", [*params, limit])
        return [(int(r[0]), str(r[1])) for r in rows]


def _row_to_estimate(row: sqlite3.Row | tuple[object, ...]) -> LeanEstimate:
    _, method, side, probability, probabilities, evidence = row
    return LeanEstimate(
        side=Side(str(side)),
        probability=float(probability),  # type: ignore[arg-type]
        probabilities={Side(k): float(v) for k, v in json.loads(str(probabilities)).items()},
        method=str(method),
        evidence=tuple(
            LeanEvidence(e["kind"], e["text"], Side(e["side"]), float(e["weight"]))
            for e in json.loads(str(evidence))
        ),
    )
