"""The built graph on disk: sorted N-Quads, written atomically, and for large graphs an Oxigraph store.

The sorted N-Quads file (``build/diplokg.nq``) is the reproducible artefact. Beside it, a build of
at least :data:`DISK_STORE_MIN_QUADS` quads also writes an on-disk Oxigraph store (``build/store/``)
stamped with the size and modification time of the N-Quads file it mirrors; :func:`open_store` opens
it read-only when the stamp still matches (a million-quad graph then opens in a fraction of a second
instead of being parsed again), and falls back to reading the N-Quads file. Small graphs skip the store:
creating one costs more (about half a second) than parsing their N-Quads.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.terms import to_oxigraph


def quads_of(graphs: Iterable[tuple[URIRef, Graph]]) -> list[ox.Quad]:
    """Turn named rdflib graphs into pyoxigraph quads."""
    quads = []
    for name, g in graphs:
        gname = ox.NamedNode(str(name))
        for s, p, o in g:
            quads.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), gname))  # type: ignore[arg-type]
    return quads


def nquads_bytes(quads: Iterable[ox.Quad]) -> bytes:
    """Serialise quads as N-Quads, one per line, sorted: the same quads give the same bytes."""
    lines = sorted({f"{q} .\n" for q in quads})
    return "".join(lines).encode("utf-8")


def sorted_nquads_beside(
    path: Path, unsorted: Path, created: Callable[[Path], None] | None = None
) -> tuple[Path, int]:
    """Write an N-Quads file's lines sorted to a temporary file beside ``path`` (for :func:`publish`,
    or to delete), so that the sort can run before it is known whether the file will be kept: the
    bytes :func:`nquads_bytes` gives for the same quads (UTF-8 sorts bytewise as Python sorts strings, by
    code point).

    Args:
        path: The file the sorted lines are for.
        unsorted: The N-Quads file to sort.
        created: Called with the temporary file as soon as it exists (before it is written).

    Returns:
        The temporary file and the number of quads in it.
    """
    with unsorted.open("rb") as handle:
        lines = [line.rstrip(b"\n") for line in handle]
    lines.sort()
    return _write_temp(path, lines, created), len(lines)


def child(module: str, *args: str, stdin: bool = False) -> subprocess.Popen[str]:
    """``python -m module args`` of this very package (not one that the working folder may hold: -P
    keeps the working folder off its path, and PYTHONPATH starts with the folder this kg came from),
    its output and errors (and with ``stdin``, its input) piped as text: the build's child processes
    (:class:`SortJob`, :class:`kg.store.diskjob.DiskStoreJob`)."""
    here = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-P", "-m", module, *args], stdin=subprocess.PIPE if stdin else None,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


class SortJob:
    """:func:`sorted_nquads_beside` run in a child Python process, so that sorting two million lines
    neither holds this process's lock (the build's queries run meanwhile) nor adds to its memory."""

    def __init__(self, path: Path, unsorted: Path) -> None:
        self._process = child("kg.store.files", str(path), str(unsorted))

    def result(self) -> tuple[Path, int, float]:
        """Wait for the sort; return the temporary file, the number of quads in it and the seconds
        the child took.

        Raises:
            OSError: The sort failed (the child's last error line says why).
        """
        out, err = self._process.communicate()
        if self._process.returncode != 0:
            self._remove_named(out)
            lines = err.strip().splitlines() or [f"exit status {self._process.returncode}"]
            raise OSError(f"sorting the built graph failed: {lines[-1]}")
        tmp, count, seconds = out.splitlines()[-1].split("\t")
        return Path(tmp), int(count), float(seconds)

    def cancel(self) -> None:
        """Stop the sort and remove what it wrote, however far it got: the child names its temporary
        file on its output the moment the file exists, so an interrupt that lands after the file is
        finished (where the child's own clean-up no longer runs) leaves nothing behind either."""
        self._process.send_signal(signal.SIGINT)
        out, _err = self._process.communicate()
        self._remove_named(out)

    @staticmethod
    def _remove_named(out: str) -> None:
        """Remove the temporary file the child named on its first output line, if it named one."""
        first = out.split("\n", 1)[0].split("\t", 1)[0]
        if first:
            Path(first).unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | list[bytes]) -> None:
    """Write a file so that readers see the old content or the new, never half of it.

    Args:
        path: The file.
        data: Its bytes, or its lines without their newline.
    """
    publish(_write_temp(path, data), path)


def publish(tmp: Path, path: Path) -> None:
    """Move a finished temporary file into place in one step (readers see the old file or the new)."""
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_umask() -> int:
    """The process's umask (reading it means setting it, so it is read once, on import, before any
    thread writes a file)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def _write_temp(path: Path, data: bytes | list[bytes], created: Callable[[Path], None] | None = None) -> Path:
    """Write ``data`` (bytes, or lines without their newline) to a new temporary file beside ``path``,
    flushed to disk and with the permissions a new file would get; removed again if writing fails.
    ``created`` is called with the file's path as soon as it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Ctrl-C is held back from the file's creation until the clean-up below is in force (an
    # interrupt landing between the two would leave the file behind); a pending one is raised there.
    unmasked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        handle = os.fdopen(fd, "wb")
        with handle:
            signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
            if created is not None:
                created(Path(tmp))
            if isinstance(data, bytes):
                handle.write(data)
            else:
                for start in range(0, len(data), 65536):
                    handle.write(b"\n".join(data[start:start + 65536]) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def read_store(path: Path) -> ox.Store:
    """Load a built N-Quads file into an in-memory Oxigraph store."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


#: Builds with fewer quads than this keep only the N-Quads file (parsing it is faster than opening a store).
DISK_STORE_MIN_QUADS = 100_000
_STAMP = "diplokg-nq.stamp"


def store_dir(nquads: Path) -> Path:
    """The on-disk store that mirrors a built N-Quads file."""
    return nquads.parent / "store"


def stamp_of(nquads: Path) -> str:
    """The line that identifies one published built file (its name, size and modification time): what
    the files kept beside it (the on-disk store, ``alignment.csv``) are stamped with."""
    info = nquads.stat()
    return f"{nquads.name} {info.st_size} {info.st_mtime_ns}\n"


def write_store(path: Path, quads: Iterable[ox.Quad] | Path) -> None:
    """Write quads (or an N-Quads file Oxigraph wrote, bulk-loaded leniently) as an on-disk Oxigraph
    store in the folder ``path`` (new or empty)."""
    store = ox.Store(str(path))
    if isinstance(quads, Path):
        store.bulk_load(path=str(quads), format=ox.RdfFormat.N_QUADS, lenient=True)
    else:
        store.bulk_extend(quads)
    store.flush()
    del store


def write_disk_store(nquads: Path, quads: Iterable[ox.Quad] | Path) -> Path:
    """Write the on-disk store mirroring ``nquads`` (already written), replacing any older one, from
    quads or from an N-Quads file Oxigraph wrote (bulk-loaded without re-validating its IRIs; blank
    nodes get fresh labels, as when the built file is read into memory).

    The store is written in a temporary folder and moved into place, so readers see the old store,
    the new one, or none (and then read the N-Quads file).
    """
    tmp = Path(tempfile.mkdtemp(prefix=".store.", dir=nquads.parent))
    try:
        write_store(tmp, quads)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return move_store_into_place(nquads, tmp)


def move_store_into_place(nquads: Path, folder: Path) -> Path:
    """Stamp a finished store in the temporary ``folder`` beside ``nquads`` (already written) and move
    it into place, replacing any older store; the folder is removed if that fails."""
    target = store_dir(nquads)
    try:
        (folder / _STAMP).write_text(stamp_of(nquads), encoding="utf-8")
        remove_disk_store(nquads)
        os.replace(folder, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return target


def fresh_disk_store(nquads: Path) -> Path | None:
    """The on-disk store beside ``nquads`` if its stamp says it mirrors that file, else ``None``."""
    target = store_dir(nquads)
    try:
        return target if (target / _STAMP).read_text(encoding="utf-8") == stamp_of(nquads) else None
    except (OSError, ValueError):
        return None


def updated_store_copy(
    nquads: Path, graphs: Iterable[str], remove: Iterable[ox.Quad], add: Iterable[ox.Quad]
) -> Path:
    """A copy of the fresh on-disk store beside ``nquads`` (a RocksDB checkpoint: its immutable files
    are hard links, so the copy costs almost nothing), changed: the named ``graphs`` removed, then
    ``remove`` removed and ``add`` added. The previous store is not touched; move the copy into place
    with :func:`swap_disk_store` once ``nquads`` is replaced.

    Raises:
        OSError: There is no fresh store, or the copy failed.
    """
    source = fresh_disk_store(nquads)
    if source is None:
        raise OSError(f"no on-disk store mirrors {nquads}")
    tmp = Path(tempfile.mkdtemp(prefix=".store.", dir=nquads.parent))
    try:
        copy = tmp / "store"
        ox.Store.read_only(str(source)).backup(str(copy))
        store = ox.Store(str(copy))
        for graph in graphs:
            store.remove_graph(ox.NamedNode(graph))
        for quad in remove:
            store.remove(quad)
        store.extend(add)
        store.flush()
        del store
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def swap_disk_store(nquads: Path, tmp: Path) -> None:
    """Stamp the store copy :func:`updated_store_copy` made with ``nquads`` (already replaced) and
    move it into place, replacing the previous store."""
    try:
        copy = tmp / "store"
        (copy / _STAMP).write_text(stamp_of(nquads), encoding="utf-8")
        remove_disk_store(nquads)
        os.replace(copy, store_dir(nquads))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def remove_disk_store(nquads: Path) -> None:
    """Remove the on-disk store beside ``nquads``, if any (moved aside first, then deleted)."""
    target = store_dir(nquads)
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=".store-old.", dir=nquads.parent))
        os.replace(target, old / "store")
        shutil.rmtree(old, ignore_errors=True)


def open_store(nquads: Path) -> ox.Store:
    """The built graph as a store: the on-disk store read-only when it is fresh, else the N-Quads read in memory."""
    target = fresh_disk_store(nquads)
    return ox.Store.read_only(str(target)) if target is not None else read_store(nquads)


#: What a build leaves beside ``diplokg.nq`` while it runs (a dump, temporary files and store folders):
#: left over only when the build was killed (SIGKILL), and removed by the next build.
_LEFTOVERS = (".dump.*.nq", ".{name}.*.tmp", ".store.*", ".store-old.*", ".cache.*", ".cache-old.*",
              ".alignment.csv.*.tmp", ".verdicts.*")


@contextlib.contextmanager
def exclusive_build(nquads: Path) -> Iterator[list[Path]]:
    """Hold the build folder for one build (an exclusive ``flock`` on the folder itself, so no lock file
    is left: a second build waits), and first remove what a killed build left behind
    (:data:`_LEFTOVERS`); yields what was removed."""
    folder = nquads.parent
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, and no clean-up (another build may be running)
        yield []
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        removed: list[Path] = []
        for pattern in _LEFTOVERS:
            for path in folder.glob(pattern.format(name=nquads.name)):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
        yield removed
    finally:
        os.close(fd)  # closing releases the lock


if __name__ == "__main__":  # the child process of SortJob: python -m kg.store.files PATH UNSORTED
    import time

    def _name(tmp: Path) -> None:
        """Tell the parent the temporary file's name at once (it removes the file if cancelled)."""
        sys.stdout.write(f"{tmp}\n")
        sys.stdout.flush()

    _start = time.perf_counter()
    _tmp, _count = sorted_nquads_beside(Path(sys.argv[1]), Path(sys.argv[2]), _name)
    print(f"{_tmp}\t{_count}\t{time.perf_counter() - _start}", end="")
