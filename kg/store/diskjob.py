"""The on-disk store written in a child process while the build still validates.

A full build's dump (``build/.dump.*.nq``) holds the whole built graph once the alignment is derived;
validation reads the in-memory store and never changes the dump. :class:`DiskStoreJob` bulk-loads the
dump into a new Oxigraph store in a temporary folder beside the built file, in a child process, from
that moment on: the bulk load (the build's longest step) then runs beside validation instead of after
it. The folder is moved into place (:meth:`DiskStoreJob.finish`) only once the built file is
published; when validation finds a violation, or anything fails, :meth:`DiskStoreJob.cancel` stops the
child and removes the folder, and the previous build's store stays.

The child loads the dump in chunks of lines (:func:`load_in_chunks`): Oxigraph's bulk loader holds
up to a million quads per batch and thread (about 1.2 GB at 1.5 million quads), which would come on
top of the build's own store; a chunk of 250,000 lines needs a few hundred MB. Every line that may
name a blank node (it contains ``_:``) goes into the last chunk, so that a blank node is one node in
the store, as when the whole file is loaded at once (each load gives a file's blank nodes fresh
labels).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.store.files import child, move_store_into_place

#: Lines per bulk load in the child (see the module's docstring).
CHUNK_LINES = 250_000


def load_in_chunks(folder: Path, nquads: Path, chunk: int = CHUNK_LINES) -> int:
    """Bulk-load an N-Quads file Oxigraph wrote (leniently: its IRIs are not validated again) into a
    new on-disk store in ``folder``, ``chunk`` lines at a time, the lines that may hold blank nodes last
    and together; flushed to disk.

    Returns:
        The number of lines loaded.
    """
    store = ox.Store(str(folder))
    blank: list[bytes] = []
    lines: list[bytes] = []
    count = 0

    def load(part: list[bytes], into: ox.Store = store) -> None:
        into.bulk_load(input=b"".join(part), format=ox.RdfFormat.N_QUADS, lenient=True)

    with nquads.open("rb") as handle:
        for line in handle:
            count += 1
            if b"_:" in line:
                blank.append(line)
                continue
            lines.append(line)
            if len(lines) >= chunk:
                load(lines)
                lines.clear()
    if lines:
        load(lines)
    if blank:
        load(blank)
    store.flush()
    del store
    return count


class DiskStoreJob:
    """:func:`load_in_chunks` of a dump into a temporary folder beside ``nquads``, in a child Python
    process (it holds neither this process's lock nor its memory)."""

    def __init__(self, nquads: Path, dump: Path, chunk: int = CHUNK_LINES) -> None:
        self.folder: Path | None = Path(tempfile.mkdtemp(prefix=".store.", dir=nquads.parent))
        try:
            self._process: subprocess.Popen[str] | None = child("kg.store.diskjob", str(self.folder), str(dump),
                                                                str(chunk))
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def wait(self) -> float:
        """Wait for the child; the seconds it took.

        Raises:
            OSError: The load failed (the child's last error line says why); the folder is removed.
        """
        process = self._process
        assert process is not None, "the job was cancelled"
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


if __name__ == "__main__":  # the child of DiskStoreJob: python -m kg.store.diskjob FOLDER DUMP CHUNK
    _start = time.perf_counter()
    _count = load_in_chunks(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
    print(f"{_count}\t{time.perf_counter() - _start}", end="")
