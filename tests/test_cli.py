"""The command line, run as a user runs it (a real subprocess for exit codes and output)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from newsprism.store.sqlite import _migrations
from tests.conftest import FIXTURES, REPO, SEEDS


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("NEWSPRISM_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "newsprism", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        timeout=120,
        check=False,
    )


def test_demo_shows_title_date_and_outlet_for_each_seed(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = run("--db", str(db), "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "5 added" in result.stderr
    for expected in (
        "Freedom Person",
        "Straight Arrow News",
        "Belarus frees 123 prisoners in bid to improve US relations",
        "2025-12-14",
        "2025-09-11",
        "unknown",
    ):
        assert expected in result.stdout
    again = run("--db", str(db), "demo", "--no-serve")  # a fresh database every time
    assert "5 added" in again.stderr


def test_ingest_export_and_stats(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    assert run("--db", db, "ingest", str(SEEDS)).returncode == 0
    second = run("--db", db, "ingest", str(SEEDS))
    assert second.returncode == 0
    assert "5 already stored (nothing changed)" in second.stderr
    exported = run("--db", db, "export", "articles", "--format", "jsonl")
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 5
    assert {"id", "title", "outlet", "url", "published", "text", "content_hash", "source_ref",
            "extraction_method", "inferred", "duplicate_of"} <= rows[0].keys()  # fmt: skip
    out_csv = tmp_path / "a.csv"
    assert run("--db", db, "export", "articles", "-f", "csv", "-o", str(out_csv)).returncode == 0
    table = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    stats = json.loads(run("--db", db, "stats", "--json").stdout)
    assert stats["articles"] == 5
    assert stats["schema_version"] == _migrations()[-1][0]  # every bundled migration applied


def test_bad_input_exits_1_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    result = run("--db", db, "ingest", str(FIXTURES / "binary.bin"))
    assert result.returncode == 1
    assert "binary.bin: binary data" in result.stderr
    assert "Traceback" not in result.stderr
    missing = run("--db", db, "ingest", "/nowhere/at/all.txt")
    assert missing.returncode == 1
    assert "/nowhere/at/all.txt: no such file" in missing.stderr


def test_unusable_database_and_bad_options_are_user_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not a database", encoding="utf-8")
    result = run("--db", str(bad), "stats")
    assert result.returncode == 1
    assert "cannot open database" in result.stderr
    assert "Traceback" not in result.stderr
    fmt = run("--db", str(tmp_path / "t.db"), "export", "articles", "--format", "xml")
    assert fmt.returncode == 1
    assert "--format 'xml' is not supported" in fmt.stderr


def test_every_command_has_help() -> None:
    for args in (["--help"], ["ingest", "--help"], ["export", "articles", "--help"],
                 ["stats", "--help"], ["demo", "--help"]):  # fmt: skip
        result = run(*args)
        assert result.returncode == 0
        assert "Usage" in result.stdout


def test_build_stories_show_and_export(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert run("--db", db, "ingest", str(SEEDS)).returncode == 0
    built = run("--db", db, "build")
    assert built.returncode == 0, built.stderr
    assert "5 articles built" in built.stderr
    # seed 003 states no date: it is grouped on its content alone, and both outputs say so
    assert "1 undated article grouped on its content alone" in built.stderr
    listed = json.loads(run("--db", db, "stories", "--json").stdout)
    assert sorted(s["n_articles"] for s in listed) == [1, 4]
    big = next(s for s in listed if s["n_articles"] == 4)
    shown = json.loads(run("--db", db, "show", str(big["id"]), "--format", "json").stdout)
    assert len(shown["articles"]) == 4
    assert shown["thread_id"] is not None
    assert shown["n_undated"] == 1
    text = run("--db", db, "show", str(big["id"])).stdout
    assert "Straight Arrow News" in text
    assert "1 of 4 articles with no publication date, grouped on their content alone" in text
    exported = json.loads(run("--db", db, "export", "stories", "--format", "json").stdout)
    assert {s["id"] for s in exported} == {s["id"] for s in listed}
    rows = [json.loads(x) for x in run("--db", db, "export", "articles").stdout.splitlines()]
    assert all(r["story_id"] is not None and r["thread_id"] is not None for r in rows)
    missing = run("--db", db, "show", "99999")
    assert missing.returncode == 1
    assert "story 99999 does not exist" in missing.stderr


def test_the_cli_starts_without_the_heavy_libraries() -> None:
    """scikit-learn, scipy, datasketch, torch and spaCy load on first use, not at start-up
    (together they were 0.9 s of every command)."""
    import subprocess
    import sys

    heavy = ["sklearn", "scipy", "datasketch", "torch", "spacy", "sentence_transformers"]
    code = f"import sys, newsprism.cli; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_titles_and_file_names_that_look_like_markup_print_as_written(tmp_path: Path) -> None:
    """Rich markup in a headline ("[/]" crashed `show`; "[bold red]" restyled the line) or in a
    file name is data: printed as written, never interpreted."""
    title = "Budget [/] vote [bold red]loud[/] [link=http://x]click[/link]"
    src = tmp_path / "[bold]odd[dim].jsonl"
    body = "The council approved the budget on Tuesday after a long debate about roads."
    src.write_text(json.dumps({"id": "a1", "title": title, "text": body, "story": "s1"}) + "\n")
    db = str(tmp_path / "m.db")
    ingested = run("--db", db, "ingest", str(src))
    assert ingested.returncode == 0, ingested.stderr
    assert run("--db", db, "build").returncode == 0
    shown = run("--db", db, "show", "1")
    assert shown.returncode == 0, shown.stderr
    assert "Traceback" not in shown.stderr
    assert f"Story 1: {title}" in shown.stdout
    listed = run("--db", db, "stories")
    assert listed.returncode == 0, listed.stderr
    assert "Budget [/] vote [bold red]loud[/]" in listed.stdout
    missing = run("--db", db, "ingest", str(tmp_path / "[red]gone.jsonl"))
    assert missing.returncode == 1
    assert "[red]gone.jsonl" in missing.stderr


def test_reading_a_missing_archive_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    """A mistyped --db used to create an empty database and report an empty archive."""
    db = tmp_path / "typo.db"
    for args in (["stats"], ["stories"], ["show", "1"], ["build"], ["outlets"],
                 ["export", "articles"], ["serve", "--port", "8123"]):  # fmt: skip
        result = run("--db", str(db), *args)
        assert result.returncode == 1, (args, result.stderr)
        assert f"no archive at {db}" in result.stderr
        assert "Traceback" not in result.stderr
        assert not db.exists()
    assert run("--db", str(db), "ingest", str(SEEDS)).returncode == 0  # ingest starts one
    assert run("--db", str(db), "stats").returncode == 0
