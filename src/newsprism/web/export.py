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

Nothing is written through a symbolic link inside DIR (DIR itself may be one: the user named
it). Each folder under DIR is opened relative to its parent without following a link, so a
planted link (``stories`` -> elsewhere) is refused with a ConfigError, and the refusal cannot
be raced by swapping a folder for a link during the export. Each file is written beside its
target and moved over it, which replaces a link (``index.html`` -> ~/.bashrc) or a hard link
rather than writing into what it points to. A linked folder is refused rather than replaced:
it may be the user's own arrangement, which the export should not delete.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from contextlib import suppress
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
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


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
    folder.mkdir(parents=True, exist_ok=True)
    with _Site(folder) as site:
        report = _export(service, site, per_page)
        site.remove_stale()
    return report


def _export(service: Service, site: _Site, per_page: int) -> ExportReport:
    _copy_static(site)
    number, pages = 1, 1
    story_ids: list[int] = []
    thread_ids: set[int] = set()
    while number <= pages:
        listing = service.story_list(StoryQuery(page=number, per_page=per_page))
        pages = listing.pages
        stem = "index" if number == 1 else f"pages/{number}"
        site.page(stem, listing, "index.html", _AT_ROOT if number == 1 else _ONE_DOWN)
        story_ids.extend(s.id for s in listing.stories)
        number += 1
    for story_id in story_ids:
        page = service.story_page(story_id)
        if page is not None:
            site.page(f"stories/{story_id}", page, "story.html", _ONE_DOWN)
            if page.thread is not None:
                thread_ids.add(page.thread.id)
    for thread_id in sorted(thread_ids):
        thread = service.thread(thread_id)
        if thread is not None:
            site.page(f"threads/{thread_id}", thread, "thread.html", _ONE_DOWN)
    outlets = _export_outlets(service, site)
    return ExportReport(
        list_pages=pages, stories=len(story_ids), threads=len(thread_ids), outlets=outlets
    )


def _export_outlets(service: Service, site: _Site) -> int:
    listing = service.outlet_list()
    site.page("outlets", listing, "outlets.html", _AT_ROOT)
    for entry in listing.outlets:
        number, pages = 1, 1
        while number <= pages:
            page = service.outlet_page(entry.outlet.id, number)
            if page is None:
                break
            pages = page.pages
            if number == 1:
                site.page(f"outlets/{entry.outlet.id}", page, "outlet.html", _ONE_DOWN)
            else:
                stem = f"outlets/{entry.outlet.id}/{number}"
                site.page(stem, page, "outlet.html", _TWO_DOWN)
            number += 1
    return len(listing.outlets)


def _earlier_export(folder: Path) -> bool:
    """Whether ``folder`` holds an export (its list page, twin and stylesheet), not merely
    someone's own ``index.html``."""
    return all(
        (folder / name).is_file() for name in ("index.html", "index.json", "static/style.css")
    )


def _copy_static(site: _Site) -> None:
    source = resources.files("newsprism.web").joinpath("static")
    for entry in source.iterdir():
        if entry.is_file():
            site.write(f"static/{entry.name}", entry.read_bytes())


class _Site:
    """The export folder, open for writing: its page folders and ``static`` are opened (and
    made) at the start, so a linked one is refused before anything is written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: set[str] = set()  # paths relative to the folder, with "/"
        self._fds: dict[str, int] = {"": os.open(folder, _FOLDER)}
        try:
            for sub in (*_PAGE_FOLDERS, "static"):
                self._fds[sub] = _open_folder(self._fds[""], sub, folder / sub)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> _Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def page(self, stem: str, data: object, template: str, links: Links) -> None:
        """One page and its JSON twin."""
        self.write(f"{stem}.html", render(template, links, page=data).encode("utf-8"))
        self.write(f"{stem}.json", to_json(data))

    def write(self, path: str, data: bytes) -> None:
        *folders, name = path.split("/")
        top = "/".join(folders[:1])
        opened: list[int] = []
        try:
            fd = self._fds[top]
            for depth, sub in enumerate(folders[1:], start=2):
                fd = _open_folder(fd, sub, self.folder.joinpath(*folders[:depth]))
                opened.append(fd)
            _replace(fd, name, data)
        finally:
            for fd in opened:
                os.close(fd)
        self.written.add(path)

    def remove_stale(self) -> None:
        """Delete the pages of an earlier export that this one did not write (stories merged
        away, list pages no longer needed), and folders left empty; other files, such as a
        CNAME, are the user's. Links are deleted, never followed."""
        for sub in _PAGE_FOLDERS:
            self._prune(self._fds[sub], sub)

    def _prune(self, fd: int, where: str) -> bool:
        """Prune the folder open as ``fd``; whether it is empty afterwards."""
        with os.scandir(fd) as scan:
            entries = list(scan)
        left = len(entries)
        for entry in entries:
            path = f"{where}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                child = os.open(entry.name, _FOLDER | os.O_NOFOLLOW, dir_fd=fd)
                try:
                    empty = self._prune(child, path)
                finally:
                    os.close(child)
                if empty:
                    os.rmdir(entry.name, dir_fd=fd)
                    left -= 1
            elif entry.name.endswith((".html", ".json")) and path not in self.written:
                os.unlink(entry.name, dir_fd=fd)
                left -= 1
        return left == 0


def _open_folder(parent: int, name: str, shown: Path) -> int:
    """The folder ``name`` in the folder open as ``parent`` (made if missing), opened without
    following a link; a link or a file there is a ConfigError naming it."""
    with suppress(FileExistsError):
        os.mkdir(name, dir_fd=parent)
    try:
        return os.open(name, _FOLDER | os.O_NOFOLLOW, dir_fd=parent)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
    if stat.S_ISLNK(os.lstat(name, dir_fd=parent).st_mode):
        raise ConfigError(
            f"{shown} is a symbolic link; the export writes through no link inside the folder: "
            "remove the link (or export into another folder)"
        )
    raise ConfigError(f"{shown} is not a folder; the export needs a folder there: remove it")


def _replace(folder: int, name: str, data: bytes) -> None:
    """Write ``name`` in the folder open as ``folder``: a new file beside it, moved over it."""
    temp = f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temp, _NEW_FILE, 0o666, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=folder)
        raise
