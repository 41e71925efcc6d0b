"""Opening an input file safely: a regular file only, without blocking on a named pipe."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotARegularFile(OSError):
    """The path names a named pipe, a device, a socket... that is not read."""


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading in binary. Anything but a regular file raises
    :class:`NotARegularFile` naming what it is: a named pipe would block until something
    writes to it, and a device such as ``/dev/zero`` never ends. Callers read at most their cap
    (a ``/proc`` file reports size 0; a file may grow while read)."""
    # O_NONBLOCK: opening a named pipe returns at once instead of waiting for a writer
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    fh = os.fdopen(fd, "rb")
    mode = os.fstat(fh.fileno()).st_mode
    if not stat.S_ISREG(mode):
        fh.close()
        raise NotARegularFile(f"not a regular file ({_kind(mode)})")
    return fh


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"
