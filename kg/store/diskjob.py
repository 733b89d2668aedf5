"""The on-disk store written in a child process while the build still reasons, derives and validates.

A full build's dump (``build/.dump.*.nq``) holds the asserted quads from the start of reasoning,
then the inferred ones appended, then the derived alignment: the whole built graph, which validation
reads from the in-memory store and never changes. :class:`DiskStoreJob` bulk-loads the dump into a new
Oxigraph store in a temporary folder beside the built file, in a child process, from the moment the
asserted quads are dumped (``growing``: the build tells the child how far the dump is written, and
when it is whole): the bulk load (the build's longest step) then runs on the second core beside the
closure, the alignment and validation instead of after them. The folder is moved into place
(:meth:`DiskStoreJob.finish`) only once the built file is published; when validation finds a
violation, or anything fails, :meth:`DiskStoreJob.cancel` stops the child and removes the folder, and
the previous build's store stays.

The child loads the dump in chunks of lines (:func:`load_in_chunks`): Oxigraph's bulk loader holds
up to a million quads per batch and thread (about 1.2 GB at 1.5 million quads), which would come on
top of the build's own store; a chunk of 250,000 lines needs a few hundred MB. Every line that may
name a blank node (it contains ``_:``) goes into the last chunk, so that a blank node is one node in
the store, as when the whole file is loaded at once (each load gives a file's blank nodes fresh
labels).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from kg.store.files import child, move_store_into_place

#: Lines per bulk load in the child (see the module's docstring).
CHUNK_LINES = 250_000
#: Bytes read from the dump at a time.
BLOCK_BYTES = 1 << 24


def load_in_chunks(folder: Path, nquads: Path, chunk: int = CHUNK_LINES, ends: Iterable[int] | None = None) -> int:
    """Bulk-load an N-Quads file Oxigraph wrote (leniently: its IRIs are not validated again) into a
    new on-disk store in ``folder``, ``chunk`` lines at a time, the lines that may hold blank nodes last
    and together; flushed to disk.

    Args:
        folder: The new store's folder.
        nquads: The N-Quads file.
        chunk: Lines per bulk load.
        ends: Byte offsets up to which the file is complete, increasing, each at the end of a line (the
            file may grow while it is read: nothing past the offset last given is read); ``None``: the
            whole file as it is.

    Returns:
        The number of lines loaded.

    Raises:
        OSError: The file ends before an offset given in ``ends``, or the offsets decrease.
    """
    store = ox.Store(str(folder))
    blank: list[bytes] = []
    lines: list[bytes] = []
    count = 0
    pos = 0
    rest = b""

    def load(part: list[bytes], into: ox.Store = store) -> None:
        into.bulk_load(input=b"\n".join(part) + b"\n", format=ox.RdfFormat.N_QUADS, lenient=True)

    with nquads.open("rb") as handle:
        fd = handle.fileno()
        for end in ([os.fstat(fd).st_size] if ends is None else ends):
            if end < pos:
                raise OSError(f"{nquads}: offset {end} given after {pos}")
            while pos < end:
                block = os.pread(fd, min(BLOCK_BYTES, end - pos), pos)
                if not block:
                    raise OSError(f"{nquads} ends at byte {pos}, before byte {end}")
                pos += len(block)
                data = rest + block
                cut = data.rfind(b"\n") + 1
                rest = data[cut:]
                got = data[:cut].split(b"\n")  # only "\n" ends a line
                got.pop()  # (the empty piece after the last one)
                count += len(got)
                if b"_:" in data[:cut]:
                    blank.extend(line for line in got if b"_:" in line)
                    got = [line for line in got if b"_:" not in line]
                lines.extend(got)
                while len(lines) >= chunk:
                    load(lines[:chunk])
                    del lines[:chunk]
    if rest:  # a last line without its newline
        count += 1
        (blank if b"_:" in rest else lines).append(rest)
    if lines:
        load(lines)
    if blank:
        load(blank)
    store.flush()
    del store
    return count


def _offsets(stream: TextIO) -> Iterator[int]:
    """The offsets the build sends the child of a growing dump (:meth:`DiskStoreJob.grown`), one a
    line, until ``end``.

    Raises:
        OSError: The input ended without ``end`` (the build stopped: the store is not finished).
    """
    for line in stream:
        if line.strip() == "end":
            return
        yield int(line)
    raise OSError("the build stopped before the dump was complete")


class DiskStoreJob:
    """:func:`load_in_chunks` of a dump into a temporary folder beside ``nquads``, in a child Python
    process (it holds neither this process's lock nor its memory).

    With ``growing``, the dump is still being written: the child loads it as far as :meth:`grown`
    says it is complete, and finishes once :meth:`complete` says the dump is whole. The build starts
    it as soon as the asserted quads are dumped, so that the bulk load runs beside reasoning,
    deriving and validation.
    """

    def __init__(self, nquads: Path, dump: Path, chunk: int = CHUNK_LINES, growing: bool = False) -> None:
        self.folder: Path | None = Path(tempfile.mkdtemp(prefix=".store.", dir=nquads.parent))
        self._growing = growing
        try:
            self._process: subprocess.Popen[str] | None = child(
                "kg.store.diskjob", str(self.folder), str(dump), str(chunk), *(["--growing"] if growing else []),
                stdin=growing)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def grown(self, size: int) -> None:
        """Tell the child of a growing dump that its first ``size`` bytes are written (whole lines)."""
        self._send(f"{size}\n")

    def complete(self, size: int) -> None:
        """Tell the child of a growing dump that it is whole at ``size`` bytes: it loads the rest and
        finishes."""
        self._send(f"{size}\nend\n")
        self._growing = False

    def _send(self, message: str) -> None:
        """Write to the child's input (a child that failed is reported by :meth:`wait`, not here)."""
        process = self._process
        assert process is not None and process.stdin is not None and self._growing, "not a growing dump"
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(message)
            process.stdin.flush()

    def wait(self) -> float:
        """Wait for the child; the seconds it took.

        Raises:
            OSError: The load failed (the child's last error line says why); the folder is removed.
        """
        process = self._process
        assert process is not None, "the job was cancelled"
        assert not self._growing, "the dump is not complete yet"
        out, err = process.communicate()
        if process.returncode != 0:
            self.cancel()
            lines = err.strip().splitlines() or [f"exit status {process.returncode}"]
            raise OSError(f"writing the on-disk store failed: {lines[-1]}")
        return float(out.strip().rsplit("\t", 1)[-1])

    def finish(self, nquads: Path) -> float:
        """Wait for the child, then stamp the store with ``nquads`` (already published) and move it into
        place, replacing any older store (:func:`kg.store.files.write_disk_store` does the same in
        this process); the seconds the child took."""
        seconds = self.wait()
        assert self.folder is not None
        folder, self.folder = self.folder, None
        move_store_into_place(nquads, folder)
        return seconds

    def cancel(self) -> None:
        """Stop the child (if it still runs) and remove its folder, however far it got."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)  # nothing of its folder is kept: no clean-up needed in it
            process.communicate()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


if __name__ == "__main__":  # the child of DiskStoreJob: python -m kg.store.diskjob FOLDER DUMP CHUNK [--growing]
    _start = time.perf_counter()
    _count = load_in_chunks(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]),
                            _offsets(sys.stdin) if sys.argv[4:] == ["--growing"] else None)
    print(f"{_count}\t{time.perf_counter() - _start}", end="")
