"""The command line: a thin shell over :mod:`newsprism.service`.

Exit status 0 on success; 1 on a user error, printed as one line naming the source and the
problem (for ``ingest``: at least one item was refused, everything else was stored).

One module per group of commands; importing them registers their commands on :data:`app`, in
the order ``newsprism --help`` lists them.
"""

from newsprism.cli import archive, demo, outlets, stories  # noqa: F401  (registers commands)
from newsprism.cli.base import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``newsprism`` command."""
    app()
