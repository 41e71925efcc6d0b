"""Broken, hostile and huge input to the command line, the configuration, the static export
and search: a one-line error (exit status 1, no traceback) and nothing lost or corrupted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from newsprism.config import Settings, load_settings
from newsprism.errors import ConfigError
from newsprism.service import Service
from newsprism.web.export import export_site
from tests.conftest import REPO


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    full.pop("NEWSPRISM_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "newsprism", *args],
        capture_output=True, text=True, cwd=REPO, env=full, timeout=60, check=False,
    )  # fmt: skip


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr


def write_records(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --- command line ------------------------------------------------------------------------
def test_show_an_id_too_large_for_sqlite_says_it_does_not_exist(tmp_path: Path) -> None:
    from newsprism.store import open_store

    open_store(tmp_path / "t.db").close()  # an archive, so that the id itself is what fails
    result = run("--db", str(tmp_path / "t.db"), "show", str(2**70))
    assert_one_line_error(result, f"story {2**70} does not exist")


def test_emoji_codes_in_data_print_as_written(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    source = write_records(
        tmp_path / "a.jsonl",
        [{"id": "e1", "title": "Turnout hit :100: in range:A:B", "text": "Turnout was high."}],
    )
    assert run("--db", db, "ingest", "-q", str(source)).returncode == 0
    exported = run("--db", db, "export", "articles", "-f", "csv")
    assert "Turnout hit :100: in range:A:B" in exported.stdout
    ratings = tmp_path / "r.csv"
    ratings.write_text("domain,value\nexample.com,left\n", encoding="utf-8")
    bad_scale = run("--db", db, "outlets", "import", str(ratings), "--source", "x",
                    "--scale", "range:1:1")  # fmt: skip
    assert "range:A:B" in bad_scale.stderr and "\U0001f170" not in bad_scale.stderr


@pytest.mark.parametrize(
    ("command", "expected"), [(["articles"], '"id": "f1"'), (["stories"], "[]")]
)
def test_export_to_a_full_disk_is_one_line_and_keeps_the_earlier_file(
    tmp_path: Path, command: list[str], expected: str
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    db = str(tmp_path / "t.db")
    source = write_records(tmp_path / "a.jsonl", [{"id": "f1", "text": "A story to export."}])
    assert run("--db", db, "ingest", "-q", str(source)).returncode == 0
    result = run("--db", db, "export", *command, "-o", "/dev/full")
    assert_one_line_error(result, "/dev/full: cannot write (No space left on device)")
    earlier = tmp_path / "out.json"
    earlier.write_text("earlier export", encoding="utf-8")
    earlier.chmod(0o640)
    assert run("--db", db, "export", *command, "-o", str(earlier)).returncode == 0
    assert expected in earlier.read_text(encoding="utf-8")
    assert (earlier.stat().st_mode & 0o777) == 0o640  # replaced, its mode kept
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_a_config_that_is_a_device_or_a_pipe_is_refused_at_once(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_settings(env={}, config_file=Path("/dev/zero"))
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            load_settings(env={}, config_file=fifo)
        except ConfigError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the reader so the test process can end
        with fifo.open("w") as fh:
            fh.write("")
        pytest.fail("reading a named pipe as the configuration blocked")
    assert outcome and "not a regular file" in str(outcome[0])


def test_a_huge_config_file_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "huge.toml"
    with toml.open("w", encoding="utf-8") as fh:
        fh.write("# " + "x" * (2 << 20) + "\n")
    with pytest.raises(ConfigError, match="larger than"):
        load_settings(env={}, config_file=toml)


@pytest.mark.parametrize(
    "nesting", ["a = " + "[" * 5000 + "]" * 5000, "a = {" + "b={" * 5000 + "}" * 5001]
)
def test_a_deeply_nested_config_is_refused(tmp_path: Path, nesting: str) -> None:
    toml = tmp_path / "deep.toml"
    toml.write_text(nesting + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot read configuration file .*nested too deeply"):
        load_settings(env={}, config_file=toml)


# --- configuration -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("newsprism = 1", "[newsprism] must be a table"),
        ('story_encoder = ["static"]', "story_encoder=['static'] is not a valid str"),
        ("synthesizer = {a = 1}", "is not a valid str"),
        ('db = ["a.db"]', "db=['a.db'] is not a valid file name"),
        ("db = 5", "db=5 is not a valid file name"),
        ('db = ""', "db='' is not a valid file name"),
        ("[newsprism]\n[newsprism.db]", "is not a valid file name"),
        ("summary_words = 1e999", "summary_words=inf is not a valid int"),
        ("max_article_chars = 3.7", "max_article_chars=3.7 is not a valid int"),
        ("max_article_chars = true", "max_article_chars=True is not a valid int"),
        ("max_file_mb = nan", "max_file_mb=nan is not a valid float"),
        ("max_file_mb = inf", "max_file_mb=inf is not a valid float"),
        ("max_file_mb = 1e300", "max_file_mb=1e+300 must be at most"),
        ("http_retries = 99999999999999999999", "http_retries=99999999999999999999 must be"),
        ("torch_threads = -4", "torch_threads=-4 must be"),
        ("rating_sources_off = [1, {x = 1}]", "is not a valid list of names"),
        ("respect_robots = 1", "respect_robots=1 is not a valid true/false"),
        ("max_file_mb = 5\n[newsprism]\nrespect_robots = false", "outside [newsprism]"),
    ],
)
def test_toml_values_of_the_wrong_type_name_the_setting(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "n.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, config_file=path)
    assert message in str(caught.value)


def test_whole_number_floats_are_taken_for_counts(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text("max_article_chars = 1e3\nhttp_timeout_s = 5\n", encoding="utf-8")
    s = load_settings(env={}, config_file=path)
    assert s.max_article_chars == 1000 and isinstance(s.max_article_chars, int)
    assert s.http_timeout_s == 5.0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NEWSPRISM_MAX_FILE_MB": "nan"}, "NEWSPRISM_MAX_FILE_MB='nan' is not a valid float"),
        ({"NEWSPRISM_HTTP_TIMEOUT_S": "inf"}, "NEWSPRISM_HTTP_TIMEOUT_S='inf' is not a valid"),
        ({"NEWSPRISM_HOST_DELAY_S": "1e999"}, "NEWSPRISM_HOST_DELAY_S='1e999' is not a valid"),
        ({"NEWSPRISM_HTTP_RETRIES": "-1"}, "http_retries, host_delay_s and http_backoff_s"),
        ({"NEWSPRISM_DB": ""}, "NEWSPRISM_DB='' is not a valid file name"),
        ({"NEWSPRISM_SUMMARY_WORDS": ""}, "NEWSPRISM_SUMMARY_WORDS='' is not a valid int"),
    ],
)
def test_garbage_in_the_environment_names_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env=env)
    assert message in str(caught.value)


def test_a_broken_config_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text("newsprism = 1\n", encoding="utf-8")
    result = run("--config", str(path), "--db", str(tmp_path / "t.db"), "stats")
    assert_one_line_error(result, "[newsprism] must be a table")
    assert not (tmp_path / "t.db").exists()


# --- static export -----------------------------------------------------------------------
def _empty_archive(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "e.db", host_delay_s=0, http_backoff_s=0)


def test_export_of_an_empty_archive_then_stale_pages_are_removed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with Service(_empty_archive(tmp_path)) as svc:
        report = export_site(svc, site)
        assert (report.stories, report.list_pages) == (0, 1)
        assert json.loads((site / "index.json").read_text(encoding="utf-8"))["stories"] == []
        # pages of an earlier export whose stories have since been merged away
        for stale in ("stories/7.html", "stories/7.json", "pages/2.html", "threads/3.json",
                      "outlets/5.html", "outlets/5/2.json"):  # fmt: skip
            (site / stale).parent.mkdir(parents=True, exist_ok=True)
            (site / stale).write_text("stale", encoding="utf-8")
        (site / "CNAME").write_text("news.example.org", encoding="utf-8")  # the user's own
        export_site(svc, site)
    left = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    assert left == ["CNAME", "index.html", "index.json", "outlets.html", "outlets.json",
                    "static/app.js", "static/style.css"]  # fmt: skip


def test_export_refuses_a_folder_whose_index_html_is_not_an_export(tmp_path: Path) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "index.html").write_text("<h1>my own home page</h1>", encoding="utf-8")
    with Service(_empty_archive(tmp_path)) as svc, pytest.raises(ConfigError, match="not empty"):
        export_site(svc, www)
    assert (www / "index.html").read_text(encoding="utf-8") == "<h1>my own home page</h1>"
    assert [p.name for p in www.iterdir()] == ["index.html"]


def test_export_through_a_symlinked_folder_and_twice(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    with Service(_empty_archive(tmp_path)) as svc:
        export_site(svc, link)
        export_site(svc, link)
    assert link.is_symlink() and (real / "index.html").is_file()


# --- search ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("search")
    settings = _empty_archive(folder)
    source = write_records(
        folder / "a.jsonl",
        [
            {"id": "h1", "title": "Harbour bridge closed", "text": "The harbour bridge shut."},
            {"id": "h2", "title": "Title of a budget", "text": "The council budget passed."},
        ],
    )
    with Service(settings) as svc:
        assert not svc.ingest([str(source)]).skipped
    return settings


@pytest.mark.parametrize(
    ("query", "expected"),
    [('"', []), ("AND", []), ("OR NOT", []), ("NEAR(", []), ("*", []), ("harb*", []),
     ("^harbour", ["h1"]), ("title:budget", ["h2"]), ("((harbour", ["h1"]),
     ("harbour))", ["h1"]), ('"harbour', ["h1"]), ("\x00harbour", ["h1"]), ("😀", []),
     ("the", ["h1", "h2"]), ("the of and", []), ("_", []), ("²", []), ("a\u200bb", []),
     ("x" * 200, []), ("harbour bridge", ["h1"]), ("HARBOUR", ["h1"])],
)  # fmt: skip
def test_search_takes_fts5_syntax_as_words(
    searchable: Settings, query: str, expected: list[str]
) -> None:
    with Service(searchable) as svc:
        results = svc.search(query)
    assert sorted(h.article_id for g in results.groups for h in g.hits) == expected
    assert results.total_articles == len(expected)


def test_search_over_the_length_limit_is_a_request_error(searchable: Settings) -> None:
    from newsprism.errors import RequestError

    with Service(searchable) as svc, pytest.raises(RequestError, match="limit is 200"):
        svc.search("x" * 10_000)
