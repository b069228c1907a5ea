"""Replace an output folder in one step, and clear up after builds that were killed.

A build writes into a fresh folder beside its output folder OUT, which then
takes OUT's place in one step (Linux's renameat2 with RENAME_EXCHANGE), so
that a build killed at any moment leaves OUT as it was or complete. Each
build holds a lock on its folder; the next build removes the folders of
killed ones and, where the system could not exchange folders in one step,
puts back a previous output that a killed build had moved aside.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: Beside the output folder OUT: a build's .OUT.new-… folder, and .OUT.old-… where the previous output waits.
STAGING, RETIRED = "new", "old"


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """A fresh folder beside OUT that takes OUT's place in one step if the block succeeds.

    The build holds a lock on the folder while it works in it, so that
    another build's ``recover`` leaves it alone.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out.parent):
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.{STAGING}-", dir=out.parent))
        hold = _lock(staging)
    try:
        yield staging
        staging.chmod(0o755)
        _swap(staging, out)
    finally:
        # The unfinished output, or after the swap the previous one (if there was one).
        shutil.rmtree(staging, ignore_errors=True)
        os.close(hold)


def _swap(staging: Path, out: Path) -> None:
    """Put STAGING in OUT's place; OUT's previous content, if any, then lies at STAGING."""
    if not os.path.lexists(out):
        staging.replace(out)
    elif not _exchange(staging, out):
        # Where two folders cannot be exchanged in one step: two renames. A build killed
        # between them leaves no OUT, and the previous output in RETIRED; ``recover`` puts it back.
        with _locked(out.parent):
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.{RETIRED}-", dir=out.parent))
            hold = _lock(retired)
        try:
            out.replace(retired / out.name)
            try:
                staging.replace(out)
            except BaseException:
                (retired / out.name).replace(out)
                raise
        finally:
            shutil.rmtree(retired, ignore_errors=True)
            os.close(hold)


def recover(out: Path) -> None:
    """Clear up after builds of OUT that were killed: put back a previous output that such a build
    had moved aside and not yet replaced, and remove the folders they left beside OUT.

    The folders of a build running meanwhile are locked by it and left alone.
    """
    out = out.resolve()
    if not out.parent.is_dir():
        return
    prefixes = (f".{out.name}.{STAGING}-", f".{out.name}.{RETIRED}-")
    with _locked(out.parent):
        for folder in sorted(out.parent.iterdir()):
            if not folder.name.startswith(prefixes) or not folder.is_dir():
                continue
            hold = _lock_if_free(folder)
            if hold is None:
                continue
            try:
                previous = folder / out.name
                if folder.name.startswith(prefixes[1]) and previous.is_dir() and not os.path.lexists(out):
                    previous.replace(out)
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                os.close(hold)


def _lock(folder: Path) -> int:
    """A descriptor holding an exclusive lock on FOLDER, taken once no other process holds one.

    The kernel releases the lock when its holder dies, so a folder whose lock
    is free belongs to no running build. Forked writers inherit it.
    """
    descriptor = os.open(folder, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def _lock_if_free(folder: Path) -> int | None:
    """Like ``_lock``, but None at once when another process holds the lock."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """FOLDER locked while the block runs: creating a build's folder and clearing up exclude each other."""
    descriptor = _lock(folder)
    try:
        yield
    finally:
        os.close(descriptor)


#: renameat2's flag and "relative to the working directory" (linux/fs.h, fcntl.h).
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap the folders at FIRST and SECOND in one step; False where the system cannot.

    Linux does it with renameat2(RENAME_EXCHANGE), on every common file system.
    """
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a file system or kernel without the exchange
    raise OSError(error, os.strerror(error), str(first), None, str(second))


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """C library's renameat2 (glibc 2.28 and later), or None."""
    if not sys.platform.startswith("linux"):
        return None
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]
