"""Read a text file whatever its encoding, or say clearly why it cannot be read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from searchclip.errors import ClippingError

# Encodings a decade of clippings is found in besides UTF-8; others are refused, not guessed.
_ACCEPTED_LEGACY = {
    "cp949",
    "euc_kr",
    "johab",
    "shift_jis",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "utf_16",
    "utf_32",
}
_BINARY_PROBE = 8192


def read_text(file: Path, max_bytes: int | None = None) -> str:
    """Decoded text with "\\n" newlines; ClippingError for binary or undecodable files."""
    return decode_text(read_bytes(file, max_bytes), str(file))[0]


def read_bytes(file: Path, max_bytes: int | None = None) -> bytes:
    """The file's bytes, never more than `max_bytes` of them whatever `stat` says (a file may grow,
    `/dev/zero` has no end); only regular files, opened without blocking (a FIFO named `x.md`
    would wait for a writer forever)."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ClippingError(str(file), exc.strerror or str(exc)) from exc
    try:
        info = os.fstat(fd)
        kind = stat.S_IFMT(info.st_mode)
        if kind != stat.S_IFREG:
            raise ClippingError(str(file), f"not a regular file ({_KINDS.get(kind, 'special file')})")
        if max_bytes is not None and info.st_size > max_bytes:
            raise ClippingError(
                str(file), f"{_size(info.st_size)} is over the {_mb(max_bytes)} limit (--max-file-size)"
            )
        return _read_at_most(fd, file, max_bytes)
    except OSError as exc:
        raise ClippingError(str(file), exc.strerror or str(exc)) from exc
    finally:
        os.close(fd)


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


def _read_at_most(fd: int, file: Path, max_bytes: int | None) -> bytes:
    limit = max_bytes if max_bytes is not None else -1
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if limit >= 0 and total > limit:
            raise ClippingError(str(file), f"grew past the {_mb(limit)} limit while being read (--max-file-size)")


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e6:g} MB"


def _mb(limit: int) -> str:
    return f"{limit / 1e6:.0f} MB" if limit >= 1e6 else f"{limit / 1e6:g} MB"


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text with "\\n" newlines, and the encoding it was read in."""
    text, encoding = decode(data, name)
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        try:
            return data.decode("utf-32"), "utf_32"
        except UnicodeDecodeError as exc:
            raise ClippingError(name, f"starts like UTF-32 but does not decode: {exc.reason}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf_16"
        except UnicodeDecodeError as exc:
            raise ClippingError(name, f"starts like UTF-16 but does not decode: {exc.reason}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # NUL bytes never occur in text a person wrote, though they are valid UTF-8: grep's rule.
    if b"\x00" in data[:_BINARY_PROBE]:
        raise ClippingError(name, "binary file, not text")
    try:
        return data.decode("utf-8"), "utf_8"
    except UnicodeDecodeError:
        return _decode_legacy(data, name)


def _decode_legacy(data: bytes, name: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    encoding = best.encoding if best is not None else None
    if encoding is None or encoding.lower() not in _ACCEPTED_LEGACY:
        raise ClippingError(name, f"not UTF-8 and not a recognised Korean or Japanese encoding ({encoding})")
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise ClippingError(name, f"looks like {encoding} but does not decode: {exc.reason}") from exc
