"""A source folder is a jail: what the loader reads of it, and how.

Every file a source folder names (its Turtle, text and tables, ``mapping.toml`` and the files it names,
anything under ``mapping/``) must be a regular file inside the folder:

- :func:`check_tree` looks at every entry below a folder, at any depth, with ``lstat`` (never following
  or opening anything): a symbolic link, FIFO, socket or device is refused, and so is a file larger than
  :data:`MAX_FILE_BYTES`, a tree deeper than :data:`MAX_DEPTH` or with more than :data:`MAX_ENTRIES`
  entries;
- :func:`inside` checks a path a folder's files name (``mapping.toml``'s ``file``): relative, no NUL,
  no ``..`` leaving the folder;
- :func:`read_inside` opens such a path one component at a time from the folder, each with
  ``O_NOFOLLOW`` (a link put in place after the check is refused, never followed), the file without
  blocking (a FIFO is never waited on), checks it is a regular file no larger than the cap, and reads
  at most the cap;
- :func:`gunzip` decompresses at most :data:`MAX_TABLE_BYTES` (a gzip bomb stops there).

Each refusal is one :class:`~kg.errors.InputError` naming the file and the cap.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import posixpath
import stat
import zlib
from pathlib import Path

from kg.errors import InputError

#: The largest file a source folder may hold (on disk).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: The most bytes a gzipped table may decompress to.
MAX_TABLE_BYTES = 256 * 1024 * 1024
#: The deepest a source folder's tree may go (``mapping/`` is depth 1).
MAX_DEPTH = 8
#: The most entries (files and folders) a source folder may hold, at every depth together.
MAX_ENTRIES = 10_000

_KINDS = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket",
          stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = _FLAGS | getattr(os, "O_DIRECTORY", 0)


def size_text(size: int) -> str:
    """A size in bytes as people read it (``256 MiB``, ``2.0 GiB``)."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def refuse_kind(mode: int, path: Path | str) -> None:
    """Refuse anything that is neither a regular file nor a folder (a ``lstat`` mode).

    Raises:
        InputError: Naming the entry and what it is.
    """
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        what = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise InputError(f"{what} in sources/ is refused: sources hold regular files only", path=path)


def _too_large(path: Path | str, size: int, cap: int = MAX_FILE_BYTES) -> InputError:
    return InputError(f"{size_text(size)} is over the cap of {size_text(cap)} for a file in sources/",
                      path=path)


def check_tree(folder: Path) -> None:
    """Look at every entry below ``folder`` (``lstat`` only) and refuse what a source may not hold.

    Raises:
        InputError: A symbolic link, FIFO, socket or device at any depth; a file over
            :data:`MAX_FILE_BYTES`; a tree deeper than :data:`MAX_DEPTH` or with more than
            :data:`MAX_ENTRIES` entries.
    """
    pending: list[tuple[Path, int]] = [(folder, 0)]
    seen = 0
    while pending:
        here, depth = pending.pop()
        try:
            with os.scandir(here) as entries:
                found = list(entries)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=here) from None
        seen += len(found)
        if seen > MAX_ENTRIES:
            raise InputError(f"holds more than {MAX_ENTRIES:,} files and folders (the cap for a source folder)",
                             path=folder)
        for entry in sorted(found, key=lambda e: e.name):
            info = entry.stat(follow_symlinks=False)
            refuse_kind(info.st_mode, entry.path)
            if stat.S_ISDIR(info.st_mode):
                if depth + 1 > MAX_DEPTH:
                    raise InputError(f"folders nested more than {MAX_DEPTH} deep (the cap for a source folder)",
                                     path=entry.path)
                pending.append((Path(entry.path), depth + 1))
            elif info.st_size > MAX_FILE_BYTES:
                raise _too_large(entry.path, info.st_size)


def inside(folder: Path, name: object, named_in: Path) -> str:
    """Check a path that a file of the folder names: relative, without NUL, staying inside the folder.

    Args:
        folder: The source folder.
        name: The path as written (``mapping/members.csv``).
        named_in: The file that names it (for the message).

    Returns:
        The path, normalised (``a/./b`` is ``a/b``).

    Raises:
        InputError: Not a string, empty, absolute, holding NUL or a backslash, or leaving the folder.
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"file {name!r}: a file is named by a relative path inside the source folder",
                         path=named_in)
    if "\0" in name:
        raise InputError(f"file {name!r}: a NUL character in a path is refused", path=named_in)
    if "\\" in name or posixpath.isabs(name) or Path(name).is_absolute():
        raise InputError(f"file {name!r}: outside the source folder (a path is relative, with /)", path=named_in)
    normal = posixpath.normpath(name)
    if normal == ".." or normal.startswith("../") or normal == ".":
        raise InputError(f"file {name!r}: outside the source folder {folder.name}/", path=named_in)
    return normal


def read_inside(folder: Path, relative: str, cap: int = MAX_FILE_BYTES) -> bytes:
    """Read a file of ``folder`` by a path checked by :func:`inside`, never following a link.

    Raises:
        InputError: A component is a link or missing, the file is not a regular file, or it is larger
            than ``cap``.
    """
    parts = relative.split("/")
    path = folder / relative
    fds: list[int] = []
    try:
        try:
            fds.append(os.open(folder, _DIR_FLAGS))
            for part in parts[:-1]:
                fds.append(os.open(part, _DIR_FLAGS, dir_fd=fds[-1]))
            fd = os.open(parts[-1], _FLAGS | getattr(os, "O_NONBLOCK", 0), dir_fd=fds[-1])
        except OSError as exc:
            raise _open_error(exc, path) from None
        return read_fd(fd, path, cap)
    finally:
        for opened in fds:
            os.close(opened)


def read_path(path: Path, cap: int = MAX_FILE_BYTES) -> bytes:
    """Read one regular file (its last component never followed, never waited on), at most ``cap`` bytes.

    Raises:
        InputError: The file is missing, a link, not a regular file, or larger than ``cap``.
    """
    if "\0" in str(path):
        raise InputError("a NUL character in a path is refused", path=str(path).replace("\0", "\\0"))
    try:
        fd = os.open(path, _FLAGS | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _open_error(exc, path) from None
    return read_fd(fd, path, cap)


def read_fd(fd: int, path: Path, cap: int) -> bytes:
    """Read an open file (closed afterwards): a regular file of at most ``cap`` bytes.

    Raises:
        InputError: Not a regular file, or larger than ``cap``.
    """
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("not a regular file: refused (sources hold regular files only)", path=path)
        if info.st_size > cap:
            raise _too_large(path, info.st_size, cap)
        data = handle.read(cap + 1)  # the file may have grown since fstat
    if len(data) > cap:
        raise InputError(f"more than {size_text(cap)}, the cap for a file in sources/", path=path)
    return data


def gunzip(data: bytes, path: Path, cap: int = MAX_TABLE_BYTES) -> bytes:
    """Decompress gzip data (every member), at most ``cap`` bytes.

    Raises:
        InputError: Not gzip, cut short, or decompressing to more than ``cap`` bytes.
    """
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as stream:
            out = stream.read(cap + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from None
    if len(out) > cap:
        raise InputError(f"decompresses to more than {size_text(cap)}, the cap for a table in sources/",
                         path=path)
    return out


def _open_error(exc: OSError, path: Path) -> InputError:
    if exc.errno == errno.ELOOP:
        return InputError("a symbolic link in sources/ is refused: sources hold regular files only", path=path)
    if exc.errno == errno.ENOTDIR:
        return InputError("a symbolic link or a file where a folder should be: refused", path=path)
    return InputError(f"cannot read: {exc.strerror}", path=path)
