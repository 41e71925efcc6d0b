"""The outlet registry: resolution, the bundled table, scales, aggregates, user imports."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsprism.cli import app
from newsprism.config import Settings, load_settings
from newsprism.errors import InvalidRatings
from newsprism.lean.importer import read_bundled
from newsprism.lean.outlets import alias_key, domain_of
from newsprism.lean.ratings import aggregate, parse_scale
from newsprism.models import Lean, Rating, RatingSource, Side
from newsprism.service import Service
from tests.conftest import EVAL, REPO, SEEDS


def _source(name: str = "mine", scale: str = "lean-7") -> RatingSource:
    return RatingSource(name=name, scale=scale, origin="user", citation="own reading")


def _write(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _counts(service: Service) -> tuple[int, int, int]:
    assert service.registry  # the starter table is loaded on first use
    conn = service.store._conn
    return tuple(  # type: ignore[return-value]
        conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("outlets", "outlet_ratings", "rating_sources")
    )


# --- names and domains ------------------------------------------------------------------------
def test_alias_keys_and_domains() -> None:
    assert alias_key("CNN (Web News)") == alias_key("CNN") == "cnn"
    assert alias_key("The New York Times - News") == "new york times"
    assert domain_of("https://edition.cnn.com/2025/x") == "cnn.com"
    assert domain_of("www.bbc.co.uk") == "bbc.co.uk"
    assert domain_of("not a domain") is None
    assert domain_of("=cmd|' /C calc'!A0") is None


def test_cnn_by_name_domain_and_url_is_one_outlet(service: Service) -> None:
    reg = service.registry
    ids = {
        reg.resolve(None, "CNN (Web News)"),
        reg.resolve(None, "CNN"),
        reg.resolve(None, "cnn.com"),
        reg.resolve("cnn.com", None),
        reg.resolve(domain_of("https://edition.cnn.com/a"), "Cable News Network"),
    }
    assert len(ids) == 1 and None not in ids


def test_seed_outlets_are_not_in_the_starter_table_and_stay_unrated(service: Service) -> None:
    service.ingest([str(SEEDS)])
    names = {a.outlet_name for a in service.articles()}
    assert {"Straight Arrow News", "Freedom Person"} <= names
    for name in ("Straight Arrow News", "Freedom Person"):
        assert service.registry.resolve(None, name) is None
    sides = service.article_sides(list(service.articles()))
    assert {s.side for s in sides.values()} == {Side.UNRATED}
    assert {s.basis for s in sides.values()} == {"none"}


# --- scales and aggregates --------------------------------------------------------------------
def test_seven_point_scale_is_symmetric() -> None:
    assert Lean.from_score(-0.5) is Lean.LEFT
    assert Lean.from_score(0.5) is Lean.RIGHT
    assert Lean.from_score(0.1) is Lean.CENTER
    assert [Lean.from_score(lean.score) for lean in Lean] == list(Lean)


@pytest.mark.parametrize(
    ("scale", "value", "lean"),
    [
        ("lcr-3", "Left", Lean.LEFT),
        ("allsides-5", "Lean Right", Lean.LEAN_RIGHT),
        ("mbfc-7", "left-center", Lean.LEAN_LEFT),
        ("mbfc-7", "extreme-right", Lean.FAR_RIGHT),
        ("score", "-0.9", Lean.FAR_LEFT),
        ("range:-42:42", "14", Lean.LEAN_RIGHT),
        # ranges as wide as the floats map without overflow (0 once came out far-right)
        ("range:-1e308:1e308", "0", Lean.CENTER),
        ("range:-1e308:1e308", "1e308", Lean.FAR_RIGHT),
        ("range:-1e308:1e308", "-1e308", Lean.FAR_LEFT),
        ("range:-1.7e308:1.7e308", "-5e307", Lean.LEAN_LEFT),
    ],
)
def test_scales_map_onto_seven_points(scale: str, value: str, lean: Lean) -> None:
    got, score = parse_scale(scale).map(value)
    assert got is lean
    assert -1.0 <= score <= 1.0


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-inf", "1e999", "2", "-1.5", "0x1", ""])
def test_hostile_numbers_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not a number in"):
        parse_scale("score").map(value)


def test_unknown_scale_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown scale 'stars'.*lcr-3"):
        parse_scale("stars")
    with pytest.raises(ValueError, match="unknown scale"):
        parse_scale("range:5:1")


def test_conflicting_ratings_are_shown_not_averaged_away() -> None:
    ratings = [
        Rating("a", "score", "-0.8", Lean.LEFT, -0.8),
        Rating("b", "score", "0.7", Lean.RIGHT, 0.7),
        Rating("c", "lcr-3", "center", Lean.CENTER, 0.0),
    ]
    lean = aggregate(ratings)
    assert lean is not None
    assert lean.disagree and lean.sides == {"left": 1, "center": 1, "right": 1}
    assert lean.spread == pytest.approx(1.5) and lean.lowest == -0.8 and lean.highest == 0.7
    assert lean.method == "newsprism.outlet-lean.v1"
    assert aggregate([]) is None


def test_cnn_ratings_disagree_in_the_bundled_table(service: Service) -> None:
    outlet = service.outlet("cnn.com")
    assert outlet is not None and outlet.lean is not None
    assert outlet.lean.disagree
    assert outlet.lean.sides["left"] >= 1 and outlet.lean.sides["center"] >= 1
    assert {r.source for r in outlet.ratings} >= {"robertson2018", "mbfc-baly2018"}
    assert "CNN (Web News)" in outlet.aliases


# --- the bundled table ------------------------------------------------------------------------
def test_bundled_table_names_citation_and_terms_per_source() -> None:
    table = read_bundled()
    assert {s.name for s in table.sources} >= {"robertson2018", "mbfc-baly2018"}
    for source in table.sources:
        assert source.citation and source.licence and source.scale
    assert "research purposes only" in {s.name: s for s in table.sources}["robertson2018"].licence
    used = {r.source for r in table.rows}
    assert used == {s.name for s in table.sources}
    # outlet-level values only: no article text (short single-line values)
    assert max(len(r.value) for r in table.rows) < 40


@pytest.mark.skipif(not (EVAL / "outlet_ratings").is_dir(), reason="../shared/eval is absent")
def test_build_script_reproduces_the_bundled_table() -> None:
    from benchmarks.build_outlet_table import OUT, build

    assert build(EVAL) == OUT.read_text(encoding="utf-8")


def test_a_rating_source_can_be_switched_off(settings: Settings) -> None:
    off = settings.with_overrides(rating_sources_off=("robertson2018", "bakshy2015"))
    with Service(off) as service:
        outlet = service.outlet("cnn.com")
        assert outlet is not None and outlet.lean is not None
        switched = [r for r in outlet.ratings if not r.enabled]
        assert {r.source for r in switched} == {"robertson2018", "bakshy2015"}
        assert outlet.lean.n_ratings == len(outlet.ratings) - 2
        state = {s.name: s.enabled for s in service.rating_sources()}
        assert state["robertson2018"] is False and state["mbfc-baly2018"] is True


def test_switched_off_sources_from_environment_and_toml(tmp_path: Path) -> None:
    env = {"NEWSPRISM_RATING_SOURCES_OFF": "robertson2018, bakshy2015"}
    assert load_settings(env=env).rating_sources_off == ("robertson2018", "bakshy2015")
    toml = _write(tmp_path, 'rating_sources_off = ["mbfc-baly2020"]\n', "n.toml")
    assert load_settings(env={}, config_file=toml).rating_sources_off == ("mbfc-baly2020",)


# --- user imports -----------------------------------------------------------------------------
def test_import_rates_the_seed_outlets(service: Service, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "domain,name,value,date\nstraightarrownews.com,Straight Arrow News,center,2025-01\n"
        ",Freedom Person,lean-left,\n",
    )
    report = service.import_ratings(path, _source())
    assert (report.ratings, report.new_outlets) == (2, 2)
    found = service.outlet("Straight Arrow News")
    assert found is not None and found.lean is not None and found.lean.lean is Lean.CENTER
    assert service.outlet("straightarrownews.com") == found
    assert found.ratings[0].rated_on == "2025-01"


def test_reimport_replaces_the_source(service: Service, tmp_path: Path) -> None:
    service.import_ratings(_write(tmp_path, "name,value\nAcme Post,left\n"), _source())
    service.import_ratings(_write(tmp_path, "name,value\nAcme Post,right\n"), _source())
    outlet = service.outlet("Acme Post")
    assert outlet is not None and [r.value for r in outlet.ratings] == ["right"]


def test_bad_rows_are_line_numbered_and_nothing_is_imported(
    service: Service, tmp_path: Path
) -> None:
    before = _counts(service)
    text = (
        "domain,name,value\n"
        "ok.example.com,Fine,center\n"
        "x.com,X,middle\n"
        "not a domain,,left\n"
        ',"=HYPERLINK(""http://evil"")",left\n'
        "y.com,,NaN\n"
        ",,left\n"
        "ok.example.com,Again,left\n"
        "z.com,Z,left,extra\n"
    )
    with pytest.raises(InvalidRatings) as info:
        service.import_ratings(_write(tmp_path, text), _source())
    problems = info.value.problems
    assert problems[0].startswith("line 3: value 'middle' is not on scale lean-7")
    assert problems[1].startswith("line 4: 'not a domain' is not a domain")
    assert "line 5" in problems[2] and "formula" in problems[2]
    assert problems[3].startswith("line 6: value 'NaN'")
    assert problems[4] == "line 7: neither a domain nor a name"
    assert "line 8" in problems[5] and "already rated on line 2" in problems[5]
    assert len(problems) == 6
    assert _counts(service) == before


@pytest.mark.parametrize(
    ("text", "scale", "message"),
    [
        ("name,value\nA,left\n", "stars", "unknown scale 'stars'"),
        ("outlet,colour\nA,red\n", "lcr-3", "line 1: header"),
        ("name,value\n", "lcr-3", "no ratings"),
        ('name,value\n"A,left\n', "lcr-3", "malformed CSV"),
        ("name,value\nA,2\n", "score", "line 2: value '2' is not a number in [-1, 1]"),
        ("name,value,date\nA,left,yesterday\n", "lcr-3", "line 2: date 'yesterday'"),
        ("name,value\nA\x07B,left\n", "lcr-3", "control characters"),
        ("name,value\n" + "N" * 300 + ",left\n", "lcr-3", "300 characters"),
    ],
)
def test_malformed_rating_files(
    service: Service, tmp_path: Path, text: str, scale: str, message: str
) -> None:
    before = _counts(service)
    with pytest.raises(InvalidRatings) as info:
        service.import_ratings(_write(tmp_path, text), _source(scale=scale))
    assert any(message in p for p in info.value.problems), info.value.problems
    assert _counts(service) == before


def test_undecodable_and_missing_files(service: Service, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,value\nCaf\xe9,left\n".encode("latin-1"))
    with pytest.raises(InvalidRatings, match="not UTF-8"):
        service.import_ratings(path, _source())
    with pytest.raises(InvalidRatings, match="cannot read"):
        service.import_ratings(tmp_path / "missing.csv", _source())


def test_bundled_source_names_and_bad_source_names_are_refused(
    service: Service, tmp_path: Path
) -> None:
    path = _write(tmp_path, "name,value\nA,left\n")
    with pytest.raises(InvalidRatings, match="bundled source"):
        service.import_ratings(path, _source(name="robertson2018"))
    with pytest.raises(InvalidRatings, match="source name"):
        service.import_ratings(path, _source(name="../etc; DROP TABLE"))


@pytest.mark.slow
def test_a_huge_rating_file(service: Service, tmp_path: Path) -> None:
    rows = "".join(f"site{i}.org,Site {i},{(i % 201 - 100) / 100}\n" for i in range(50_000))
    path = _write(tmp_path, "domain,name,score\n" + rows)
    start = time.perf_counter()
    report = service.import_ratings(path, _source(scale="score"))
    assert report.ratings == 50_000 and report.new_outlets == 50_000
    assert time.perf_counter() - start < 60
    bad = _write(tmp_path, "domain,score\n" + "x.org,abc\n" * 100_000, "bad.csv")
    before = _counts(service)
    with pytest.raises(InvalidRatings) as info:
        service.import_ratings(bad, _source(name="other", scale="score"))
    assert len(info.value.problems) == 21
    assert info.value.problems[-1] == "... and 99980 more bad lines"
    assert _counts(service) == before


def test_file_over_the_size_cap(settings: Settings, tmp_path: Path) -> None:
    path = _write(tmp_path, "name,value\n" + "A,left\n" * 200_000)
    with (
        Service(settings.with_overrides(max_file_mb=0.5)) as service,
        pytest.raises(InvalidRatings, match="above the cap max_file_mb"),
    ):
        service.import_ratings(path, _source())


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_given_as_a_rating_file_is_refused_unread(settings: Settings, device: str) -> None:
    """It was read without end until the process ran out of memory."""
    with (
        Service(settings) as service,
        pytest.raises(InvalidRatings, match="not a regular file"),
    ):
        service.import_ratings(Path(device), _source())


# --- CLI --------------------------------------------------------------------------------------
def test_cli_outlets_import_and_list(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(settings.db)]
    good = _write(tmp_path, "domain,name,value\ncnn.com,CNN,far-right\n")
    bad = _write(tmp_path, "domain,name,value\ncnn.com,CNN,sideways\n", "bad.csv")
    result = runner.invoke(app, [*db, "outlets", "import", str(bad), "--source", "mine",
                                 "--scale", "lean-7"])  # fmt: skip
    assert result.exit_code == 1
    assert "line 2: value 'sideways'" in result.output and "nothing imported" in result.output
    result = runner.invoke(app, [*db, "outlets", "import", str(good), "--source", "mine",
                                 "--scale", "lean-7", "--licence", "CC0"])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*db, "outlets", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    cnn = next(o for o in data if "cnn.com" in o["domains"])
    assert cnn["lean"]["disagree"] is True and cnn["lean"]["sides"]["right"] == 1
    assert any(r["source"] == "mine" and r["lean"] == "far-right" for r in cnn["ratings"])
    result = runner.invoke(app, [*db, "outlets", "sources", "--json"])
    sources = {s["name"]: s for s in json.loads(result.output)}
    assert sources["mine"]["licence"] == "CC0" and sources["mine"]["origin"] == "user"
    result = runner.invoke(app, [*db, "outlets", "import", str(good), "--source", "x",
                                 "--scale", "stars"])  # fmt: skip
    assert result.exit_code == 1 and "unknown scale 'stars'" in result.output


def test_repo_ships_no_article_text_in_the_table() -> None:
    text = (REPO / "src/newsprism/lean/data/outlet_ratings-v1.csv").read_text(encoding="utf-8")
    assert "research purposes only" in text.split("\n", 10)[2]
    assert max(len(line) for line in text.splitlines()[9:]) < 400
