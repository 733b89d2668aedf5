"""Writing the built graph's files: the sort in a child process, and publishing a finished file whole."""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.store.files import SortJob, publish, sorted_nquads_beside, write_atomic

LINES = [
    b'<urn:x:b> <urn:x:p> "2" <urn:g:1> .',
    b'<urn:x:a> <urn:x:p> "\xc3\xa9t\xc3\xa9" <urn:g:2> .',
    b'<urn:x:a> <urn:x:p> "1" <urn:g:1> .',
    b"<urn:x:c> <urn:x:p> <urn:x:a> <urn:g:1> .",
]


@pytest.fixture
def unsorted(tmp_path: Path) -> Path:
    path = tmp_path / "dump.nq"
    path.write_bytes(b"\n".join(LINES) + b"\n")
    return path


def test_the_child_sorts_into_a_temporary_file_that_publish_moves_into_place(tmp_path: Path, unsorted: Path) -> None:
    target = tmp_path / "build" / "diplokg.nq"
    tmp, count, seconds = SortJob(target, unsorted).result()
    assert count == 4 and seconds >= 0
    assert tmp.parent == target.parent and tmp.name.startswith(".diplokg.nq.") and not target.exists()
    publish(tmp, target)
    assert target.read_bytes() == b"\n".join(sorted(LINES)) + b"\n"
    assert not tmp.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["diplokg.nq"]


def test_the_child_and_the_in_process_sort_write_the_same_bytes(tmp_path: Path, unsorted: Path) -> None:
    here, there = tmp_path / "here.nq", tmp_path / "there.nq"
    tmp, count = sorted_nquads_beside(here, unsorted)
    publish(tmp, here)
    assert count == 4
    tmp, _count, _seconds = SortJob(there, unsorted).result()
    publish(tmp, there)
    assert here.read_bytes() == there.read_bytes()


def test_a_new_file_gets_the_permissions_the_umask_allows(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    target = tmp_path / "diplokg.nq"
    write_atomic(target, LINES)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_a_failed_sort_raises_one_line_naming_the_cause_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "build" / "diplokg.nq"
    target.parent.mkdir()
    with pytest.raises(OSError, match=r"^sorting the built graph failed: FileNotFoundError: .*missing\.nq") as caught:
        SortJob(target, tmp_path / "missing.nq").result()
    assert "\n" not in str(caught.value)
    assert list(target.parent.iterdir()) == []


def test_publish_replaces_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "diplokg.nq"
    target.write_bytes(b"old\n")
    new = tmp_path / ".diplokg.nq.new.tmp"
    new.write_bytes(b"new\n")
    publish(new, target)
    assert target.read_bytes() == b"new\n" and not new.exists()


def test_the_child_runs_this_package_not_one_in_the_working_folder(
    tmp_path: Path, unsorted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    impostor = tmp_path / "cwd" / "kg"
    impostor.mkdir(parents=True)
    (impostor / "__init__.py").write_text("")
    (impostor / "store.py").write_text("raise SystemExit('the impostor ran')\n")
    monkeypatch.chdir(impostor.parent)
    tmp, count, _seconds = SortJob(tmp_path / "out.nq", unsorted).result()
    assert count == 4 and tmp.exists()


def _until(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.002)


def _sizes(folder: Path) -> set[int]:
    """The sizes of the files in a folder now (a file removed meanwhile is left out)."""
    sizes = set()
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            sizes.add(path.stat().st_size)
    return sizes


@pytest.mark.parametrize("moment", ["while-writing", "once-written", "after-it-finished"])
def test_a_cancelled_sort_leaves_nothing(tmp_path: Path, moment: str) -> None:
    """Whenever the interrupt lands (while the child writes, once its file is whole but before it
    has exited, or after it finished), the build folder is left empty."""
    big = tmp_path / "dump.nq"
    line = b"<urn:x:%d> <urn:x:p> <urn:x:o> <urn:g:1> .\n"
    big.write_bytes(b"".join(line % (i * 7919 % 1_000_000) for i in range(1_000_000)))
    target = tmp_path / "build" / "diplokg.nq"
    target.parent.mkdir()
    job = SortJob(target, big)
    if moment == "while-writing":  # cancel as soon as the child's temporary file appears
        _until(lambda: any(target.parent.iterdir()))
    elif moment == "once-written":  # the file has all its bytes: the child's own clean-up is over
        size = big.stat().st_size
        _until(lambda: size in _sizes(target.parent))
    else:
        _until(lambda: job._process.poll() is not None)
    job.cancel()
    assert list(target.parent.iterdir()) == []


def test_an_interrupt_once_the_file_exists_removes_it(tmp_path: Path) -> None:
    """Ctrl-C landing right after the temporary file is created (here: while its name is reported)
    removes the file, and Ctrl-C is no longer held back afterwards."""
    import signal

    from kg.store.files import _write_temp

    named: list[Path] = []

    def interrupted(tmp: Path) -> None:
        named.append(tmp)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _write_temp(tmp_path / "out.nq", [b"a", b"b"], interrupted)
    assert named and not named[0].exists() and list(tmp_path.iterdir()) == []
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())
