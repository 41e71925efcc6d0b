"""The static export: the same pages as static HTML and JSON files, to publish anywhere.

    DIR/index.html, index.json              the first page of the story list
    DIR/pages/N.html, pages/N.json          the following pages
    DIR/stories/ID.html, stories/ID.json    every story page
    DIR/threads/ID.html, threads/ID.json    every thread page
    DIR/outlets.html, outlets.json          the outlet list
    DIR/outlets/ID.html, outlets/ID.json    every listed outlet (outlets/ID/N.*: more stories)
    DIR/static/                             the stylesheet and script

Links are relative, so the folder works from any web server path and from ``file://``.
Search needs a server, so the exported pages have no search box.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from newsprism.errors import ConfigError
from newsprism.models import StoryQuery
from newsprism.service import Service
from newsprism.web.render import Links, render, to_json

_AT_ROOT = Links(root="", ext=".html", static_site=True)
_ONE_DOWN = Links(root="../", ext=".html", static_site=True)
_TWO_DOWN = Links(root="../../", ext=".html", static_site=True)
_PAGE_FOLDERS = ("pages", "stories", "threads", "outlets")


@dataclass(frozen=True)
class ExportReport:
    """How many pages of each kind were written (each as .html and .json)."""

    list_pages: int
    stories: int
    threads: int
    outlets: int = 0


def export_site(service: Service, folder: Path, per_page: int = 20) -> ExportReport:
    """Write every page of the archive under ``folder`` (created if missing)."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} exists and is not a folder; name a folder to export into")
    if folder.is_dir() and any(folder.iterdir()) and not _earlier_export(folder):
        raise ConfigError(
            f"{folder} is not empty and holds no earlier export; name an empty or new folder"
        )
    for sub in _PAGE_FOLDERS:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    _copy_static(folder / "static")
    written: set[Path] = set()
    number, pages = 1, 1
    story_ids: list[int] = []
    thread_ids: set[int] = set()
    while number <= pages:
        listing = service.story_list(StoryQuery(page=number, per_page=per_page))
        pages = listing.pages
        stem = "index" if number == 1 else f"pages/{number}"
        _write(folder, stem, listing, "index.html", _AT_ROOT if number == 1 else _ONE_DOWN, written)
        story_ids.extend(s.id for s in listing.stories)
        number += 1
    for story_id in story_ids:
        page = service.story_page(story_id)
        if page is not None:
            _write(folder, f"stories/{story_id}", page, "story.html", _ONE_DOWN, written)
            if page.thread is not None:
                thread_ids.add(page.thread.id)
    for thread_id in sorted(thread_ids):
        thread = service.thread(thread_id)
        if thread is not None:
            _write(folder, f"threads/{thread_id}", thread, "thread.html", _ONE_DOWN, written)
    outlets = _export_outlets(service, folder, written)
    _remove_stale(folder, written)
    return ExportReport(
        list_pages=pages, stories=len(story_ids), threads=len(thread_ids), outlets=outlets
    )


def _export_outlets(service: Service, folder: Path, written: set[Path]) -> int:
    listing = service.outlet_list()
    _write(folder, "outlets", listing, "outlets.html", _AT_ROOT, written)
    for entry in listing.outlets:
        number, pages = 1, 1
        while number <= pages:
            page = service.outlet_page(entry.outlet.id, number)
            if page is None:
                break
            pages = page.pages
            if number == 1:
                _write(
                    folder, f"outlets/{entry.outlet.id}", page, "outlet.html", _ONE_DOWN, written
                )
            else:
                (folder / f"outlets/{entry.outlet.id}").mkdir(exist_ok=True)
                stem = f"outlets/{entry.outlet.id}/{number}"
                _write(folder, stem, page, "outlet.html", _TWO_DOWN, written)
            number += 1
    return len(listing.outlets)


def _write(
    folder: Path, stem: str, data: object, template: str, links: Links, written: set[Path]
) -> None:
    (folder / f"{stem}.html").write_text(render(template, links, page=data), encoding="utf-8")
    (folder / f"{stem}.json").write_bytes(to_json(data))
    written |= {folder / f"{stem}.html", folder / f"{stem}.json"}


def _earlier_export(folder: Path) -> bool:
    """Whether ``folder`` holds an export (its list page, twin and stylesheet), not merely
    someone's own ``index.html``."""
    return all(
        (folder / name).is_file() for name in ("index.html", "index.json", "static/style.css")
    )


def _remove_stale(folder: Path, written: set[Path]) -> None:
    """Delete the pages of an earlier export that this one did not write (stories merged
    away, list pages no longer needed); other files, such as a CNAME, are the user's."""
    for sub in _PAGE_FOLDERS:
        for path in sorted((folder / sub).rglob("*"), reverse=True):  # files before folders
            if path.suffix in {".html", ".json"} and path not in written and not path.is_dir():
                path.unlink()
            elif path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
                path.rmdir()


def _copy_static(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    source = resources.files("newsprism.web").joinpath("static")
    for entry in source.iterdir():
        if entry.is_file():
            with resources.as_file(entry) as path:
                shutil.copyfile(path, target / entry.name)
