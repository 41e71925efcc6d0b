"""The static export never writes through a symbolic link planted inside its folder, and the
JSON twins of paged lists (story list, outlet page) carry their number of pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsprism.config import Settings
from newsprism.errors import ConfigError
from newsprism.service import Service
from newsprism.web import create_app
from newsprism.web.export import export_site
from tests.web_fixture import N_STORIES, build_archive

pytestmark = pytest.mark.slow  # story pages load the sentence encoder for the synthesis


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_archive(tmp_path_factory.mktemp("safety") / "web.db")


@pytest.fixture(scope="module")
def client(archive: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(archive)) as c:
        yield c


def _empty_archive(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "e.db", host_delay_s=0, http_backoff_s=0)


def _outlet_id(client: TestClient, name: str) -> int:
    for entry in client.get("/outlets.json").json()["outlets"]:
        if name in entry["outlet"]["name"]:
            return int(entry["outlet"]["id"])
    raise AssertionError(name)


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _written(folder: Path) -> dict[str, tuple[int, int]]:
    """Each entry's inode and time of change: a page written again differs."""
    return {
        str(p.relative_to(folder)): (p.lstat().st_ino, p.lstat().st_mtime_ns)
        for p in folder.rglob("*")
    }


# --- links planted in an earlier export -----------------------------------------------------
@pytest.fixture
def earlier(tmp_path: Path) -> tuple[Settings, Path]:
    """An empty archive and a folder holding its export."""
    settings = _empty_archive(tmp_path)
    site = tmp_path / "site"
    with Service(settings) as svc:
        export_site(svc, site)
    return settings, site


@pytest.mark.parametrize("name", ["index.html", "index.json", "outlets.json", "static/style.css"])
def test_a_linked_file_is_replaced_and_what_it_points_to_kept(
    earlier: tuple[Settings, Path], tmp_path: Path, name: str
) -> None:
    settings, site = earlier
    outside = tmp_path / "bashrc"
    outside.write_text("export PATH=$HOME/bin:$PATH\n", encoding="utf-8")
    (site / name).unlink()
    (site / name).symlink_to(outside)
    with Service(settings) as svc:
        export_site(svc, site)
    assert outside.read_text(encoding="utf-8") == "export PATH=$HOME/bin:$PATH\n"
    assert not (site / name).is_symlink() and (site / name).stat().st_size > 0
    assert [p.name for p in site.rglob("*.tmp")] == []


def test_a_hard_linked_page_is_replaced_and_the_other_name_kept(
    earlier: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, site = earlier
    outside = tmp_path / "notes.txt"
    outside.write_text("mine", encoding="utf-8")
    (site / "index.html").unlink()
    (site / "index.html").hardlink_to(outside)
    with Service(settings) as svc:
        export_site(svc, site)
    assert outside.read_text(encoding="utf-8") == "mine"
    assert "<html" in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["pages", "stories", "threads", "outlets", "static"])
def test_a_linked_folder_is_refused_and_left_alone(
    earlier: tuple[Settings, Path], tmp_path: Path, name: str
) -> None:
    settings, site = earlier
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "style.css").write_text("body {}", encoding="utf-8")
    (outside / "7.html").write_text("keep me", encoding="utf-8")  # a stale page, were it ours
    for path in (site / name).iterdir():
        path.unlink()
    (site / name).rmdir()
    (site / name).symlink_to(outside, target_is_directory=True)
    before = _written(site)
    with Service(settings) as svc, pytest.raises(ConfigError) as refused:
        export_site(svc, site)
    assert str(site / name) in str(refused.value) and "symbolic link" in str(refused.value)
    assert _files(outside) == {"style.css": "body {}", "7.html": "keep me"}
    assert (site / name).is_symlink()
    assert _written(site) == before  # refused before any page was written


