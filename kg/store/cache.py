"""The build cache (``build/cache/``): what a rebuild reuses of the previous build.

A project's sources fall in two parts. The *world* W: the ontology, the gazetteer, every source
folder whose files hold at least :data:`WORLD_MIN_BYTES` bytes (today the UN votes and the Wikidata
missions) and every folder whose tables a ``mapping.toml`` maps (the key votes of 2020-2024 and the
Security Council's votes: small, but the derived alignment reads them). The *rest* D: every other
source folder (the article and the tables, small). A build whose W has at least one source folder
writes, beside ``diplokg.nq``:

- ``manifest.json``: the key of everything W's part of the build depends on (:func:`world_key`: the
  ontology, the shapes, the checks, every file of every W folder, the package's own files and the
  versions of Python, pyoxigraph and rdflib), the stamp of the ``diplokg.nq`` it belongs to, the
  graphs of D, and counts;
- ``rest.nq``: the sorted N-Quads lines of D's graphs and of the inferred graph, as that build wrote them;
- ``world-inferred.nt``: the inferred graph of W alone (closure(W) minus W), sorted N-Triples lines;
- ``world-index.marshal``: closure(W)'s triples of the predicates the rules join on.

The cache is written to a temporary folder and moved into place, after ``diplokg.nq``; it is valid
only while its key matches and ``diplokg.nq`` still has the stamp it records (any other build, or a
hand edit, changes the stamp), so a stale or half-written cache is never used.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg.store.files import _UMASK, stamp_of

#: A source folder whose regular files add up to at least this many bytes belongs to the world W.
WORLD_MIN_BYTES = 1_000_000
#: Changed whenever the cache's files change meaning.
FORMAT = 1
_NAME = "cache"
_FILES = ("manifest.json", "rest.nq", "world-inferred.nt", "world-index.marshal")


def cache_dir(nquads: Path) -> Path:
    """The cache beside a built N-Quads file."""
    return nquads.parent / _NAME


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def folder_bytes(folder: Path) -> int:
    """The bytes of a folder's files (what decides whether a source folder is part of the world)."""
    return sum(p.stat().st_size for p in _files(folder))


