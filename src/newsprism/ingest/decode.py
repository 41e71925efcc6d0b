"""Reading input bytes safely: size caps, gzip, encodings, binary detection."""

from __future__ import annotations

import codecs
import gzip
import os
import zlib
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from newsprism.errors import TooLarge, UnreadableInput
from newsprism.files import NotARegularFile, open_regular

_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that never occur in text: NUL and most C0 controls (tab, newlines, form feed excepted).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 1_048_576:.1f} MiB"


def read_capped(path: Path, max_bytes: int) -> bytes:
    """Read a file (transparently gunzipping ``*.gz`` / gzip data) refusing more than the cap.

    Only regular files are read: a FIFO would block the run until something writes to it, and
    a device such as ``/dev/zero`` never ends. The cap holds on the bytes read, not only on the
    size the file system reports (``/proc`` files report 0; a file may grow while read)."""
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise TooLarge(
                    f"{path}: file is {mib(size)}, above the cap max_file_mb={mib(max_bytes)}"
                )
            head = fh.read(2)
            if head == _GZIP_MAGIC:
                fh.seek(0)
                return _gunzip_capped(fh, path, max_bytes)
            data = head + fh.read(max_bytes + 1 - len(head))
    except NotARegularFile as exc:
        raise UnreadableInput(f"{path}: {exc}; only files are read") from exc
    except OSError as exc:
        raise UnreadableInput(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise TooLarge(f"{path}: file holds more than the cap max_file_mb={mib(max_bytes)}")
    return data


def _gunzip_capped(fh: BinaryIO, path: Path, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=fh, mode="rb") as unzipped:
            while chunk := unzipped.read(1 << 20):
                total += len(chunk)
                if total > max_bytes:
                    raise TooLarge(
                        f"{path}: decompressed data exceeds the cap max_file_mb={mib(max_bytes)}"
                    )
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableInput(f"{path}: corrupt or truncated gzip data ({exc})") from exc
    return b"".join(chunks)


def looks_binary(data: bytes) -> bool:
    """True when a sample of the bytes holds NULs or control bytes that text never has."""
    sample = data[:8192]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in sample and not _looks_utf16(sample):
        return True
    controls = sum(sample.count(bytes([b])) for b in _CONTROL)
    return controls / len(sample) > 0.05


def _looks_utf16(sample: bytes) -> bool:
    """BOM-less UTF-16 text: NULs at every other position."""
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    return max(even, odd) / half > 0.3 and min(even, odd) / half < 0.05


def decode_text(data: bytes, name: str) -> str:
    """Decode bytes to text: BOM first, then UTF-8, then charset detection.

    Raises :class:`UnreadableInput` for empty, binary or undecodable data.
    """
    if not data.strip():
        raise UnreadableInput(f"{name}: empty input (no text)")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableInput(f"{name}: invalid {encoding} text: {exc}") from exc
    if looks_binary(data):
        raise UnreadableInput(f"{name}: binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise UnreadableInput(f"{name}: text encoding could not be determined")
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableInput(f"{name}: cannot decode as {best.encoding}: {exc}") from exc
