"""Forbid the calling process to use the network: a seccomp filter, installed with ``prctl`` through ctypes.

After :func:`forbid_network` the process (and any process or thread it starts later) gets ``EPERM``
from every system call that makes, connects, binds or sends on a socket (``socket``, ``socketpair``,
``connect``, ``bind``, ``listen``, ``accept``, ``accept4``, ``sendto``, ``sendmsg``, ``sendmmsg``) and
from ``io_uring_setup`` (io_uring can open sockets without those calls). A system call of another
architecture's ABI (x32 on x86-64) kills the process. Files, pipes and memory work as before.

The filter cannot be removed; install it only in a process made for one query (see
:mod:`kg.query.sandbox`). Linux on x86-64 and aarch64 only; elsewhere :func:`forbid_network` raises
:class:`NetworkLockUnavailable` saying why.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_EPERM = 0x00050000 | errno.EPERM

# (audit architecture, denied system calls by number, first number of a foreign ABI or None)
_ARCHES: dict[str, tuple[int, dict[str, int], int | None]] = {
    "x86_64": (
        0xC000003E,
        {"socket": 41, "connect": 42, "accept": 43, "sendto": 44, "sendmsg": 46, "bind": 49, "listen": 50,
         "socketpair": 53, "accept4": 288, "sendmmsg": 307, "io_uring_setup": 425},
        0x40000000,  # the x32 ABI
    ),
    "aarch64": (
        0xC00000B7,
        {"socket": 198, "socketpair": 199, "bind": 200, "listen": 201, "accept": 202, "connect": 203,
         "sendto": 206, "sendmsg": 211, "accept4": 242, "sendmmsg": 269, "io_uring_setup": 425},
        None,
    ),
}


class NetworkLockUnavailable(OSError):
    """This system cannot forbid a process the network (the message says why)."""


def _program(machine: str) -> bytes:
    arch, calls, foreign = _ARCHES[machine]
    code: list[tuple[int, int, int, int]] = [
        (_BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_BPF_JEQ_K, 1, 0, arch),
        (_BPF_RET_K, 0, 0, _RET_KILL_PROCESS),
        (_BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if foreign is not None:
        code += [(_BPF_JGE_K, 0, 1, foreign), (_BPF_RET_K, 0, 0, _RET_KILL_PROCESS)]
    numbers = sorted(calls.values())
    for n, number in enumerate(numbers):
        # Jump to the EPERM return (after the remaining comparisons and the ALLOW) when equal.
        code.append((_BPF_JEQ_K, len(numbers) - n, 0, number))
    code += [(_BPF_RET_K, 0, 0, _RET_ALLOW), (_BPF_RET_K, 0, 0, _RET_EPERM)]
    return b"".join(struct.pack("HBBI", *ins) for ins in code)


def forbid_network() -> None:
    """Forbid this process the network, for good (see the module's docstring).

    Raises:
        NetworkLockUnavailable: Not Linux, an architecture we have no table for, or the kernel
            refused the filter.
    """
    machine = platform.machine()
    if not sys.platform.startswith("linux"):
        raise NetworkLockUnavailable(f"seccomp needs Linux (this is {sys.platform})")
    if machine not in _ARCHES:
        raise NetworkLockUnavailable(f"no seccomp table for the {machine} architecture")
    libc = ctypes.CDLL(None, use_errno=True)  # this process's own symbols, libc's prctl among them
    program = _program(machine)
    buffer = ctypes.create_string_buffer(program, len(program))

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Fprog(len(program) // 8, ctypes.addressof(buffer))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise NetworkLockUnavailable(f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise NetworkLockUnavailable(f"the kernel refused the seccomp filter: {os.strerror(ctypes.get_errno())}")
