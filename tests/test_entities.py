"""People, organisations and places: name matching, merging, the seeds, hostile input, and the
quality gate on the name-variant pairs of ../shared/eval/names/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsprism.models import Article, SourceKind
from newsprism.synthesis.entities import ENTITIES_METHOD, EntityKind, Mention, entities
from newsprism.synthesis.names import compare_given, compare_names, compare_tokens, phonetic_key
from newsprism.synthesis.resolve import EntityIndex, resolve

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
NAMES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "names"
FLOORS = json.loads((Path(__file__).parent / "names_floors.json").read_text(encoding="utf-8"))


def _article(aid: str, body: str) -> Article:
    return Article(
        id=aid,
        body=body,
        content_hash=aid,
        source_kind=SourceKind.TEXT,
        source_ref=f"{aid}.txt",
        extraction_method="test",
        ingested_at=datetime(2025, 12, 14, tzinfo=UTC),
    )


def _mentions(*forms: str, kind: EntityKind = EntityKind.PERSON) -> list[Mention]:
    return [Mention("a1", i, 0, len(f), f, kind) for i, f in enumerate(forms)]


# --- name matching -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Lukashenka", "Lukashenko"),
        ("Лукашенко", "Lukashenka"),
        ("Kolesnikova", "Kalesnikava"),
        ("Калеснікава", "Kolesnikova"),
        ("Babaryka", "Babariko"),
        ("Bialiatski", "Byalyatski"),
        ("Бяляцкі", "Bialiatski"),
        ("Tsikhanouski", "Tikhanovsky"),
        ("Ціханоўскі", "Tikhanovsky"),
        ("Siarhei", "Sergei"),
        ("Sviatlana", "Svetlana"),
        ("Viktar", "Viktor"),
    ],
)
def test_spelling_variants_match(a: str, b: str) -> None:
    assert compare_tokens(a, b).same, (a, b, phonetic_key(a), phonetic_key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tsikhanouski", "Tsikhanouskaya"),
        ("Tikhanovsky", "Tikhanovskaya"),
        ("Kolesnikov", "Kolesnikova"),
        ("Kalesnikau", "Kalesnikava"),
        ("Aleksandr", "Aleksandra"),
        ("Putin", "Potin"),
        ("Trump", "Tramp"),
        ("Marina", "Maria"),
    ],
)
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert not compare_tokens(a, b).same


def test_full_names() -> None:
    assert not compare_names("Siarhei Tsikhanouski", "Sviatlana Tsikhanouskaya").same
    assert compare_names("Siarhei Tsikhanouski", "Sergei Tikhanovsky").same
    assert compare_names("Alexander Lukashenko", "Аляксандр Лукашэнка").same
    assert not compare_names("Hillary Clinton", "Bill Clinton").same  # different given names
    assert compare_names("Bill Clinton", "William Clinton").reason == "nickname of"
    assert compare_names("George Washington", "ג'ורג' וושינגטון").same
    assert compare_names("Kolesnikova, Maria", "Maria Kalesnikava").same
    assert compare_given("A.", "Alexander").same
    assert not compare_given("B.", "Alexander").same


@pytest.mark.parametrize("bad", ["", "   ", "...", "12 34", "😀"])
def test_names_without_letters_never_match(bad: str) -> None:
    assert not compare_names(bad, "Maria Kolesnikova").same
    assert not compare_tokens(bad, bad).same


# --- merging (no model) ------------------------------------------------------------------


def test_bare_surname_joins_the_one_full_name_it_fits() -> None:
    index = resolve(
        _mentions(
            "Siarhei Tsikhanouski",
            "Sviatlana Tsikhanouskaya",
            "Tsikhanouskaya’s",
            "Tikhanovsky",
            "Sergei Tikhanovsky",
        )
    )
    people = index.of_kind(EntityKind.PERSON)
    assert len(people) == 2
    he, she = index.find("Siarhei Tsikhanouski"), index.find("Sviatlana Tsikhanouskaya")
    assert he is not None and she is not None and he is not she
    assert index.find("Tsikhanouskaya") is she
    assert index.find("Tikhanovsky") is he and index.find("Sergei Tikhanovsky") is he


def test_bare_surname_that_fits_two_people_stays_ambiguous() -> None:
    index = resolve(_mentions("Anna Ivanova", "Maria Ivanova", "Ivanova", "Ivanova"))
    bare = index.find("Ivanova")
    assert bare is not None and len(index.entities) == 3
    assert set(bare.ambiguous_with) == {"Anna Ivanova", "Maria Ivanova"}


def test_places_and_orgs_merge_on_aliases_and_acronyms() -> None:
    places = resolve(_mentions("U.S.", "US", "the United States", kind=EntityKind.PLACE))
    assert len(places.entities) == 1 and places.entities[0].name in {"U.S.", "United States"}
    orgs = resolve(_mentions("International Federation of Journalists", "IFJ", kind=EntityKind.ORG))
    assert len(orgs.entities) == 1
    reasons = {v.reason for v in orgs.entities[0].variants}
    assert "acronym of International Federation of Journalists" in reasons


def test_junk_mentions_are_dropped() -> None:
    index = resolve(_mentions("•", "  ", "12", "x" * 200, "\n\nMaria"))
    assert [e.name for e in index.entities] == ["Maria"]


def test_to_dict_is_json_with_provenance() -> None:
    data = resolve(_mentions("Maria Kolesnikova", "Kalesnikava")).to_dict()
    json.dumps(data)
    assert data["method"] == ENTITIES_METHOD and data["names_method"].startswith("newsprism.")
    [person] = data["entities"]
    assert person["variants"][1]["reason"].startswith("surname of Maria Kolesnikova")


# --- the model on real text --------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_index() -> EntityIndex:
    articles = [_article(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*"))]
    return entities(articles)


@pytest.mark.slow
def test_seed_merges(seed_index: EntityIndex) -> None:
    def person(form: str) -> str:
        found = seed_index.find(form)
        assert found is not None and found.kind is EntityKind.PERSON, form
        return found.id

    assert person("Lukashenka") == person("Lukashenko") == person("Aleksandr Lukashenko")
    assert person("Kolesnikova") == person("Kalesnikava") == person("Maria Kalesnikava")
    assert person("Viktar Babaryka") == person("Viktor Babariko")
    assert person("Ales Bialiatski") == person("Bialiatski")
    assert person("Siarhei Tsikhanouski") != person("Sviatlana Tsikhanouskaya")
    lukashenko = seed_index.find("Lukashenka")
    assert lukashenko is not None and lukashenko.name == "Alexander Lukashenko"
    assert len(lukashenko.articles) >= 4 and all(s >= 0 for _, s in lukashenko.sentences)
    assert seed_index.find("U.S.") is seed_index.find("United States")


@pytest.mark.slow
def test_mentions_point_at_their_text(seed_index: EntityIndex) -> None:
    bodies = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*")}
    for entity in seed_index.entities:
        for m in entity.mentions:
            assert bodies[m.article_id][m.start : m.end] == m.text


@pytest.mark.slow
def test_hostile_input() -> None:
    assert entities([]).entities == ()
    assert entities([_article("empty", ""), _article("blank", " \n\n \t")]).entities == ()
    shouted = entities(
        [
            _article(
                "caps", "ALEXANDER LUKASHENKO MET JOHN COALE IN MINSK\nThe two men met on Friday."
            )
        ]
    )
    found = shouted.find("Alexander Lukashenko")
    assert found is not None and found.kind is EntityKind.PERSON
    foreign = entities(
        [
            _article("ru", "Александр Лукашенко встретился с Джоном Коулом в Минске."),
            _article("he", "אלכסנדר לוקשנקו נפגש עם ג'ון קואל במינסק."),
            _article("zh", "卢卡申科在明斯克会见了科尔。"),
            _article("initials", "J. K. met A. B. and C. D. E. in N.Y. on Jan. 3."),
        ]
    )
    json.dumps(foreign.to_dict())
    with pytest.raises(ValueError, match="max_chars_per_article must be at least 1, got 0"):
        entities([_article("x", "Maria Kolesnikova")], max_chars_per_article=0)


@pytest.mark.slow
def test_huge_article_is_cut_with_a_warning() -> None:
    body = "Maria Kolesnikova spoke in Minsk with Alexander Lukashenko. " * 5000  # 300k chars
    index = entities([_article("huge", body)], max_chars_per_article=60_000)
    assert index.warnings and "60,000 of 300,000" in index.warnings[0]
    kolesnikova = index.find("Maria Kolesnikova")
    assert kolesnikova is not None and 900 <= len(kolesnikova.mentions) <= 1000


# --- quality gate ------------------------------------------------------------------------


@pytest.mark.skipif(not NAMES.exists(), reason="../shared/eval/names is not beside this checkout")
def test_name_matching_quality_floor() -> None:
    from benchmarks.names_eval import run

    scores = run(n=FLOORS["rows_per_set"], split="test", seed=FLOORS["seed"])
    print({k: v.as_dict() for k, v in scores.items()})
    for name, floor in FLOORS["f1"].items():
        assert scores[name].f1 >= floor, (name, scores[name])
    for name, floor in FLOORS["precision"].items():
        assert scores[name].precision >= floor, (name, scores[name])
