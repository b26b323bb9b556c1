"""Work on untrusted input (a stranger's PDF) off the request thread, with a hard time limit.

A small pool of worker processes (pebble) started from a fork server, so the children never inherit a
web process's threads or database connections. Each task has a timeout: past it the child is killed and
replaced. Children run at a lower CPU priority and with a memory cap, so a crafted file slows only
itself; and each web process runs at most SANDBOX_MAX_CONCURRENT tasks at once: past that the caller
is told to come back (Busy, 503) instead of queueing unbounded work."""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import Busy


class SandboxTimeout(Exception):
    pass


class SandboxFailed(Exception):
    pass


_lock = threading.Lock()
_pool = None
_pool_pid = None
_slots: threading.BoundedSemaphore | None = None


def _child_init(memory_bytes: int, niceness: int) -> None:
    import resource

    with contextlib.suppress(OSError):
        os.nice(niceness)
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _get_pool():
    global _pool, _pool_pid, _slots
    with _lock:
        if _pool is None or _pool_pid != os.getpid() or not _pool.active:
            from pebble import ProcessPool

            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["motcua.documents.pdfcheck", "pyhanko.sign.validation"])
            workers = settings.SANDBOX_MAX_CONCURRENT
            _pool = ProcessPool(
                max_workers=workers,
                max_tasks=200,  # recycle now and then: a long-lived parser process only grows
                initializer=_child_init,
                initargs=(settings.SANDBOX_MEMORY_BYTES, 10),
                context=context,
            )
            _pool_pid = os.getpid()
            _slots = threading.BoundedSemaphore(workers)
        return _pool, _slots


def run(function, *args, timeout: float):
    """Run `function(*args)` in a sandbox process. Raises Busy when every slot is taken, SandboxTimeout
    when it runs past `timeout` seconds (the child is killed), SandboxFailed when it crashes."""
    pool, slots = _get_pool()
    if not slots.acquire(blocking=False):
        raise Busy(_("Máy chủ đang kiểm tra nhiều tệp cùng lúc; hãy thử lại sau ít giây."), retry_after=5)
    try:
        future = pool.schedule(function, args=args, timeout=timeout)
        try:
            return future.result()
        except (FutureTimeout, TimeoutError) as exc:
            raise SandboxTimeout(str(exc)) from exc
        except MemoryError as exc:
            raise SandboxFailed("out of memory") from exc
        except Exception as exc:
            # Errors raised inside the child (a damaged PDF) come back as themselves; a crashed or
            # killed child as pebble's ProcessExpired. The caller only needs "it failed".
            raise SandboxFailed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        slots.release()


def running() -> int:
    """How many sandbox tasks this process is running now (for monitoring and tests)."""
    with _lock:
        if _slots is None or _pool_pid != os.getpid():
            return 0
        return settings.SANDBOX_MAX_CONCURRENT - _slots._value


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None and _pool_pid == os.getpid():
            _pool.stop()
            _pool.join(timeout=5)
        _pool = None


atexit.register(shutdown)
