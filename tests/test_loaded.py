from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from benchmarks.loaded_eval import BASIL, read_basil, score
from newsprism.lean.loaded import CATEGORIES, LexiconError, LoadedLexicon, LoadedSpan

from .conftest import SEEDS


@pytest.fixture(scope="module")
def lexicon() -> LoadedLexicon:
    return LoadedLexicon.load()


def _found(lexicon: LoadedLexicon, text: str) -> list[str]:
    return [text[s.start : s.end] for s in lexicon.spans(text)]


def test_shipped_lexicon_loads_with_known_categories(lexicon: LoadedLexicon) -> None:
    assert len(lexicon) > 300
    assert set(lexicon.terms().values()) <= set(CATEGORIES)
    assert lexicon.method == "newsprism.loaded-lexicon.v1"


def test_spans_give_offsets_term_and_category(lexicon: LoadedLexicon) -> None:
    text = "The regime ruled with an iron fist."
    spans = lexicon.spans(text)
    assert spans == [
        LoadedSpan(4, 10, "regime", "pejorative_label"),
        LoadedSpan(25, 34, "iron fist", "loaded_metaphor"),
    ]
    assert lexicon.count(text) == 2
    assert lexicon.count_by_category(text) == {"pejorative_label": 1, "loaded_metaphor": 1}


def test_inflections_and_case(lexicon: LoadedLexicon) -> None:
    text = "Critics SLAMMED the plan; she slams it; dictators ruled; Brutally put; Regimes fell."
    assert _found(lexicon, text) == ["SLAMMED", "slams", "dictators", "Brutally", "Regimes"]


def test_multiword_terms_hyphens_and_listed_forms(lexicon: LoadedLexicon) -> None:
    text = "A far-left group and far left groups; he lashed out; it was held hostage; iron fists."
    found = _found(lexicon, text)
    assert found == ["far-left", "far left", "lashed out", "held hostage", "iron fists"]
    terms = [s.term for s in lexicon.spans(text)]
    assert terms[2] == "lash out" and terms[3] == "hold hostage"


def test_longest_match_wins_and_spans_do_not_overlap(lexicon: LoadedLexicon) -> None:
    spans = lexicon.spans("a right-wing extremist spoke")
    assert [s.term for s in spans] == ["right wing extremist"]


def test_neutral_wording_has_no_spans(lexicon: LoadedLexicon) -> None:
    text = "The government released 123 prisoners on Saturday, officials said."
    assert lexicon.spans(text) == []


@pytest.mark.parametrize("text", ["", " ", "\n\n", "123 456", "...", "\x00\x01"])
def test_empty_and_wordless_text(lexicon: LoadedLexicon, text: str) -> None:
    assert lexicon.spans(text) == []
    assert lexicon.count(text) == 0


def test_non_english_text_gives_nothing(lexicon: LoadedLexicon) -> None:
    for text in (
        "Лукашенко освободил 123 политзаключённых.",
        "政府释放了123名囚犯。",
        "Le gouvernement a libéré 123 prisonniers samedi.",
    ):
        assert lexicon.spans(text) == []


def test_curly_apostrophes_and_unicode_letters(lexicon: LoadedLexicon) -> None:
    text = "Putin’s regime and Lukashenka’s thugs"
    assert _found(lexicon, text) == ["regime", "thugs"]


def test_huge_text_is_linear(lexicon: LoadedLexicon) -> None:
    chunk = "The regime ruled with an iron fist while officials met on Monday. " * 20_000
    started = time.perf_counter()
    assert lexicon.count(chunk) == 40_000
    assert time.perf_counter() - started < 5.0


def test_seed_000_loaded_terms(lexicon: LoadedLexicon) -> None:
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    terms = {s.term for s in lexicon.spans(text)}
    assert {"dictator", "regime", "iron fist"} <= terms


def test_custom_lexicon_file(tmp_path: Path) -> None:
    path = tmp_path / "lex.tsv"
    path.write_text("# mine\nbig deal\tscare_phrase\tn\nzap\tloaded_verb\tv\n", encoding="utf-8")
    lexicon = LoadedLexicon.load(path)
    assert _found(lexicon, "Big deals zapped it") == ["Big deals", "zapped"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("regime\tpejorative_label\n", "lex.tsv:1: expected 3 tab-separated columns"),
        ("regime\tnasty\tn\n", "lex.tsv:1: unknown category 'nasty'"),
        ("# c\nregime\tpejorative_label\tq\n", "lex.tsv:2: unknown form 'q'"),
        ("...\tpejorative_label\tn\n", "lex.tsv:1: empty term"),
    ],
)
def test_bad_lexicon_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "lex.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        LoadedLexicon.load(path)


def test_unreadable_lexicon(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read lexicon"):
        LoadedLexicon.load(tmp_path / "missing.tsv")
    binary = tmp_path / "bin.tsv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(LexiconError, match="cannot read lexicon"):
        LoadedLexicon.load(binary)


@pytest.mark.skipif(not BASIL.exists(), reason="../shared/eval/basil is not beside this checkout")
def test_basil_quality_floor(lexicon: LoadedLexicon) -> None:
    floors = json.loads((Path(__file__).parent / "loaded_floors.json").read_text("utf-8"))
    result = score(read_basil(BASIL), lexicon)["overlap"]
    assert result["f1"] >= floors["overlap_f1"], result
    assert result["precision"] >= floors["overlap_precision"], result
    assert result["recall"] >= floors["overlap_recall"], result