def _hash_tree(digest: hashlib._Hash, label: str, root: Path, paths: list[Path]) -> None:
    for path in paths:
        data = path.read_bytes()
        digest.update(f"{label}\0{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)


def world_key(ontology: Path, shapes: Path, checks: list[Path], world: list[Path]) -> str:
    """The SHA-256 of everything the world's part of a build depends on.

    Args:
        ontology: The ontology file.
        shapes: The SHACL shapes file.
        checks: The quality checks' query files.
        world: W's source folders.
    """
    import pyoxigraph
    import rdflib

    import kg

    digest = hashlib.sha256()
    digest.update(f"format {FORMAT} min {WORLD_MIN_BYTES} python {platform.python_version()} "
                  f"pyoxigraph {pyoxigraph.__version__} rdflib {rdflib.__version__}\n".encode())
    package = Path(kg.__file__).resolve().parent
    _hash_tree(digest, "kg", package, _files(package))
    for label, path in (("ontology", ontology), ("shapes", shapes)):
        _hash_tree(digest, label, path.parent, [path])
    for path in checks:
        _hash_tree(digest, "check", path.parent, [path])
    for folder in world:
        _hash_tree(digest, f"world {folder.name}", folder, _files(folder))
    return digest.hexdigest()


@dataclass
class Manifest:
    """What ``manifest.json`` records.

    Attributes:
        key: :func:`world_key` of the build.
        stamp: :func:`kg.store.files.stamp_of` of the ``diplokg.nq`` the cache belongs to.
        world: W's source folders (their ids).
        rest_graphs: D's graphs (IRIs).
        base_quads: The quads of W's graphs (asserted) and of the derived graph.
        asserted: The asserted quads of W.
        derived: The derived quads.
    """

    key: str
    stamp: str
    world: list[str]
    rest_graphs: list[str]
    base_quads: int
    asserted: int
    derived: int
    format: int = FORMAT


@dataclass
class Cached:
    """A valid cache, read."""

    manifest: Manifest
    folder: Path

    def rest_lines(self) -> list[bytes]:
        """The sorted lines (without newline) of D's graphs and the inferred graph, as last built."""
        return (self.folder / "rest.nq").read_bytes().splitlines()

    def world_inferred(self) -> list[bytes]:
        """closure(W) minus W: sorted N-Triples lines without `` .`` and newline."""
        return (self.folder / "world-inferred.nt").read_bytes().splitlines()

    def world_index(self) -> list[tuple[str, str, str]]:
        """closure(W)'s indexed triples."""
        index: list[tuple[str, str, str]] = marshal.loads((self.folder / "world-index.marshal").read_bytes())
        return index


def read_cache(nquads: Path, key: str) -> tuple[Cached | None, str]:
    """The cache beside ``nquads`` if it is valid for ``key``; else ``None`` and the reason, in words."""
    folder = cache_dir(nquads)
    try:
        raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        manifest = Manifest(**raw)
    except FileNotFoundError:
        return None, "no cache"
    except (OSError, ValueError, TypeError):
        return None, "the cache is unreadable"
    if manifest.format != FORMAT:
        return None, "the cache has another format"
    if manifest.key != key:
        return None, "the ontology, shapes, checks, world sources or code changed"
    try:
        if stamp_of(nquads) != manifest.stamp:
            return None, f"{nquads.name} is not the one the cache belongs to"
    except OSError:
        return None, f"no {nquads.name}"
    if not all((folder / name).is_file() for name in _FILES):
        return None, "the cache is incomplete"
    return Cached(manifest, folder), "cache valid"


def stage_cache(
    nquads: Path,
    rest: list[bytes],
    world_inferred: list[str] | Path,
    world_index: list[tuple[str, str, str]] | Path,
) -> Path:
    """Write the cache's files but the manifest into a new temporary folder beside ``nquads`` (for
    :func:`commit_cache` once ``nquads`` is written, or to delete); the two world files are written,
    or linked from the previous cache when given as paths (they do not change while the key does not)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{_NAME}.", dir=nquads.parent))
    try:
        (tmp / "rest.nq").write_bytes(b"\n".join(rest) + b"\n" if rest else b"")
        for name, data in (("world-inferred.nt", world_inferred), ("world-index.marshal", world_index)):
            if isinstance(data, Path):
                os.link(data, tmp / name)
            elif name.endswith(".nt"):
                (tmp / name).write_text("".join(f"{line}\n" for line in data), encoding="utf-8")
            else:
                (tmp / name).write_bytes(marshal.dumps(data))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def commit_cache(nquads: Path, staged: Path, manifest: Manifest) -> None:
    """Finish a staged cache for ``nquads`` (already written: its stamp goes in the manifest) and move
    it into place, replacing any older one."""
    try:
        manifest.stamp = stamp_of(nquads)
        (staged / "manifest.json").write_text(json.dumps(vars(manifest), indent=1), encoding="utf-8")
        os.chmod(staged, 0o777 & ~_UMASK)  # mkdtemp made it private
        remove_cache(nquads)
        os.replace(staged, cache_dir(nquads))
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def write_cache(
    nquads: Path,
    manifest: Manifest,
    rest: list[bytes],
    world_inferred: list[str] | Path,
    world_index: list[tuple[str, str, str]] | Path,
) -> None:
    """Write the cache beside ``nquads`` (already written), replacing any older one (see :func:`stage_cache`)."""
    commit_cache(nquads, stage_cache(nquads, rest, world_inferred, world_index), manifest)


def remove_cache(nquads: Path) -> None:
    """Remove the cache beside ``nquads``, if any (moved aside first, then deleted)."""
    target = cache_dir(nquads)
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{_NAME}-old.", dir=nquads.parent))
        os.replace(target, old / _NAME)
        shutil.rmtree(old, ignore_errors=True)


class MergeJob:
    """The new built file, written by child processes into a temporary file beside ``nquads`` while
    the build goes on: the file's lines less those of ``old_rest`` (sorted lines it holds), merged
    with ``new_rest`` (sorted lines): the bytes sorting the whole new graph would give, without
    sorting it. ``comm`` and ``sort -m`` (with ``LC_ALL=C``, which compares bytes as Python compares
    the UTF-8 lines) stream the hundreds of megabytes.
    """

    def __init__(self, nquads: Path, old_rest: Path, new_rest: list[bytes]) -> None:
        self.name = nquads.name
        fd, rest_name = tempfile.mkstemp(prefix=f".{nquads.name}.", suffix=".tmp", dir=nquads.parent)
        self._rest = Path(rest_name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"\n".join(new_rest) + b"\n" if new_rest else b"")
        fd, out_name = tempfile.mkstemp(prefix=f".{nquads.name}.", suffix=".tmp", dir=nquads.parent)
        self.out = Path(out_name)
        env = dict(os.environ, LC_ALL="C")
        with os.fdopen(fd, "wb") as out:
            self._comm = subprocess.Popen(["comm", "-23", str(nquads), str(old_rest)], stdout=subprocess.PIPE, env=env)
            self._sort = subprocess.Popen(["sort", "-m", "-", rest_name], stdin=self._comm.stdout, stdout=out, env=env)
        if self._comm.stdout is not None:
            self._comm.stdout.close()  # sort holds it now

    def result(self) -> Path:
        """Wait for the merge; the temporary file, flushed to disk (move it into place, or delete it).

        Raises:
            OSError: A tool failed or is missing.
        """
        try:
            if self._sort.wait() != 0 or self._comm.wait() != 0:
                raise OSError(f"merging the sorted lines of {self.name} failed")
            with self.out.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.chmod(self.out, 0o666 & ~_UMASK)
        except BaseException:
            self.out.unlink(missing_ok=True)
            raise
        finally:
            self._rest.unlink(missing_ok=True)
        return self.out

    def cancel(self) -> None:
        """Stop the merge and remove its files."""
        for process in (self._sort, self._comm):
            if process.poll() is None:
                process.kill()
            process.wait()
        self.out.unlink(missing_ok=True)
        self._rest.unlink(missing_ok=True)
