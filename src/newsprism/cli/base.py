"""What every command shares: the Typer apps, the consoles, errors, the service, progress bars."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from newsprism.config import Settings, load_settings
from newsprism.errors import FatalError
from newsprism.models import (
    IngestReport,
    ItemResult,
)
from newsprism.service import Service
from newsprism.stories.build import BuildReport

app = typer.Typer(
    name="newsprism",
    help="See every side of a story: ingest news coverage, group it into stories, compare sides.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Write stored data out as JSON Lines or CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")
outlets_app = typer.Typer(
    help="Outlets, their ratings and aggregate lean; import your own ratings.",
    invoke_without_command=True,
)
app.add_typer(outlets_app, name="outlets")

# markup and emoji codes are off: titles, outlet names and messages are data, and "[/]" or
# ":100:" in a headline must print as written, not crash, restyle the line or become a picture;
# the few styled lines escape what they interpolate
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
out = Console(highlight=False, markup=False, emoji=False)


def fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    return typer.Exit(1)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="SQLite database (default ./newsprism.db or $NEWSPRISM_DB)."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings file (default ./newsprism.toml).")
    ] = None,
) -> None:
    """Global options."""
    try:
        ctx.obj = load_settings(config_file=config, db=db)
    except FatalError as exc:
        raise fail(str(exc)) from None


@contextmanager
def open_service(ctx: typer.Context, create: bool = False, **overrides: Any) -> Iterator[Service]:
    """The service over the settings' archive. Only a command that adds to an archive
    (``create``) may start a new one: a read on a mistyped ``--db`` would otherwise make an
    empty database and report an empty archive as if all were well."""
    settings: Settings = ctx.obj.with_overrides(**overrides)
    if not create and not settings.db.exists():
        raise fail(
            f"no archive at {settings.db}: check --db or NEWSPRISM_DB (`newsprism ingest` or "
            "`newsprism demo` starts one)"
        )
    try:
        with Service(settings) as service:
            yield service
    except FatalError as exc:
        raise fail(str(exc)) from None


def ingest_with_progress(service: Service, sources: list[str], quiet: bool) -> IngestReport:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed} items"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("ingesting", total=None)

        def tick(result: ItemResult) -> None:
            progress.update(task, advance=1, description=f"ingesting {result.source[-50:]}")

        return service.ingest(sources, progress=tick)


def print_report(report: IngestReport, quiet: bool) -> None:
    for result in report.skipped:
        err.print(f"skipped: {result.reason}", soft_wrap=True)
    if not quiet:
        for warning in report.warnings[:50]:
            err.print(f"warning: {warning}", soft_wrap=True)
        if len(report.warnings) > 50:
            err.print(f"warning: ... and {len(report.warnings) - 50} more warnings")
    counts = report.summary()
    dup_note = " (nothing changed)" if counts["duplicate"] and not counts["added"] else ""
    err.print(
        f"{counts['added']} added, {counts['reprint']} reprints linked, "
        f"{counts['duplicate']} already stored{dup_note}, {counts['skipped']} skipped "
        f"in {report.seconds:.1f}s"
    )


def build_with_progress(service: Service, full: bool, quiet: bool) -> BuildReport:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("building stories (articles)", total=None)
        synth = progress.add_task("writing syntheses (stories)", total=None, visible=False)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        def tick_synth(done: int, total: int) -> None:
            progress.update(synth, completed=done, total=total, visible=True)

        return service.build(full=full, progress=tick, synthesis_progress=tick_synth)


@contextmanager
def output_stream(output: Path | None) -> Iterator[TextIO]:
    """stdout, or the file ``output``; a write that fails (disk full) is a one-line error.

    A regular file is written beside its target and moved over it once complete, with the
    target's mode, so a failed export leaves an earlier one as it was; anything else (a device,
    a pipe, a symbolic link) is written in place."""
    if output is None:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise fail(f"standard output: cannot write ({exc.strerror})") from None
        return
    try:
        in_place = output.is_symlink() or (output.exists() and not output.is_file())
        target = output
        if in_place:
            stream = output.open("w", encoding="utf-8", newline="")
        else:
            target = output.with_name(f".{output.name[:200]}.{os.getpid()}.partial")
            # O_EXCL on a fresh name, 0o666 less the umask as for any new file; an earlier
            # file's own mode is kept
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
            if output.exists():
                target.chmod(output.stat().st_mode & 0o7777)
    except OSError as exc:
        raise fail(f"{output}: cannot write ({exc.strerror})") from None
    try:
        with stream:
            yield stream
        if not in_place:
            target.replace(output)
    except OSError as exc:
        raise fail(f"{output}: cannot write ({exc.strerror})") from None
    finally:
        if not in_place:
            target.unlink(missing_ok=True)


def sides_text(sides: dict[str, int]) -> str:
    return ", ".join(f"{n} {side}" for side, n in sides.items() if n)
