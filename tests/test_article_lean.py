"""Article-level lean: fingerprint removal, the shipped model, evidence, storage, the stage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from newsprism.config import Settings
from newsprism.lean.article import (
    METHOD,
    MIN_CONTENT_WORDS,
    ArticleLeanModel,
    LeanModelError,
    lean_text,
    tokenize,
)
from newsprism.lean.fingerprints import strip_fingerprints, strip_names
from newsprism.lean.stage import run_lean_stage
from newsprism.models import LeanEstimate, Side
from newsprism.service import Service
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def model() -> ArticleLeanModel:
    return ArticleLeanModel.load()


def _seed(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


# --- fingerprints -----------------------------------------------------------------------------
def test_strip_removes_outlet_byline_dateline_footer_and_house_style() -> None:
    text = (
        "David Jackson\n\nUSA TODAY\n\n"
        "WASHINGTON \u2014 President Trump said Monday that the plan, reported by The New York "
        "Times, was \u201cdead,\u201d Mr. Schumer told reporters at www.example.com/story.\n\n"
        "Follow him on Twitter @djackson\n\n"
        "Copyright \u00a9 2019 The Washington Times, LLC. Click here for reprint permission."
    )
    out = strip_fingerprints(text, outlet_names=["USA TODAY - News"], authors=["David Jackson"])
    assert out == (
        'President Trump said Monday that the plan, reported by , was "dead," Schumer told '
        "reporters at"
    )
    for gone in ("USA", "Jackson", "WASHINGTON", "Times", "Copyright", "Mr.", "\u201c", "@"):
        assert gone not in out


def test_strip_own_outlet_by_domain_and_stem() -> None:
    out = strip_names("Read more at nytimes.com or in the nytimes app", ["www.nytimes.com"])
    assert "nytimes" not in out


def test_strip_keeps_plain_reporting() -> None:
    text = "The Senate passed the bill on a 52-48 vote after a long night of debate."
    assert strip_fingerprints(text) == text


def test_strip_hostile_and_huge_input() -> None:
    assert strip_fingerprints("") == ""
    assert strip_fingerprints("\x00\ufeff\n\n\t") == ""  # a short head line: dropped
    huge = "Lawmakers argued over the budget again. " * 50_000
    assert len(lean_text(huge)) <= 100_000
    assert strip_names("(((", ["((("], ["[a-"]) == ""  # regex metacharacters are literal


def test_tokenize_folds_digits_and_possessives() -> None:
    assert tokenize("Trump's 2020 budget, O'Rourke's G7") == ["trump", "budget", "o'rourke", "g0"]


# --- the shipped model ----------------------------------------------------------------------
def test_model_file_is_plain_json_with_its_method(model: ArticleLeanModel) -> None:
    assert model.method == METHOD == "newsprism.article-lean.v1"
    assert 1000 < len(model.vocabulary) < 50_000
    assert model.meta["outlet_balanced"] is True
    assert model.meta["min_outlets"] >= 5


def test_estimate_has_probabilities_and_evidence(model: ArticleLeanModel) -> None:
    est = model.estimate(_seed("000"))
    assert isinstance(est, LeanEstimate)
    assert set(est.probabilities) == {Side.LEFT, Side.CENTER, Side.RIGHT}
    assert sum(est.probabilities.values()) == pytest.approx(1.0)
    assert est.probability == max(est.probabilities.values())
    assert est.probabilities[est.side] == est.probability
    phrases = [e for e in est.evidence if e.kind == "phrase"]
    sentences = [e for e in est.evidence if e.kind == "sentence"]
    assert phrases and sentences
    assert all(e.weight > 0 for e in est.evidence)
    assert all(e.side is est.side for e in sentences)
    assert all(p.text in tokenize(lean_text(_seed("000"))) for p in phrases)
    assert json.loads(json.dumps(est.to_dict()))["estimated"] is True


def test_text_without_content_words_is_unrated_not_guessed(model: ArticleLeanModel) -> None:
    """Long enough, but nothing to read: function words only, one word repeated, numbers."""
    for empty in (
        "the and of to in a is that for it " * 20,
        "budget " * 100,
        "In 2020 it was 15 and 16 then 17 so 18 of 19 " * 10,
    ):
        assert model.estimate(empty) is None, empty[:40]
    words = "senate budget taxes border vote court police union climate market".split()
    assert len(words) > MIN_CONTENT_WORDS
    assert model.estimate(" ".join(["the", "and", *words] * 5)) is not None
    assert model.estimate(" ".join(["the", "and", *words[: MIN_CONTENT_WORDS - 1]] * 8)) is None


def test_estimate_matches_the_linear_model(model: ArticleLeanModel) -> None:
    text = lean_text(_seed("002"))
    est = model.estimate(_seed("002"))
    assert est is not None
    probs = model.probabilities(text)
    assert np.allclose(probs, [est.probabilities[s] for s in (Side.LEFT, Side.CENTER, Side.RIGHT)])


def test_loaded_language_leans_right_of_neutral_wording(model: ArticleLeanModel) -> None:
    loaded, neutral = model.estimate(_seed("000")), model.estimate(_seed("002"))
    assert loaded is not None and neutral is not None
    assert loaded.probabilities[Side.RIGHT] > neutral.probabilities[Side.RIGHT]


def test_too_little_text_is_unrated_never_guessed(model: ArticleLeanModel) -> None:
    assert model.estimate("Short notice.", "Headline") is None
    assert model.estimate("") is None
    assert model.estimate("word " * 39) is None
    assert model.estimate("zzqx " * 100) is None  # no known word: unrated too


def test_outlet_name_does_not_change_the_estimate(model: ArticleLeanModel) -> None:
    body = _seed("003")
    plain = model.estimate(body)
    named = model.estimate(body + "\n\nCopyright 2025 Fox News. Subscribe to our newsletter.")
    assert plain is not None and named is not None
    assert named.probabilities == pytest.approx(plain.probabilities)


def test_bad_input_is_refused_with_its_type(model: ArticleLeanModel) -> None:
    with pytest.raises(TypeError, match="body must be a str, not bytes"):
        model.estimate(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="title must be a str or None, not int"):
        model.estimate("text", 5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read"),
        ("[1, 2]", "not a JSON object"),
        ('{"method": "m"}', "malformed"),
        (
            '{"method": "m", "vocabulary": ["a", "a"], "idf": [1, 1], "coef": [[0, 0], [0, 0], '
            '[0, 0]], "intercept": [0, 0, 0]}',
            "distinct",
        ),
        (
            '{"method": "m", "vocabulary": ["a"], "idf": [1], "coef": [[0], [0]], '
            '"intercept": [0, 0, 0]}',
            r"expected \(1,\) and \(3, 1\)",
        ),
        (
            '{"method": "m", "vocabulary": ["a"], "idf": [1], "coef": [[NaN], [0], [0]], '
            '"intercept": [0, 0, 0]}',
            "non-finite",
        ),
    ],
)
def test_broken_model_files_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LeanModelError, match=message):
        ArticleLeanModel.load(path)


def test_model_round_trips_through_json(tmp_path: Path, model: ArticleLeanModel) -> None:
    path = tmp_path / "copy.json"
    path.write_text(model.to_json(), encoding="utf-8")
    again = ArticleLeanModel.load(path)
    text = lean_text(_seed("001"))
    assert np.allclose(again.probabilities(text), model.probabilities(text), atol=1e-4)


# --- storage and the stage --------------------------------------------------------------------
def _ingest(service: Service, tmp_path: Path, rows: list[dict[str, str]]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    service.ingest([str(src)])


def test_stage_estimates_stores_and_resumes(service: Service, tmp_path: Path) -> None:
    rows = [
        {"id": f"s{i}", "title": f"Seed {i}", "text": _seed(f"00{i}"), "outlet": "Some Paper"}
        for i in range(3)
    ]
    rows.append({"id": "short", "title": "Too short", "text": "Only a few words here."})
    _ingest(service, tmp_path, rows)
    store = service.store
    report = run_lean_stage(store, min_words=40, chunk=2)
    assert (report.estimated, report.unrated) == (3, 1)
    leans = store.get_article_leans(["s0", "s1", "s2", "short"])
    assert set(leans) == {"s0", "s1", "s2"}
    assert leans["s0"].method == METHOD
    assert leans["s0"].evidence and leans["s0"].evidence[0].text
    direct = ArticleLeanModel.load().estimate(_seed("000"), "Seed 0", ["Some Paper"])
    assert direct is not None
    assert leans["s0"].probability == pytest.approx(direct.probability)
    again = run_lean_stage(store, min_words=40)
    assert (again.estimated, again.unrated) == (0, 0)  # nothing examined twice
    assert store.lean_unrated(["short", "s0"], METHOD, 40) == {"short"}
    stricter = run_lean_stage(store, min_words=1000)  # another setting examines it again
    assert (stricter.estimated, stricter.unrated) == (0, 1)
    assert store.get_article_leans(["s0"], method="other.v9") == {}


def test_stage_refuses_bad_settings(service: Service) -> None:
    with pytest.raises(ValueError, match="min_words=0"):
        run_lean_stage(service.store, min_words=0)
    with pytest.raises(ValueError, match="chunk=0"):
        run_lean_stage(service.store, chunk=0)


def test_failed_chunk_leaves_nothing_half_stored(service: Service, tmp_path: Path) -> None:
    _ingest(service, tmp_path, [{"id": "a", "title": "A", "text": _seed("001")}])
    est = ArticleLeanModel.load().estimate(_seed("001"))
    assert est is not None
    store = service.store
    with pytest.raises(Exception, match="FOREIGN KEY"), store.transaction():
        store.put_article_leans([("a", est), ("missing-article", est)])
    assert store.get_article_leans(["a"]) == {}


def test_setting_is_validated(tmp_path: Path) -> None:
    from newsprism.config import load_settings
    from newsprism.errors import ConfigError

    with pytest.raises(ConfigError, match="lean_min_words=0"):
        load_settings(env={"NEWSPRISM_LEAN_MIN_WORDS": "0"}, db=tmp_path / "x.db")
    assert Settings().lean_min_words == 40


@pytest.mark.slow
def test_build_estimates_the_seeds_and_counts_them(service: Service) -> None:
    service.ingest([str(SEEDS)])
    report = service.build()
    assert report.lean == {"estimated": 5, "unrated": 0}
    ids = [a.id for a in service.articles()]
    leans = service.store.get_article_leans(ids)
    assert set(leans) == set(ids)
    assert service.build().lean == {"estimated": 0, "unrated": 0}


@pytest.mark.slow
def test_build_examines_a_short_article_once(service: Service, tmp_path: Path) -> None:
    rows = [
        {"id": "long", "title": "Seed", "text": _seed("000"), "outlet": "Some Paper"},
        {"id": "short", "title": "Too short", "text": "Only a few words here."},
    ]
    _ingest(service, tmp_path, rows)
    assert service.build().lean == {"estimated": 1, "unrated": 1}
    assert service.store.lean_unrated(["long", "short"], METHOD, 40) == {"short"}
    _ingest(service, tmp_path, [{"id": "later", "title": "Later", "text": "A few words."}])
    assert service.build().lean == {"estimated": 0, "unrated": 1}  # only the new one
    assert service.estimate_leans().unrated == 0