def test_a_dangling_link_or_a_file_in_place_of_a_folder_is_refused(
    earlier: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, site = earlier
    (site / "stories").rmdir()
    (site / "stories").symlink_to(tmp_path / "not-yet", target_is_directory=True)
    (site / "threads").rmdir()
    (site / "threads").write_text("a file", encoding="utf-8")
    with Service(settings) as svc, pytest.raises(ConfigError, match="symbolic link"):
        export_site(svc, site)
    assert not (tmp_path / "not-yet").exists()
    (site / "stories").unlink()
    with Service(settings) as svc, pytest.raises(ConfigError, match="threads is not a folder"):
        export_site(svc, site)
    assert (site / "threads").read_text(encoding="utf-8") == "a file"


def test_a_linked_outlet_folder_is_refused(
    archive: Settings, client: TestClient, tmp_path: Path
) -> None:
    site, outside = tmp_path / "site", tmp_path / "elsewhere"
    outside.mkdir()
    nyt = _outlet_id(client, "New York Times")  # 24 stories: two pages, so outlets/ID/2.*
    with Service(archive) as svc:
        export_site(svc, site)
        for path in (site / f"outlets/{nyt}").iterdir():
            path.unlink()
        (site / f"outlets/{nyt}").rmdir()
        (site / f"outlets/{nyt}").symlink_to(outside, target_is_directory=True)
        with pytest.raises(ConfigError, match=f"outlets/{nyt} is a symbolic link"):
            export_site(svc, site)
    assert list(outside.iterdir()) == []


def test_stale_page_cleanup_deletes_links_not_what_they_point_to(
    earlier: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, site = earlier
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "7.html").write_text("keep me", encoding="utf-8")
    (site / "stories/7.html").symlink_to(outside / "7.html")  # a stale page's name
    (site / "outlets/5").symlink_to(outside, target_is_directory=True)  # not ours: kept
    with Service(settings) as svc:
        export_site(svc, site)
    assert not (site / "stories/7.html").is_symlink() and not (site / "stories/7.html").exists()
    assert (site / "outlets/5").is_symlink()
    assert (outside / "7.html").read_text(encoding="utf-8") == "keep me"


# --- the number of pages in the JSON twins --------------------------------------------------
def test_story_list_twin_has_the_number_of_pages(client: TestClient) -> None:
    assert client.get("/index.json").json()["pages"] == 2  # 25 stories, 20 a page
    for per_page, pages in ((10, 3), (25, 1), (100, 1), (1, N_STORIES)):
        data = client.get(f"/index.json?per_page={per_page}").json()
        assert (data["pages"], data["total"], data["query"]["per_page"]) == (
            pages, N_STORIES, per_page
        )  # fmt: skip
        accept = client.get(f"/?per_page={per_page}", headers={"accept": "application/json"})
        assert accept.json() == data
    filtered = client.get("/index.json?side=right&per_page=5").json()
    assert filtered["pages"] == -(-filtered["total"] // 5) and filtered["total"] < N_STORIES
    last = client.get("/index.json?per_page=10&page=3").json()
    assert (last["pages"], last["query"]["page"], len(last["stories"])) == (3, 3, 5)


def test_outlet_twin_has_the_number_of_pages(client: TestClient) -> None:
    nyt, fox = _outlet_id(client, "New York Times"), _outlet_id(client, "Fox News")
    for page in (1, 2):
        data = client.get(f"/outlets/{nyt}.json?page={page}").json()
        assert (data["pages"], data["page"], data["per_page"], data["total_stories"]) == (
            2, page, 20, 24
        )  # fmt: skip
        accept = client.get(f"/outlets/{nyt}?page={page}", headers={"accept": "application/json"})
        assert accept.json() == data
    assert client.get(f"/outlets/{fox}.json").json()["pages"] == 1


def test_openapi_lists_pages_in_both_twins(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for kind in ("StoryListPage", "OutletPage"):
        assert schemas[kind]["properties"]["pages"]["type"] == "integer"


def test_exported_twins_have_the_number_of_pages(
    archive: Settings, client: TestClient, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with Service(archive) as svc:
        export_site(svc, site, per_page=10)
    for stem in ("index", "pages/2", "pages/3"):
        assert json.loads((site / f"{stem}.json").read_text(encoding="utf-8"))["pages"] == 3
    nyt = _outlet_id(client, "New York Times")
    for stem in (f"outlets/{nyt}", f"outlets/{nyt}/2"):
        assert json.loads((site / f"{stem}.json").read_text(encoding="utf-8"))["pages"] == 2
    assert json.loads((site / "index.json").read_text(encoding="utf-8")) == (
        client.get("/index.json?per_page=10").json()
    )
