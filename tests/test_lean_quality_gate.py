"""Quality gate: the article-lean recipe on outlets it never saw must stay above a pinned floor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EVAL

DEV = EVAL / "allsides_articles" / "allsides_dev.jsonl.gz"
FLOORS = json.loads((Path(__file__).parent / "lean_floors.json").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.skipif(not DEV.is_file(), reason=f"evaluation data {DEV} is not present")
def test_article_lean_on_unseen_outlets_stays_above_floor() -> None:
    from benchmarks.lean_eval import gate_score

    score = gate_score(DEV, every=3)
    assert score >= FLOORS["outlet_disjoint_macro_f1"], (
        f"article-lean macro-F1 on unseen outlets fell to {score:.3f}, under the floor "
        f"{FLOORS['outlet_disjoint_macro_f1']} pinned in tests/lean_floors.json"
    )
