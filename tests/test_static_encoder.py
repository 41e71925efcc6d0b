"""The static encoder: the shipped vectors file is checked, refused with the install command
when missing or corrupt, and gives normalised vectors that put related articles closer."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.clusters_data import DEV, PARTS, score, write_jsonl
from newsprism.config import Settings, load_settings
from newsprism.errors import ConfigError
from newsprism.service import Service
from newsprism.stories.encoder import EncoderMissing
from newsprism.stories.encoders import make_encoder, scoring_model
from newsprism.stories.static_encoder import (
    DATA_FILE,
    FILE_SHA256,
    INSTALL_HINT,
    METHOD,
    StaticEncoder,
    _check,
)
from tests.test_quality_gate import _slice

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_shipped_file_matches_the_pinned_hash_and_is_small() -> None:
    assert _sha(DATA_FILE) == FILE_SHA256
    _check(DATA_FILE)
    assert DATA_FILE.stat().st_size < 10_000_000


def test_a_missing_file_names_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(EncoderMissing, match="missing") as info:
        StaticEncoder(tmp_path / "gone.npz")
    assert INSTALL_HINT in str(info.value)


def test_a_tampered_file_is_refused_by_its_hash(tmp_path: Path) -> None:
    bad = tmp_path / "vectors.npz"
    bad.write_bytes(DATA_FILE.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(EncoderMissing, match="not the pinned") as info:
        StaticEncoder(bad)
    assert INSTALL_HINT in str(info.value)
    assert _sha(bad) in str(info.value)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip file at all", b"PK\x03\x04" + b"\x00" * 100],
)
def test_a_corrupt_file_with_a_matching_hash_is_refused(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "vectors.npz"
    bad.write_bytes(content)
    with pytest.raises(EncoderMissing, match="not a static embedding file") as info:
        StaticEncoder(bad, sha256=_sha(bad))
    assert INSTALL_HINT in str(info.value)


def test_a_file_with_too_few_rows_is_refused(tmp_path: Path) -> None:
    with np.load(DATA_FILE) as arrays:
        parts = {k: arrays[k] for k in arrays.files}
    parts["vectors"] = parts["vectors"][:100]
    parts["scales"] = parts["scales"][:100]
    buf = io.BytesIO()
    np.savez(buf, **parts)
    bad = tmp_path / "short.npz"
    bad.write_bytes(buf.getvalue())
    with pytest.raises(EncoderMissing, match="not a static embedding file"):
        StaticEncoder(bad, sha256=_sha(bad))


def test_vectors_are_normalised_deterministic_and_related_texts_are_closer() -> None:
    enc = StaticEncoder()
    texts = [
        "Senate passes the budget bill after a late-night vote",
        "The Senate approved the spending bill in an overnight vote",
        "Heavy rain floods streets in the coastal city as the storm arrives",
    ]
    a, b = enc.encode(texts), enc.encode(texts)
    assert a.shape == (3, enc.dim) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, b)
    assert a[0] @ a[1] > a[0] @ a[2] + 0.1
    assert enc.method == METHOD


def test_seed_articles_on_one_event_are_nearest_to_each_other() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir()) if p.is_file()]
    vectors = StaticEncoder().encode(texts)
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -1.0)
    assert (sims.max(axis=1) > 0.5).all()


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01\x02", "🙂" * 50, "Москва и Киев " * 10, "<script>alert(1)</script>"],
)
def test_empty_and_hostile_texts_give_finite_vectors(text: str) -> None:
    (vector,) = StaticEncoder().encode([text])
    assert np.isfinite(vector).all()
    assert np.linalg.norm(vector) in (pytest.approx(0.0), pytest.approx(1.0, abs=1e-5))


def test_a_huge_text_is_read_only_up_to_its_lead() -> None:
    enc = StaticEncoder()
    lead = "Floods close the main bridge as the river rises. "
    huge = lead + "unrelated filler words " * 300_000  # ~7 MB
    big, head = enc.encode([huge, huge[:20000]])
    assert np.isfinite(big).all()
    assert np.array_equal(big, head)
    assert enc.encode([]).shape == (0, enc.dim)


def test_encoder_names_pick_their_own_scorer() -> None:
    assert make_encoder("static").method == METHOD
    assert scoring_model("static").name != scoring_model("minilm").name
    with pytest.raises(ConfigError, match="'bert'"):
        make_encoder("bert")
    with pytest.raises(ConfigError, match="'bert'"):
        scoring_model("bert")


def test_an_unknown_encoder_setting_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="story_encoder='bert'"):
        load_settings(env={"NEWSPRISM_STORY_ENCODER": "bert"})
    with Service(Settings(db=tmp_path / "x.db", story_encoder="bert")) as svc:
        svc.ingest([str(SEEDS)])
        with pytest.raises(ConfigError, match="'bert'"):
            svc.build()
        assert svc.assignments() == {}


def _story_sets(svc: Service) -> list[set[str]]:
    groups: dict[int, set[str]] = {}
    for article in svc.articles():
        story_id, _ = svc.assignments()[article.id]
        groups.setdefault(story_id, set()).add(Path(article.source_ref).name[:3])
    return sorted(groups.values(), key=min)


def test_a_static_build_groups_the_seeds_and_stores_vectors_under_its_method(
    tmp_path: Path,
) -> None:
    with Service(Settings(db=tmp_path / "s.db", story_encoder="static")) as svc:
        svc.ingest([str(SEEDS)])
        report = svc.build()
        assert report.articles == 5
        assert _story_sets(svc) == [{"000", "001", "002", "003"}, {"004"}]
        ids = [a.id for a in svc.articles()]
        assert set(svc.store.get_features("dense", METHOD, ids)) == set(ids)
        assert svc.build().articles == 0
        before = svc.assignments()
        svc.build(full=True)
        assert svc.assignments() == before


@pytest.mark.slow  # loads MiniLM
def test_switching_encoder_between_builds_re_encodes_the_stories_it_restores(
    tmp_path: Path,
) -> None:
    db = tmp_path / "switch.db"
    seeds = sorted(p for p in SEEDS.iterdir() if p.is_file())
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    for n, path in enumerate(seeds):
        ((first if n < 2 else later) / path.name).write_bytes(path.read_bytes())
    with Service(Settings(db=db, story_encoder="minilm", torch_threads=1)) as svc:
        svc.ingest([str(first)])
        assert svc.build().articles == 2
    with Service(Settings(db=db, story_encoder="static")) as svc:
        svc.ingest([str(later)])
        assert svc.build().articles == 3
        assert _story_sets(svc) == [{"000", "001", "002", "003"}, {"004"}]
        ids = [a.id for a in svc.articles()]
        assert set(svc.store.get_features("dense", METHOD, ids)) == set(ids)


@pytest.mark.slow
@pytest.mark.skipif(not DEV.exists(), reason="../shared/eval is not beside this checkout")
def test_static_clustering_quality_floor(tmp_path: Path) -> None:
    floors = json.loads((Path(__file__).parent / "static_quality_floors.json").read_text("utf-8"))
    gold = write_jsonl(_slice(), tmp_path / "slice.jsonl")
    settings = Settings(db=tmp_path / "g.db", story_encoder="static", synthesize_on_build=False)
    with Service(settings) as svc:
        svc.ingest([str(tmp_path / "slice.jsonl")])
        svc.build()
        pred: dict[str, object] = {a: story for a, (story, _) in svc.assignments().items()}
    scores = score(pred, gold)
    for part in PARTS:
        assert scores[part]["b3_f1"] >= floors[part], (part, scores[part])
