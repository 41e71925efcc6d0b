"""The bundled demo and the web server: ``demo``, ``serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from newsprism.cli.base import (
    app,
    build_with_progress,
    fail,
    ingest_with_progress,
    open_service,
    out,
    print_report,
)
from newsprism.config import Settings
from newsprism.errors import FatalError
from newsprism.models import (
    Article,
    Story,
    Thread,
)
from newsprism.stories.build import BuildReport
from newsprism.synthesis.render import as_text as synthesis_text


def _demo_corpus() -> Path:
    here = Path(__file__).resolve()
    for base in (Path.cwd(), *here.parents):
        candidate = base / "examples" / "seeds"
        if candidate.is_dir():
            return candidate
    raise FatalError("the bundled corpus examples/seeds was not found; run from the repository")


@app.command()
def demo(
    ctx: typer.Context,
    corpus: Annotated[
        Path | None, typer.Option(help="Folder to ingest (default examples/seeds).")
    ] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Stop after the summary (for scripts).")
    ] = False,
    port: Annotated[int, typer.Option(help="Port to serve the demo on.")] = 8000,
) -> None:
    """Try it on the bundled sample corpus: ingest, build, show, then serve.

    The corpus goes into a fresh database; the web app is served on http://127.0.0.1:PORT
    unless --no-serve is given.
    """
    settings: Settings = ctx.obj
    if settings.db == Settings().db:
        settings = settings.with_overrides(db=Path("newsprism-demo.db"))
    try:
        folder = corpus or _demo_corpus()
    except FatalError as exc:
        raise fail(str(exc)) from None
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.db}{suffix}").unlink(missing_ok=True)
    ctx.obj = settings
    with open_service(ctx, create=True) as service:
        report = ingest_with_progress(service, [str(folder)], quiet=False)
        articles = list(service.articles())
        built = build_with_progress(service, full=False, quiet=False)
        found = [service.story(st.id) for st in service.stories()]
        threads = service.threads()
        largest = max(
            (st for st in found if st is not None), key=lambda st: st.n_articles, default=None
        )
        synthesis = service.story_synthesis(largest.id) if largest is not None else None
    print_report(report, quiet=False)
    _print_demo_table(articles)
    _print_demo_stories([st for st in found if st is not None], threads, built)
    if synthesis is not None and largest is not None:
        out.print(f"[bold]Story {largest.id}[/]: {escape(largest.title or '')}", markup=True)
        by_id = {sa.article.id: sa.article for sa in largest.articles}
        for line in synthesis_text(synthesis, by_id):
            out.print(line, markup=False, highlight=False)
    out.print(f"database: {settings.db}")
    if not no_serve:
        _serve(settings, "127.0.0.1", port, token=None, max_body_mb=10.0)


def _print_demo_table(articles: list[Article]) -> None:
    table = Table(title="Sample corpus", show_lines=True)
    table.add_column("source")
    table.add_column("title")
    table.add_column("date (how found)")
    table.add_column("outlet (how found)")
    for a in articles:
        date = "unknown"
        if a.published:
            how = a.provenance.get("published")
            date = a.published.date().isoformat() + (
                f"\n({how.method}, {how.confidence:.2f})" if how else ""
            )
        outlet = "unknown"
        if a.outlet_name:
            how = a.provenance.get("outlet")
            outlet = a.outlet_name + (f"\n({how.method}, {how.confidence:.2f})" if how else "")
        table.add_row(Path(a.source_ref).name, a.title or "(no title)", date, outlet)
    out.print(table)


def _print_demo_stories(found: list[Story], threads: list[Thread], built: BuildReport) -> None:
    table = Table(title=f"Stories ({built.articles} articles built in {built.seconds:.1f}s)")
    for column in ("story", "dates", "thread", "title", "articles"):
        table.add_column(column)
    for st in found:
        names = "\n".join(Path(sa.article.source_ref).name[:3] for sa in st.articles)
        table.add_row(
            str(st.id), f"{st.first_seen or 'undated'}\n{st.last_seen or ''}",
            str(st.thread_id or "-"), st.title or "", names,
        )  # fmt: skip
    out.print(table)
    for th in threads:
        line = " → ".join(f"{s.first_seen or 'undated'} story {s.id}" for s in th.stories)
        out.print(f"thread {th.id} ({th.title}): {line}")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_writes: Annotated[
        bool, typer.Option("--allow-writes", help="Accept POST /api/articles (needs --token).")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="NEWSPRISM_TOKEN",
            help="Bearer token for writes (16+ characters).",
            show_default=False,
        ),
    ] = None,
    max_body_mb: Annotated[float, typer.Option(help="Largest request body, in MiB.")] = 10.0,
) -> None:
    """Serve the web app: story list, story pages, outlets, threads, search, JSON twins."""
    if allow_writes and not token:
        raise fail("--allow-writes needs --token TOKEN (or NEWSPRISM_TOKEN) of 16+ characters")
    if not 0 < port < 65536:
        raise fail(f"--port {port} is not a port; use 1 to 65535")
    if not 0 < max_body_mb <= 1024:
        raise fail(f"--max-body-mb {max_body_mb} is out of range; use more than 0, up to 1024")
    if not allow_writes:
        with open_service(ctx):  # read-only: the archive must exist (a mistyped --db)
            pass
    _serve(ctx.obj, host, port, token if allow_writes else None, max_body_mb)


def _serve(settings: Settings, host: str, port: int, token: str | None, max_body_mb: float) -> None:
    import uvicorn

    from newsprism.web import create_app

    try:
        web = create_app(settings, token=token, max_body_bytes=int(max_body_mb * 1_048_576))
    except FatalError as exc:
        raise fail(str(exc)) from None
    shown = f"[{host}]" if ":" in host else host
    mode = "accepting POST /api/articles with the token" if token else "read-only"
    out.print(f"serving {settings.db} on http://{shown}:{port}/ ({mode}); Ctrl-C stops")
    uvicorn.run(web, host=host, port=port, log_level="warning", server_header=False)
