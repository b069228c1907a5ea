"""Take from a process what evaluating untrusted SPARQL must never use: the network, and memory past a limit.

The query check (``querycheck``) refuses SERVICE before a query runs; this is
the second line, for the day the check is wrong. A seccomp filter makes the
kernel refuse every socket but Unix ones (and io_uring, which could open
sockets around the filter), so pyoxigraph's or rdflib's SERVICE client gets
EACCES and nothing leaves the machine. RLIMIT_DATA stops a query's
allocations at a set number of bytes past what the process holds when it
starts: the store a worker shares with the server copy-on-write is already
counted then, so only what the query itself allocates counts against it.

Both are irrevocable and apply to the calling process and its children, so
call them only in a process made for the work: a query worker or the fork
server that forks them, a validation worker. A forked process also lets go
of what it inherited and must not hold (``close_inherited_sockets``) and dies
with the process that forked it (``end_with``).
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import socket
import stat
import struct

# <linux/prctl.h>, <linux/seccomp.h>, <linux/filter.h>, <linux/audit.h>
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_EACCES = 13
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
#: Offsets in struct seccomp_data: the system call's number, the architecture, the first argument's low word.
_NR, _ARCH, _ARG0 = 0, 4, 16

#: By machine: its audit architecture, the number of socket(2), and the first number of another ABI on it (x32).
_MACHINES = {
    "x86_64": (0xC000003E, 41, 0x40000000),
    "aarch64": (0xC00000B7, 198, None),
}
#: io_uring_setup(2) has one number on every architecture.
_IO_URING_SETUP = 425


def forbid_network() -> bool:
    """Make every later socket(2) but AF_UNIX fail with EACCES, in this process and its children.

    False where the filter cannot be installed (not Linux, an architecture not
    listed, seccomp not allowed): the query check then stands alone.
    """
    machine = _MACHINES.get(platform.machine())
    if machine is None:
        return False
    arch, socket_call, other_abi = machine
    deny, allow = _ret(_SECCOMP_RET_ERRNO | _EACCES), _ret(_SECCOMP_RET_ALLOW)
    program = [
        _load(_ARCH),
        _jump(_BPF_JEQ_K, arch, 1, 0),
        deny,  # another architecture's calls (the i386 ABI on x86_64): Python makes none
        _load(_NR),
    ]
    if other_abi is not None:
        program += [_jump(_BPF_JGE_K, other_abi, 0, 1), deny]
    program += [
        _jump(_BPF_JEQ_K, _IO_URING_SETUP, 0, 1),
        deny,
        _jump(_BPF_JEQ_K, socket_call, 0, 3),
        _load(_ARG0),
        _jump(_BPF_JEQ_K, socket.AF_UNIX, 1, 0),
        deny,
        allow,
    ]
    code = b"".join(program)
    filters = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HL", len(program), ctypes.addressof(filters))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, *[ctypes.c_ulong] * 4]
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    buffer = ctypes.create_string_buffer(fprog, len(fprog))
    return bool(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(buffer), 0, 0) == 0)


def _load(offset: int) -> bytes:
    return struct.pack("HBBI", _BPF_LD_W_ABS, 0, 0, offset)


def _jump(code: int, value: int, if_true: int, if_false: int) -> bytes:
    return struct.pack("HBBI", code, if_true, if_false, value)


def _ret(value: int) -> bytes:
    return struct.pack("HBBI", _BPF_RET_K, 0, 0, value)


def limit_memory(extra_bytes: int) -> None:
    """Let this process allocate at most EXTRA_BYTES more than it holds now (its data segment, heap and anonymous maps).

    An allocation past it fails: Python raises MemoryError, and pyoxigraph's
    Rust code aborts the process, which the query pool reports as a query that
    needed too much memory.
    """
    limit = data_bytes() + extra_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def data_bytes() -> int:
    """What RLIMIT_DATA counts of this process now (VmData of /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def end_with(parent: int) -> None:
    """Have Linux kill this process when PARENT, the process that forked it, dies.

    A server killed with SIGKILL cannot stop what it forked, and a query worker
    in the middle of a runaway query would run on, unbounded, with nobody to
    read its answer. The death signal follows the thread that forked: fork from
    one that lives as long as PARENT. Elsewhere than on Linux a query worker
    ends when it next finds its channel closed.
    """
    prctl = getattr(ctypes.CDLL(None), "prctl", None)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


#: prctl option from <linux/prctl.h>.
_PR_SET_PDEATHSIG = 1


def close_inherited_sockets(keep: int) -> None:
    """Let go of every socket but KEEP that the fork copied from the parent.

    A query worker forked while the server had its listening socket and open
    client connections kept a client that was told ``Connection: close``
    waiting for an end of the response that never came. Each becomes /dev/null
    rather than a closed number, so that a copied socket object closing itself
    later cannot close a file the process opened since.
    """
    null = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/dev/fd"):
        fd = int(name)
        if fd <= 2 or fd in (keep, null):
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.dup2(null, fd)
        except OSError:
            continue  # the descriptor of the listing itself, already closed
    os.close(null)
