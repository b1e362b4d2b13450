"""
A per-course, per-kind lock so two imports of one kind never interleave in one course.

It lives in Django's default cache, which web and worker processes must share (the LMS's Redis or memcached;
the standalone host's Redis whenever a broker is configured), so an upload sees an import a worker is running.
"""
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from certexceptions_plugin.bulk.errors import ImportInProgress


def lock_key(course_key, kind: str) -> str:
    return f"certexceptions:import-lock:{kind}:{course_key}"


@dataclass(frozen=True)
class HeldLock:
    key: str

    def refresh(self) -> None:
        """Push the expiry back, so a long import keeps its lock (the expiry only frees crashed imports)."""
        cache.touch(self.key, timeout=settings.CERTEXCEPTIONS_LOCK_TIMEOUT)


def is_locked(course_key, kind: str) -> bool:
    return cache.get(lock_key(course_key, kind)) is not None


class NoLock:
    def refresh(self) -> None:
        pass


@contextmanager
def import_lock(course_key, kind: str, *, holder: str | None = None, enabled: bool = True):
    """
    Hold the lock for the block; raise :class:`ImportInProgress` when another holder has it.

    ``holder`` names who holds it (an operation's id), so that :func:`release` can free the lock of a worker that
    died. A block that writes nothing (a dry run) takes no lock: ``enabled=False``.
    """
    if not enabled:
        yield NoLock()
        return
    key = lock_key(course_key, kind)
    token = holder or uuid.uuid4().hex
    if not cache.add(key, token, timeout=settings.CERTEXCEPTIONS_LOCK_TIMEOUT):
        raise ImportInProgress()
    try:
        yield HeldLock(key)
    finally:
        if cache.get(key) == token:
            cache.delete(key)


def release(course_key, kind: str, *, holder: str) -> None:
    """Free the lock if ``holder`` still holds it (its worker died without freeing it)."""
    key = lock_key(course_key, kind)
    if cache.get(key) == holder:
        cache.delete(key)
